/**
 * rpm's version comparison (rpmvercmp in rpmio/rpmvercmp.c), applied to epoch, version and release in turn:
 * segments of digits compare as numbers and beat letters, letters compare as strings, `~` sorts before anything
 * (even the end) and `^` after the end but before anything else; other characters only separate.
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const alnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);
  while (i < a.length || j < b.length) {
    while (i < a.length && !alnum(a[i]) && a[i] !== '~' && a[i] !== '^') i += 1;
    while (j < b.length && !alnum(b[j]) && b[j] !== '~' && b[j] !== '^') j += 1;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i += 1;
      j += 1;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i += 1;
      j += 1;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = /[0-9]/.test(a[i]!);
    const pattern = numeric ? /^[0-9]+/ : /^[A-Za-z]+/;
    const segA = pattern.exec(a.slice(i))?.[0] ?? '';
    const segB = pattern.exec(b.slice(j))?.[0] ?? '';
    i += segA.length;
    j += segB.length;
    if (segB.length === 0) return numeric ? 1 : -1;
    if (numeric) {
      const x = segA.replace(/^0+/, '');
      const y = segB.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
      if (x !== y) return x > y ? 1 : -1;
    } else if (segA !== segB) {
      return segA > segB ? 1 : -1;
    }
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compares `[epoch:]version-release` strings (epoch 0 when absent). */
export function compareEvr(a: string, b: string): number {
  const split = (evr: string) => {
    const m = /^(?:(\d+):)?(.*?)(?:-([^-]*))?$/.exec(evr)!;
    return { epoch: Number(m[1] ?? 0), version: m[2] ?? '', release: m[3] ?? '' };
  };
  const x = split(a);
  const y = split(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  return rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release);
}

/** Normalizes `[epoch:]version-release` to always carry the epoch (`0:` when absent). */
export function withEpoch(evr: string): string {
  return /^\d+:/.test(evr) ? evr : `0:${evr}`;
}
