/**
 * Base64 as used on the wire (standard alphabet, padded). Decoding is strict because Node's own decoder
 * silently skips characters it does not know: a lenient decoder would let many different strings stand for
 * the same bytes, which hides corruption and makes signatures malleable in transit.
 */

const BASE64_CHAR = /[^A-Za-z0-9+/=]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  // A view, not a copy: the bytes are only read.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes padded standard base64; throws a TypeError naming the problem on anything else. */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`base64 input must be a string, got ${typeof text}`);
  if (!BASE64.test(text)) {
    const bad = BASE64_CHAR.exec(text);
    if (bad) {
      throw new TypeError(`invalid base64: character ${JSON.stringify(bad[0])} at index ${bad.index} is outside the alphabet`);
    }
    throw new TypeError(`invalid base64: length ${text.length} or padding is wrong`);
  }
  const decoded = Buffer.from(text, 'base64');
  // The pattern admits non-zero padding bits ("QR==" and "QQ==" both decode to "A"); only the canonical
  // spelling is accepted so that one byte string has exactly one encoding.
  if (decoded.toString('base64') !== text) throw new TypeError('invalid base64: non-canonical padding bits');
  // A plain Uint8Array (copied out of Buffer's shared pool), so callers compare and keep it like any other.
  return new Uint8Array(decoded);
}
