import type { CommandRunner } from './inventory-types.js';

/**
 * Runs a PowerShell script that prints one JSON document (ConvertTo-Json) and parses it. Windows PowerShell 5.1
 * is on every supported Windows; the script is passed with -Command so nothing is written to disk.
 */
export async function runPowerShellJson(run: CommandRunner, script: string, signal?: AbortSignal): Promise<unknown> {
  const prelude = '$ErrorActionPreference = "Stop"; [Console]::OutputEncoding = [System.Text.Encoding]::UTF8; ';
  const output = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', prelude + script], signal ? { signal } : {});
  const text = output.replace(/^\uFEFF/, '').trim();
  if (text === '') return [];
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`PowerShell printed something that is not JSON: ${(error as Error).message}`);
  }
}

/** ConvertTo-Json prints a single object for a one-element pipeline and nothing for an empty one: always a list. */
export function asList(value: unknown): Array<Record<string, unknown>> {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null && !Array.isArray(entry));
}

/** A property as text: numbers and booleans as PowerShell shows them, lists joined with ", ", null as "". */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(text).filter((part) => part !== '').join(', ');
  if (typeof value === 'object') return '';
  return String(value).trim();
}

/**
 * A DateTime as Windows PowerShell 5.1's ConvertTo-Json writes it (`/Date(1700000000000)/`), or as PowerShell 7
 * does (ISO 8601), in SSM's `yyyy-MM-ddTHH:mm:ssZ`; "" when absent or unreadable.
 */
export function powerShellDate(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'DateTime' in value) return powerShellDate((value as { value?: unknown }).value);
  const raw = text(value);
  const legacy = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(raw);
  const time = legacy ? Number(legacy[1]) : Date.parse(raw);
  return Number.isFinite(time) && raw !== '' ? `${new Date(time).toISOString().slice(0, 19)}Z` : '';
}
