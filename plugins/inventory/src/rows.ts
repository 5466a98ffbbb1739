import type { InventoryRow } from './inventory-types.js';

/**
 * A row with its empty optional fields left out, as SSM's agent does (`omitempty`); the `required` ones stay, as
 * "" when unknown. Keys keep the order they are written in, so the JSON text, and with it the hash, is stable.
 */
export function compactRow(fields: Record<string, string | undefined>, required: readonly string[] = []): InventoryRow {
  const row: InventoryRow = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== '') row[key] = value;
    else if (required.includes(key)) row[key] = '';
  }
  return row;
}

/**
 * Rows in a total, deterministic order: by the given keys (case-insensitive, then exact), then by the whole row.
 * The agent hashes the rows in this order, so an unchanged host yields an unchanged hash whatever order the
 * operating system listed things in.
 */
export function sortRows(rows: readonly InventoryRow[], keys: readonly string[]): InventoryRow[] {
  const decorated = rows.map((row) => ({ row, text: JSON.stringify(row) }));
  decorated.sort((a, b) => {
    for (const key of keys) {
      const x = a.row[key] ?? '';
      const y = b.row[key] ?? '';
      const folded = compareText(x.toLowerCase(), y.toLowerCase()) || compareText(x, y);
      if (folded !== 0) return folded;
    }
    return compareText(a.text, b.text);
  });
  return decorated.map((entry) => entry.row);
}

/** Code-unit order: the same on every host, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SSM's CaptureTime format: `yyyy-MM-ddTHH:mm:ssZ` (UTC, no fraction). */
export function captureTime(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * SSM's architecture names: Go's and Debian's `amd64` and `386` become `x86_64` and `i386` (the agent's
 * FormatArchitecture), so one query finds 64-bit x86 packages whether they came from dpkg, rpm or Windows.
 */
export function formatArchitecture(architecture: string): string {
  const lower = architecture.trim().toLowerCase();
  if (lower === 'amd64' || lower === 'x64') return 'x86_64';
  if (lower === '386' || lower === 'x86') return 'i386';
  return lower;
}
