/**
 * Ordering for GetInventory's LessThan / GreaterThan.
 *
 * Rules (say them in one place, because operators ask "which hosts have openssl older than 3.0.7?"):
 * - An attribute whose name ends in `Version` (AWS:Application.Version, AWS:InstanceInformation.AgentVersion,
 *   Custom:X.Version, ...) compares as a package version, the way dpkg does and rpm nearly does:
 *   `[epoch:]upstream[-revision]`; epochs compare as numbers (absent = 0), then upstream, then revision
 *   (absent = empty). Within upstream and revision, runs of digits compare as numbers (`3.0.2` < `3.0.10`) and
 *   runs of other characters compare character by character, letters before other characters, and `~` before
 *   anything, even the end (`1.0~rc1` < `1.0`), as in Debian policy. rpm's separate Epoch and Release
 *   attributes are not folded in: the comparison reads the one attribute the filter names.
 * - Any other attribute: when both sides are decimal numbers they compare as numbers (`9` < `10`); otherwise the
 *   same version ordering applies, which is a natural sort for ordinary text.
 */
export function isVersionAttribute(attribute: string): boolean {
  return /version$/i.test(attribute);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Negative, zero or positive as `a` sorts before, with or after `b`, for the attribute named. */
export function compareAttributeValues(attribute: string, a: string, b: string): number {
  if (!isVersionAttribute(attribute) && DECIMAL.test(a.trim()) && DECIMAL.test(b.trim())) return Math.sign(Number(a) - Number(b));
  return compareVersions(a, b);
}

interface ParsedVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parseVersion(text: string): ParsedVersion {
  let rest = text.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash > 0) return { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
  return { epoch, upstream: rest, revision: '' };
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** dpkg's character order: `~` first (before the end), then the end, then letters, then everything else. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  if (isLetter(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternate non-digit runs (by `order`) and digit runs (as numbers). */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = order(a[i]) - order(b[j]);
      if (difference !== 0) return Math.sign(difference);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDifference = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDifference !== 0) return Math.sign(firstDifference);
  }
  return 0;
}
