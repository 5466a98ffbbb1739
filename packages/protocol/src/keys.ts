/**
 * Ed25519 key material in the raw form tweetnacl defines: a 32-byte public key and a 64-byte secret key that is
 * the 32-byte seed followed by the public key. Keys are stored and exchanged in this form; node:crypto only
 * understands DER, so this file also holds the DER wrapping used by the signing hot path.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface SigningKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export const SIGNING_SEED_BYTES = 32;
export const SIGNING_PUBLIC_KEY_BYTES = 32;
export const SIGNING_SECRET_KEY_BYTES = 64;
export const SIGNATURE_BYTES = 64;

// Fixed ASN.1 headers (RFC 8410): for Ed25519 the DER encodings of a raw seed/public key are a constant prefix
// followed by the 32 raw bytes, so wrapping is a concatenation rather than an ASN.1 encoder.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** node:crypto private key for a raw 32-byte seed. */
export function privateKeyObjectFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** node:crypto public key for a raw 32-byte public key. */
export function publicKeyObjectFromRaw(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** Raw 32-byte public key of a node:crypto Ed25519 key (private or public). */
export function rawPublicKeyOf(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  // DER, not JWK: Node 20's JWK export of an Ed25519 key can deadlock against the garbage collector (seen here:
  // a test process hung in ExportJWKEdKey while GC finalised a key-generation job holding the same key's lock).
  const der = publicKey.export({ format: 'der', type: 'spki' });
  if (der.length !== SPKI_ED25519_PREFIX.length + SIGNING_PUBLIC_KEY_BYTES || !der.subarray(0, SPKI_ED25519_PREFIX.length).equals(SPKI_ED25519_PREFIX)) {
    throw new Error('not an Ed25519 public key');
  }
  return new Uint8Array(der.subarray(SPKI_ED25519_PREFIX.length));
}

function pairFrom(seed: Uint8Array, publicKey: Uint8Array): SigningKeyPair {
  const secretKey = new Uint8Array(SIGNING_SECRET_KEY_BYTES);
  secretKey.set(seed, 0);
  secretKey.set(publicKey, SIGNING_SEED_BYTES);
  return { publicKey, secretKey };
}

/** A fresh key pair from a seed out of node:crypto's CSPRNG (an Ed25519 seed is any 32 random bytes). */
export function generateSigningKeyPair(): SigningKeyPair {
  return signingKeyPairFromSeed(randomBytes(SIGNING_SEED_BYTES));
}

/** The key pair for a 32-byte seed; identical to tweetnacl's `nacl.sign.keyPair.fromSeed`. */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== SIGNING_SEED_BYTES) {
    throw new TypeError(`Ed25519 seed must be ${SIGNING_SEED_BYTES} bytes, got ${describeLength(seed)}`);
  }
  const publicKey = rawPublicKeyOf(privateKeyObjectFromSeed(seed));
  return pairFrom(new Uint8Array(seed), publicKey);
}

/**
 * Short, stable name for a public key (first 16 hex chars of its SHA-256), for logs, audit events and key ids.
 * 64 bits is enough to tell keys apart at a glance; it is not meant to authenticate anything.
 */
export function keyFingerprint(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

export function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : `a ${typeof value}`;
}
