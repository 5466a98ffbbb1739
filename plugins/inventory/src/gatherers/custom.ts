import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GatheredItem, GatherFailure, Gatherer, GathererOutput, InventoryRow } from '../inventory-types.js';
import { captureTime, sortRows } from '../rows.js';

/** SSM's limits for custom inventory (the agent's and the service's). */
export const CUSTOM_LIMITS = {
  files: 20,
  bytesPerFile: 200 * 1024,
  typeNameLength: 100,
  entries: 10000,
  attributes: 50,
  attributeNameLength: 64,
  attributeValueLength: 4096,
} as const;

export const CUSTOM_PREFIX = 'Custom:';
/** The name failures carry when a file is too broken to say which type it holds (SSM's gatherer name). */
export const CUSTOM_GATHERER_NAME = 'CustomInventory';
const SCHEMA_VERSION = /^([0-9]{1,6})(\.[0-9]{1,6})$/;

export class CustomInventoryError extends Error {
  constructor(
    readonly typeName: string,
    message: string,
  ) {
    super(message);
    this.name = 'CustomInventoryError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function checkEntry(entry: unknown, index: number, typeName: string): InventoryRow {
  const fail = (problem: string) => new CustomInventoryError(typeName, `entry ${index + 1} of Content ${problem}`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail(`is ${describe(entry)}, not an object of attributes`);
  const names = Object.keys(entry);
  if (names.length > CUSTOM_LIMITS.attributes) throw fail(`has ${names.length} attributes; at most ${CUSTOM_LIMITS.attributes} are allowed`);
  const row: InventoryRow = {};
  for (const [name, value] of Object.entries(entry as Record<string, unknown>)) {
    if (name.length === 0) throw fail('has an attribute with an empty name');
    if (name.length > CUSTOM_LIMITS.attributeNameLength) throw fail(`has the attribute name ${JSON.stringify(name.slice(0, 80))}, longer than ${CUSTOM_LIMITS.attributeNameLength} characters`);
    if (typeof value !== 'string') throw fail(`has ${describe(value)} as the value of ${name}; only strings are allowed (use "" for none)`);
    if (value.length > CUSTOM_LIMITS.attributeValueLength) throw fail(`has a value of ${value.length} characters in ${name}; at most ${CUSTOM_LIMITS.attributeValueLength} are allowed`);
    row[name] = value;
  }
  return row;
}

/**
 * One custom inventory file in SSM's format: `{"SchemaVersion": "1.0", "TypeName": "Custom:Name", "Content": {...}}`
 * where Content is one object of string attributes or a list of them. Throws a CustomInventoryError that says what
 * is wrong (and names the type when the file says which).
 */
export function parseCustomInventory(text: string, now: Date = new Date()): GatheredItem {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CustomInventoryError(CUSTOM_GATHERER_NAME, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new CustomInventoryError(CUSTOM_GATHERER_NAME, `holds ${describe(document)}, not an object with TypeName, SchemaVersion and Content`);
  const { TypeName, SchemaVersion, Content } = document as Record<string, unknown>;
  if (typeof TypeName !== 'string' || TypeName === '') throw new CustomInventoryError(CUSTOM_GATHERER_NAME, 'has no TypeName');
  const named = TypeName.startsWith(CUSTOM_PREFIX) && TypeName.length <= CUSTOM_LIMITS.typeNameLength ? TypeName : CUSTOM_GATHERER_NAME;
  if (!TypeName.startsWith(CUSTOM_PREFIX)) throw new CustomInventoryError(named, `has the TypeName ${JSON.stringify(TypeName)}, outside the Custom: namespace (custom inventory type names start with "Custom:")`);
  if (TypeName.length > CUSTOM_LIMITS.typeNameLength) throw new CustomInventoryError(named, `has a TypeName of ${TypeName.length} characters; at most ${CUSTOM_LIMITS.typeNameLength} are allowed`);
  if (TypeName.length === CUSTOM_PREFIX.length) throw new CustomInventoryError(named, 'has the TypeName "Custom:" without a name after it');
  if (typeof SchemaVersion !== 'string' || !SCHEMA_VERSION.test(SchemaVersion)) throw new CustomInventoryError(named, `has the SchemaVersion ${JSON.stringify(SchemaVersion ?? null)}; it must look like "1.0"`);
  if (Content === undefined || Content === null) throw new CustomInventoryError(named, 'has no Content');
  const entries = Array.isArray(Content) ? Content : [Content];
  if (entries.length > CUSTOM_LIMITS.entries) throw new CustomInventoryError(named, `has ${entries.length} entries in Content; at most ${CUSTOM_LIMITS.entries} are allowed`);
  const rows = entries.map((entry, index) => checkEntry(entry, index, named));
  return { TypeName, SchemaVersion, CaptureTime: captureTime(now), Content: sortRows(rows, []) };
}

/**
 * Custom:* types from the `*.json` files of the custom inventory directory. A bad file is skipped and reported
 * (with its type, when it names one, so the control plane keeps that type's previous data); the others still count.
 */
export function customInventoryGatherer(): Gatherer {
  return {
    typeName: 'Custom:*',
    platforms: ['linux', 'darwin', 'win32'],
    async gather(environment): Promise<GathererOutput> {
      const dir = environment.customInventoryDirectory;
      let names: string[];
      try {
        names = (await fs.readdir(dir)).filter((name) => name.toLowerCase().endsWith('.json')).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { items: [] }; // no custom inventory here
        throw new Error(`the custom inventory directory ${dir} cannot be read: ${(error as Error).message}`);
      }
      const items: GatheredItem[] = [];
      const failures: GatherFailure[] = [];
      const seen = new Map<string, string>();
      for (const [index, name] of names.entries()) {
        const file = path.join(dir, name);
        if (index >= CUSTOM_LIMITS.files) {
          failures.push({ TypeName: CUSTOM_GATHERER_NAME, message: `custom inventory file ${file} was skipped: at most ${CUSTOM_LIMITS.files} files are read (the first ${CUSTOM_LIMITS.files} by name)` });
          continue;
        }
        try {
          const stat = await fs.stat(file);
          if (stat.size > CUSTOM_LIMITS.bytesPerFile) throw new CustomInventoryError(CUSTOM_GATHERER_NAME, `is ${stat.size} bytes; at most ${CUSTOM_LIMITS.bytesPerFile} (200 KB) are allowed per custom inventory type`);
          const item = parseCustomInventory(await fs.readFile(file, 'utf8'));
          const earlier = seen.get(item.TypeName);
          if (earlier) throw new CustomInventoryError(CUSTOM_GATHERER_NAME, `holds ${item.TypeName}, which ${earlier} holds already; each type must come from one file`);
          seen.set(item.TypeName, file);
          items.push(item);
        } catch (error) {
          const typeName = error instanceof CustomInventoryError ? error.typeName : CUSTOM_GATHERER_NAME;
          failures.push({ TypeName: typeName, message: `custom inventory file ${file} ${error instanceof CustomInventoryError ? error.message : `cannot be read: ${(error as Error).message}`}; it was skipped` });
        }
      }
      return { items, ...(failures.length ? { failures } : {}) };
    },
  };
}
