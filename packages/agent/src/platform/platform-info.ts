import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import type { PlatformInfo } from '@tender/protocol';
import { AGENT_VERSION } from '../version.js';

export type { PlatformInfo };

/** Parse /etc/os-release (a shell-style KEY=value file, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2] ?? '';
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    fields[match[1] as string] = value;
  }
  return fields;
}

/** Parse `sw_vers` output (macOS): ProductName / ProductVersion lines. */
export function parseSwVers(text: string): { name: string; version: string } {
  const get = (key: string) => new RegExp(`^${key}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return { name: get('ProductName') || 'macOS', version: get('ProductVersion') };
}

/** The address SSM would show: the first non-internal IPv4, else IPv6, else loopback. */
export function primaryAddress(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string {
  const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((i) => !i.internal);
  return all.find((i) => i.family === 'IPv4')?.address ?? all.find((i) => i.family === 'IPv6')?.address ?? '127.0.0.1';
}

async function describeOs(): Promise<{ type: PlatformInfo['PlatformType']; name: string; version: string }> {
  switch (process.platform) {
    case 'win32':
      // os.version() is e.g. "Windows Server 2022 Datacenter"; os.release() the build, e.g. "10.0.20348".
      return { type: 'Windows', name: os.version(), version: os.release() };
    case 'darwin': {
      const { stdout } = await promisify(execFile)('sw_vers', [], { timeout: 5000 }).catch(() => ({ stdout: '' }));
      const { name, version } = parseSwVers(stdout);
      return { type: 'MacOS', name, version: version || os.release() };
    }
    default: {
      // Read synchronously: a few hundred bytes, and the hello and every heartbeat wait for them. Through the thread
      // pool they would queue behind whatever else fills it (the first inventory's thousands of file reads), and a
      // freshly started agent could take that long to be seen Online.
      const text = readOsRelease('/etc/os-release') ?? readOsRelease('/usr/lib/os-release') ?? '';
      const fields = parseOsRelease(text);
      return { type: 'Linux', name: fields.NAME ?? 'Linux', version: fields.VERSION_ID ?? os.release() };
    }
  }
}

function readOsRelease(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Gathered with node:os and the OS's own files only: cheap enough for every heartbeat, and no heavy imports. */
export async function gatherPlatformInfo(): Promise<PlatformInfo> {
  const described = await describeOs();
  return {
    PlatformType: described.type,
    PlatformName: described.name,
    PlatformVersion: described.version,
    AgentVersion: AGENT_VERSION,
    ComputerName: os.hostname(),
    IPAddress: primaryAddress(),
    Architecture: os.arch(),
    KernelVersion: os.release(),
  };
}
