import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fromBase64, toBase64 } from '../src/index.js';

describe('encoding', () => {
  it('round-trips random byte strings of every length 0..64 and matches the standard encoding', () => {
    for (let length = 0; length <= 64; length += 1) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = toBase64(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(fromBase64(text), bytes);
    }
  });

  it('encodes a subarray view, not its whole backing buffer', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
    assert.equal(toBase64(backing.subarray(2, 4)), Buffer.from([3, 4]).toString('base64'));
  });

  it('returns a plain Uint8Array', () => {
    assert.equal(Object.getPrototypeOf(fromBase64('AAEC')), Uint8Array.prototype);
  });

  it('rejects characters outside the alphabet, naming the character', () => {
    assert.throws(() => fromBase64('AA$C'), /"\$" at index 2/);
    assert.throws(() => fromBase64('AA C'), /outside the alphabet/);
    assert.throws(() => fromBase64('AA\nC'), /outside the alphabet/);
    assert.throws(() => fromBase64('-_-_'), /outside the alphabet/); // base64url is not base64
  });

  it('rejects bad length, bad padding and non-canonical padding bits', () => {
    assert.throws(() => fromBase64('AAA'), /length|padding/);
    assert.throws(() => fromBase64('A==='), /length|padding/);
    assert.throws(() => fromBase64('AA=A'), /length|padding/);
    assert.throws(() => fromBase64('QR=='), /non-canonical/);
    assert.deepEqual(fromBase64('QQ=='), new Uint8Array([0x41]));
  });

  it('accepts the empty string as zero bytes', () => {
    assert.deepEqual(fromBase64(''), new Uint8Array(0));
  });
});
