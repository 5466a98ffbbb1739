/** Plain aligned columns for humans; --json is for scripts. */
export function renderTable(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cell = (value: unknown): string => (value === undefined || value === null ? '-' : value instanceof Date ? value.toISOString() : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), ...rows.map((row) => line(columns.map((column) => cell(row[column]))))].join('\n');
}
