/**
 * IAM's wildcard patterns: `*` matches any run of characters (including none, and including `:` and `/`),
 * `?` matches exactly one character, everything else is literal. Actions compare case-insensitively,
 * resources (ARNs) case-sensitively, so the caller says which.
 *
 * A linear greedy matcher rather than a RegExp: a pattern with many stars compiled to `.*.*.*` can
 * backtrack for a very long time on a long resource name, and patterns come from user-written policies.
 */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (pattern === '*') return true;
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1; // position of the last `*` seen in the pattern
  let resume = 0; // where in the value that `*` currently stops
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = vi;
    } else if (star >= 0) {
      // Let the last star swallow one more character and retry from just after it.
      pi = star + 1;
      vi = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
