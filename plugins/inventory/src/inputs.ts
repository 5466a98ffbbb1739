import type { FileFilter } from './gatherers/file.js';
import type { RegistryFilter } from './gatherers/windows-registry.js';

/** The Enabled/Disabled inputs of aws:softwareInventory (AWS-GatherSoftwareInventory's parameters). */
export const SWITCH_INPUTS = ['applications', 'awsComponents', 'networkConfig', 'windowsUpdates', 'instanceDetailedInformation', 'services', 'windowsRoles', 'customInventory', 'billingInfo'] as const;
export type SwitchInput = (typeof SWITCH_INPUTS)[number];

export interface InventoryInputs {
  enabled: Record<SwitchInput, boolean>;
  files: FileFilter[];
  windowsRegistry: RegistryFilter[];
}

export type ParsedInventoryInputs = { ok: true; inputs: InventoryInputs } | { ok: false; message: string };

const ACTION = 'aws:softwareInventory';

class InputError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "" or absent: nothing. A JSON text (as the document's String parameter delivers it) or an already parsed list. */
function jsonList(name: string, value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new InputError(`the input ${name} is not valid JSON (${(error as Error).message}); it must be a list such as [{"Path": "..."}]`);
    }
  }
  if (isRecord(parsed)) parsed = [parsed];
  if (!Array.isArray(parsed)) throw new InputError(`the input ${name} must be a JSON list of objects`);
  return parsed;
}

function positiveInteger(name: string, index: number, field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) throw new InputError(`${name}[${index}].${field} must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  return number;
}

function booleanField(name: string, index: number, field: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InputError(`${name}[${index}].${field} must be true or false, not ${JSON.stringify(value)}`);
}

function stringList(name: string, index: number, field: string, value: unknown, required: boolean): string[] | undefined {
  if (value === undefined || value === null) {
    if (required) throw new InputError(`${name}[${index}] needs ${field}, a list of names or patterns`);
    return undefined;
  }
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) throw new InputError(`${name}[${index}].${field} must be a list of non-empty strings`);
  if (required && list.length === 0) throw new InputError(`${name}[${index}].${field} is empty: name at least one pattern such as "*"`);
  return list as string[];
}

function pathField(name: string, index: number, entry: Record<string, unknown>): string {
  if (typeof entry.Path !== 'string' || entry.Path.trim() === '') throw new InputError(`${name}[${index}] needs Path, the ${name === 'files' ? 'folder' : 'registry key'} to read`);
  if (entry.Path.includes('\0')) throw new InputError(`${name}[${index}].Path contains a NUL character`);
  return entry.Path;
}

function parseFiles(value: unknown): FileFilter[] {
  return jsonList('files', value).map((entry, index) => {
    if (!isRecord(entry)) throw new InputError(`files[${index}] must be an object with Path and Pattern`);
    const filter: FileFilter = { Path: pathField('files', index, entry), Pattern: stringList('files', index, 'Pattern', entry.Pattern, true)! };
    const recursive = booleanField('files', index, 'Recursive', entry.Recursive);
    if (recursive !== undefined) filter.Recursive = recursive;
    for (const field of ['DirScanLimit', 'DirDepthLimit', 'FileLimit'] as const) {
      const limit = positiveInteger('files', index, field, entry[field]);
      if (limit !== undefined) filter[field] = limit;
    }
    return filter;
  });
}

function parseRegistry(value: unknown): RegistryFilter[] {
  return jsonList('windowsRegistry', value).map((entry, index) => {
    if (!isRecord(entry)) throw new InputError(`windowsRegistry[${index}] must be an object with Path`);
    const filter: RegistryFilter = { Path: pathField('windowsRegistry', index, entry) };
    const recursive = booleanField('windowsRegistry', index, 'Recursive', entry.Recursive);
    if (recursive !== undefined) filter.Recursive = recursive;
    const valueNames = stringList('windowsRegistry', index, 'ValueNames', entry.ValueNames, false);
    if (valueNames) filter.ValueNames = valueNames;
    return filter;
  });
}

/**
 * Checks the step's inputs as AWS-GatherSoftwareInventory passes them: each switch "Enabled" or "Disabled" (absent
 * or "" means Disabled, as in SSM's plugin: the document supplies the defaults); `files` and `windowsRegistry` JSON
 * lists of filters. Bad input is reported with the input's name, never thrown.
 */
export function parseInventoryInputs(inputs: Readonly<Record<string, unknown>>): ParsedInventoryInputs {
  try {
    const enabled = {} as Record<SwitchInput, boolean>;
    for (const name of SWITCH_INPUTS) {
      const value = inputs[name];
      if (value === undefined || value === null || value === '' || value === 'Disabled') enabled[name] = false;
      else if (value === 'Enabled') enabled[name] = true;
      else throw new InputError(`the input ${name} must be "Enabled" or "Disabled", not ${JSON.stringify(value)}`);
    }
    return { ok: true, inputs: { enabled, files: parseFiles(inputs.files), windowsRegistry: parseRegistry(inputs.windowsRegistry) } };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, message: `${ACTION}: ${error.message}` };
    throw error;
  }
}

/** Every switch Enabled and no files or registry filters: AWS-GatherSoftwareInventory's defaults. */
export function allEnabledInputs(): Record<string, string> {
  return Object.fromEntries(SWITCH_INPUTS.map((name) => [name, 'Enabled']));
}
