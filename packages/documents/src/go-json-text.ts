/**
 * JSON text as Go's json.Marshal writes it, because that is how SSM Agent splices a non-string parameter value
 * into a longer string: `"echo {{ list }}"` with list ["a", "b"] becomes `echo ["a","b"]`. Go sorts map keys,
 * writes no spaces, and escapes <, > and & (and U+2028, U+2029) for safe embedding in HTML; the same text is
 * produced here so a document gives the same script on Tender as on AWS.
 */
import type { JsonValue } from './json-value.js';

export function goJsonText(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') return goString(value);
  if (Array.isArray(value)) return `[${value.map(goJsonText).join(',')}]`;
  const keys = Object.keys(value).sort(compareUtf8);
  return `{${keys.map((key) => `${goString(key)}:${goJsonText(value[key]!)}`).join(',')}}`;
}

function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go compares map keys as byte strings; for UTF-8 that is code point order, not UTF-16 unit order. */
function compareUtf8(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
