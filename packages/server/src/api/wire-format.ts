/** AWS JSON 1.1 carries timestamps as epoch seconds (with a fraction); records keep ISO strings. */
export function epochSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  return Date.parse(iso) / 1000;
}
