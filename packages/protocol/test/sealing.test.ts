import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { createSealer, fromBase64, generateBoxKeyPair, naclSeal, seal, toBase64, unseal } from '../src/index.js';
import type { Sealed } from '../src/index.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('sealing', () => {
  const agent = generateBoxKeyPair();
  const control = generateBoxKeyPair();

  it('generates 32-byte x25519 pairs consistent with tweetnacl', () => {
    assert.equal(agent.publicKey.length, 32);
    assert.equal(agent.secretKey.length, 32);
    assert.deepEqual(nacl.box.keyPair.fromSecretKey(agent.secretKey).publicKey, agent.publicKey);
    assert.notDeepEqual(generateBoxKeyPair().secretKey, agent.secretKey);
  });

  it('round-trips, with a fresh 24-byte nonce each time', () => {
    const secret = text('hunter2 \u00e9\u{1F511}');
    const first = seal(secret, agent.publicKey, control.secretKey);
    const second = seal(secret, agent.publicKey, control.secretKey);
    assert.equal(fromBase64(first.nonce).length, 24);
    assert.notEqual(first.nonce, second.nonce);
    assert.notEqual(first.box, second.box);
    assert.deepEqual(unseal(first, control.publicKey, agent.secretKey), secret);
    assert.deepEqual(unseal(second, control.publicKey, agent.secretKey), secret);
    const big = new Uint8Array(randomBytes(10000));
    assert.deepEqual(unseal(seal(big, agent.publicKey, control.secretKey), control.publicKey, agent.secretKey), big);
    assert.deepEqual(unseal(seal(new Uint8Array(0), agent.publicKey, control.secretKey), control.publicKey, agent.secretKey), new Uint8Array(0));
  });

  it('writes exactly nacl.box\'s bytes (x25519 by node:crypto), for one recipient or many from one sealer', () => {
    const sealer = createSealer(control.secretKey);
    for (const recipient of [agent, generateBoxKeyPair(), generateBoxKeyPair()]) {
      const secret = text(`for ${toBase64(recipient.publicKey)}`);
      const sealed = sealer(secret, recipient.publicKey);
      const nonce = fromBase64(sealed.nonce);
      assert.deepEqual(fromBase64(sealed.box), nacl.box(secret, nonce, recipient.publicKey, control.secretKey));
      assert.equal(naclSeal(secret, recipient.publicKey, control.secretKey, nonce).box, sealed.box);
      assert.deepEqual(unseal(sealed, control.publicKey, recipient.secretKey), secret);
    }
  });

  it('refuses to seal to a low-order key (its shared secret would be known to anyone)', () => {
    assert.throws(() => seal(text('secret'), new Uint8Array(32), control.secretKey));
    assert.throws(() => createSealer(control.secretKey)(text('secret'), new Uint8Array(32).fill(0).map((_, i) => (i === 0 ? 1 : 0))));
  });

  it('returns null for a tampered box or nonce', () => {
    const sealed = seal(text('secret'), agent.publicKey, control.secretKey);
    const box = fromBase64(sealed.box);
    for (let i = 0; i < box.length; i += 1) {
      const flipped = box.slice();
      flipped[i] = (flipped[i] as number) ^ 0x01;
      assert.equal(unseal({ nonce: sealed.nonce, box: toBase64(flipped) }, control.publicKey, agent.secretKey), null, `byte ${i}`);
    }
    const nonce = fromBase64(sealed.nonce);
    nonce[0] = (nonce[0] as number) ^ 0x01;
    assert.equal(unseal({ nonce: toBase64(nonce), box: sealed.box }, control.publicKey, agent.secretKey), null);
    assert.equal(unseal({ nonce: sealed.nonce, box: toBase64(box.subarray(0, 15)) }, control.publicKey, agent.secretKey), null);
  });

  it('returns null for the wrong keys', () => {
    const sealed = seal(text('secret'), agent.publicKey, control.secretKey);
    const stranger = generateBoxKeyPair();
    assert.equal(unseal(sealed, control.publicKey, stranger.secretKey), null, 'wrong recipient');
    assert.equal(unseal(sealed, stranger.publicKey, agent.secretKey), null, 'wrong sender');
    assert.equal(unseal(sealed, control.publicKey, agent.secretKey.subarray(0, 31)), null, 'short key');
  });

  it('returns null for bad base64 or a wrong-size nonce', () => {
    const sealed = seal(text('secret'), agent.publicKey, control.secretKey);
    assert.equal(unseal({ nonce: `${sealed.nonce.slice(0, -1)}!`, box: sealed.box }, control.publicKey, agent.secretKey), null);
    assert.equal(unseal({ nonce: sealed.nonce, box: `*${sealed.box}` }, control.publicKey, agent.secretKey), null);
    assert.equal(unseal({ nonce: toBase64(new Uint8Array(16)), box: sealed.box }, control.publicKey, agent.secretKey), null);
    assert.equal(unseal({ box: sealed.box } as unknown as Sealed, control.publicKey, agent.secretKey), null);
  });

  it('seal throws a clear error on malformed keys', () => {
    assert.throws(() => seal(text('x'), new Uint8Array(31), control.secretKey), /recipient public key must be 32 bytes/);
    assert.throws(() => seal(text('x'), agent.publicKey, new Uint8Array(64)), /sender secret key must be 32 bytes/);
  });
});
