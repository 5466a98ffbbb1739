/**
 * The in-memory form of every host's inventory, built for GetInventory over large fleets.
 *
 * Why columns: 1,000 hosts × 1,000 applications is a million rows. Held as a million JS objects of strings they
 * cost hundreds of megabytes and every filter is a million property reads and string compares. Here each type
 * keeps, per attribute, a dictionary of the distinct values it has seen (a fleet has few distinct names and
 * versions), and each host's rows are stored as one Int32Array of dictionary codes per attribute. A filter is
 * then decided once per distinct value (memoised by code: a version comparison runs once per distinct version,
 * not once per row) and the scan over rows compares integers. Rows are decoded back into objects only for what a
 * response returns.
 *
 * Dictionaries only grow while the process runs (values no host holds any more stay until the next start, when
 * the index is rebuilt from the files); that is a few bytes per distinct value ever seen.
 */
import type { InventoryRow } from './inventory-records.js';

export const ABSENT = -1;

export class ValueDictionary {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [];

  encode(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  find(value: string): number | undefined {
    return this.codes.get(value);
  }
}

/** The attributes a type has been seen with, each with its dictionary. */
export class TypeColumns {
  readonly attributes: string[] = [];
  readonly dictionaries: ValueDictionary[] = [];
  private readonly index = new Map<string, number>();

  constructor(readonly typeName: string) {}

  attributeIndex(name: string): number | undefined {
    return this.index.get(name);
  }

  ensureAttribute(name: string): number {
    let position = this.index.get(name);
    if (position === undefined) {
      position = this.attributes.length;
      this.attributes.push(name);
      this.dictionaries.push(new ValueDictionary());
      this.index.set(name, position);
    }
    return position;
  }
}

/** One type on one host: its metadata and its rows as columns of codes (ABSENT where a row lacks the attribute). */
export interface IndexedItem {
  TypeName: string;
  SchemaVersion: string;
  CaptureTime: string;
  ContentHash: string;
  Context?: Record<string, string>;
  rowCount: number;
  /** By attribute position in the type's TypeColumns; undefined where no row has that attribute. */
  columns: Array<Int32Array | undefined>;
}

export function encodeRows(table: TypeColumns, rows: readonly InventoryRow[]): Array<Int32Array | undefined> {
  const columns: Array<Int32Array | undefined> = [];
  rows.forEach((row, i) => {
    for (const name of Object.keys(row)) {
      const position = table.ensureAttribute(name);
      let column = columns[position];
      if (column === undefined) {
        column = new Int32Array(rows.length).fill(ABSENT);
        columns[position] = column;
      }
      column[i] = table.dictionaries[position]!.encode(row[name]!);
    }
  });
  return columns;
}

export function decodeRow(table: TypeColumns, item: IndexedItem, i: number): InventoryRow {
  const row: InventoryRow = {};
  item.columns.forEach((column, position) => {
    if (column === undefined) return;
    const code = column[i]!;
    if (code !== ABSENT) row[table.attributes[position]!] = table.dictionaries[position]!.values[code]!;
  });
  return row;
}

export function decodeRows(table: TypeColumns, item: IndexedItem, select?: (i: number) => boolean): InventoryRow[] {
  const rows: InventoryRow[] = [];
  for (let i = 0; i < item.rowCount; i++) if (!select || select(i)) rows.push(decodeRow(table, item, i));
  return rows;
}

/** Every host's stored types, with the per-type columns they share. */
export class InventoryIndex {
  private readonly tables = new Map<string, TypeColumns>();
  private readonly hosts = new Map<string, Map<string, IndexedItem>>();
  private sortedIds: string[] | undefined;

  table(typeName: string): TypeColumns | undefined {
    return this.tables.get(typeName);
  }

  private ensureTable(typeName: string): TypeColumns {
    let table = this.tables.get(typeName);
    if (!table) {
      table = new TypeColumns(typeName);
      this.tables.set(typeName, table);
    }
    return table;
  }

  put(instanceId: string, item: Omit<IndexedItem, 'rowCount' | 'columns'>, rows: readonly InventoryRow[]): IndexedItem {
    const table = this.ensureTable(item.TypeName);
    const indexed: IndexedItem = { ...item, rowCount: rows.length, columns: encodeRows(table, rows) };
    let host = this.hosts.get(instanceId);
    if (!host) {
      host = new Map();
      this.hosts.set(instanceId, host);
      this.sortedIds = undefined;
    }
    host.set(item.TypeName, indexed);
    return indexed;
  }

  get(instanceId: string, typeName: string): IndexedItem | undefined {
    return this.hosts.get(instanceId)?.get(typeName);
  }

  rows(instanceId: string, typeName: string): InventoryRow[] | undefined {
    const item = this.get(instanceId, typeName);
    const table = this.tables.get(typeName);
    return item && table ? decodeRows(table, item) : undefined;
  }

  typesOf(instanceId: string): IndexedItem[] {
    return [...(this.hosts.get(instanceId)?.values() ?? [])];
  }

  remove(instanceId: string, typeName: string): boolean {
    const host = this.hosts.get(instanceId);
    if (!host?.delete(typeName)) return false;
    if (host.size === 0) {
      this.hosts.delete(instanceId);
      this.sortedIds = undefined;
    }
    return true;
  }

  /** Hosts holding this type, in id order. */
  holders(typeName: string): string[] {
    return this.instanceIds().filter((id) => this.hosts.get(id)?.has(typeName));
  }

  instanceIds(): string[] {
    this.sortedIds ??= [...this.hosts.keys()].sort();
    return this.sortedIds;
  }

  typeNames(): string[] {
    const names = new Set<string>();
    for (const host of this.hosts.values()) for (const name of host.keys()) names.add(name);
    return [...names].sort();
  }
}
