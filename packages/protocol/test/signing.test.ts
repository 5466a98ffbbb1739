import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import {
  generateSigningKeyPair,
  keyFingerprint,
  naclSign,
  naclVerify,
  sign,
  signingKeyPairFromSeed,
  verify,
} from '../src/index.js';

function randomMessage(): Uint8Array {
  return new Uint8Array(randomBytes(Math.floor(Math.random() * 1024)));
}

describe('keys', () => {
  it('derives the same key pair from a seed as tweetnacl', () => {
    for (let i = 0; i < 50; i += 1) {
      const seed = new Uint8Array(randomBytes(32));
      const ours = signingKeyPairFromSeed(seed);
      const theirs = nacl.sign.keyPair.fromSeed(seed);
      assert.deepEqual(ours.publicKey, theirs.publicKey);
      assert.deepEqual(ours.secretKey, theirs.secretKey);
    }
  });

  it('generates tweetnacl-shaped pairs: 32-byte public key, 64-byte secret key = seed || public key', () => {
    const pair = generateSigningKeyPair();
    assert.equal(pair.publicKey.length, 32);
    assert.equal(pair.secretKey.length, 64);
    assert.deepEqual(pair.secretKey.subarray(32), pair.publicKey);
    const rebuilt = nacl.sign.keyPair.fromSeed(pair.secretKey.slice(0, 32));
    assert.deepEqual(rebuilt.publicKey, pair.publicKey);
    assert.notDeepEqual(generateSigningKeyPair().publicKey, pair.publicKey);
  });

  it('rejects seeds of the wrong length', () => {
    assert.throws(() => signingKeyPairFromSeed(new Uint8Array(31)), /32 bytes, got 31 bytes/);
    assert.throws(() => signingKeyPairFromSeed(new Uint8Array(64)), TypeError);
  });

  it('fingerprints a key as the first 16 hex chars of its sha256', () => {
    const { publicKey } = generateSigningKeyPair();
    const expected = createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
    assert.equal(keyFingerprint(publicKey), expected);
    assert.match(keyFingerprint(publicKey), /^[0-9a-f]{16}$/);
    assert.notEqual(keyFingerprint(generateSigningKeyPair().publicKey), expected);
  });
});

describe('signing', () => {
  it('node:crypto and tweetnacl signatures are byte-identical and cross-verify', function () {
    this.timeout(30000);
    for (let k = 0; k < 4; k += 1) {
      const pair = generateSigningKeyPair();
      for (let i = 0; i < 25; i += 1) {
        const data = randomMessage();
        const fast = sign(data, pair.secretKey);
        const reference = naclSign(data, pair.secretKey);
        assert.equal(fast.length, 64);
        assert.deepEqual(fast, reference);
        assert.equal(verify(data, reference, pair.publicKey), true, 'node:crypto verifies a tweetnacl signature');
        assert.equal(naclVerify(data, fast, pair.publicKey), true, 'tweetnacl verifies a node:crypto signature');
        assert.equal(nacl.sign.detached.verify(data, fast, pair.publicKey), true);
      }
    }
  });

  it('signs the same for a secret key built by tweetnacl and one built here', () => {
    const seed = new Uint8Array(randomBytes(32));
    const data = randomMessage();
    assert.deepEqual(sign(data, nacl.sign.keyPair.fromSeed(seed).secretKey), sign(data, signingKeyPairFromSeed(seed).secretKey));
  });

  it('returns plain Uint8Arrays', () => {
    const pair = generateSigningKeyPair();
    assert.equal(Object.getPrototypeOf(sign(new Uint8Array(3), pair.secretKey)), Uint8Array.prototype);
  });

  it('rejects a flipped bit in the data, the signature or the key, in both implementations', () => {
    const pair = generateSigningKeyPair();
    const data = new Uint8Array(randomBytes(100));
    const signature = sign(data, pair.secretKey);
    const flippedData = data.slice();
    flippedData[17] = (flippedData[17] as number) ^ 0x01;
    const flippedSignature = signature.slice();
    flippedSignature[5] = (flippedSignature[5] as number) ^ 0x80;
    const other = generateSigningKeyPair().publicKey;
    for (const check of [verify, naclVerify]) {
      assert.equal(check(data, signature, pair.publicKey), true);
      assert.equal(check(flippedData, signature, pair.publicKey), false);
      assert.equal(check(data, flippedSignature, pair.publicKey), false);
      assert.equal(check(data, signature, other), false);
    }
  });

  it('verify returns false, never throws, on wrong lengths', () => {
    const pair = generateSigningKeyPair();
    const data = new Uint8Array([1, 2, 3]);
    const signature = sign(data, pair.secretKey);
    for (const check of [verify, naclVerify]) {
      assert.equal(check(data, signature.subarray(0, 63), pair.publicKey), false);
      assert.equal(check(data, new Uint8Array(65), pair.publicKey), false);
      assert.equal(check(data, signature, pair.publicKey.subarray(0, 31)), false);
      assert.equal(check(data, signature, new Uint8Array(0)), false);
      assert.equal(check(data, signature, pair.secretKey), false);
    }
  });

  it('sign throws a clear error for a malformed or inconsistent secret key', () => {
    const pair = generateSigningKeyPair();
    assert.throws(() => sign(new Uint8Array(1), pair.secretKey.subarray(0, 32)), /64 bytes, got 32 bytes/);
    assert.throws(() => naclSign(new Uint8Array(1), new Uint8Array(10)), /64 bytes, got 10 bytes/);
    const mismatched = pair.secretKey.slice();
    mismatched.set(generateSigningKeyPair().publicKey, 32);
    assert.throws(() => sign(new Uint8Array(1), mismatched), /inconsistent/);
  });

  it('keeps working across many distinct keys (bounded key cache)', () => {
    const data = new Uint8Array([9, 9, 9]);
    const pairs = Array.from({ length: 100 }, () => generateSigningKeyPair());
    for (let round = 0; round < 2; round += 1) {
      for (const pair of pairs) assert.equal(verify(data, sign(data, pair.secretKey), pair.publicKey), true);
    }
  });
});
