/**
 * What changed between two uploads of one type: rows added, removed, and changed (same identity, other values).
 * Identical rows are matched first (as a multiset: a host may list the same row twice); the rest are paired by
 * the type's identity attributes (ROW_KEYS: Name and Architecture for applications, ...) in order, and whatever
 * has no partner is added or removed. Custom types have no identity attributes, so they diff by whole rows.
 */
import type { InventoryRow } from './inventory-records.js';
import { ROW_KEYS } from './inventory-schemas.js';

export interface RowDiff {
  added: InventoryRow[];
  removed: InventoryRow[];
  changed: Array<{ before: InventoryRow; after: InventoryRow }>;
}

/** Canonical text of a row (attribute order does not make two rows different). */
function rowText(row: InventoryRow): string {
  return JSON.stringify(Object.keys(row).sort().map((name) => [name, row[name]]));
}

export function diffRows(typeName: string, before: readonly InventoryRow[], after: readonly InventoryRow[]): RowDiff {
  const unmatched = new Map<string, InventoryRow[]>();
  for (const row of before) {
    const text = rowText(row);
    const list = unmatched.get(text);
    if (list) list.push(row);
    else unmatched.set(text, [row]);
  }
  const fresh: InventoryRow[] = [];
  for (const row of after) {
    const same = unmatched.get(rowText(row));
    if (same && same.length > 0) same.pop();
    else fresh.push(row);
  }
  const gone = [...unmatched.values()].flat();
  const keys = ROW_KEYS[typeName];
  if (!keys) return { added: fresh, removed: gone, changed: [] };

  const identity = (row: InventoryRow) => JSON.stringify(keys.map((key) => row[key] ?? null));
  const goneByIdentity = new Map<string, InventoryRow[]>();
  for (const row of gone) {
    const id = identity(row);
    const list = goneByIdentity.get(id);
    if (list) list.push(row);
    else goneByIdentity.set(id, [row]);
  }
  const diff: RowDiff = { added: [], removed: [], changed: [] };
  for (const row of fresh) {
    const partner = goneByIdentity.get(identity(row))?.shift();
    if (partner) diff.changed.push({ before: partner, after: row });
    else diff.added.push(row);
  }
  diff.removed = [...goneByIdentity.values()].flat();
  return diff;
}
