/**
 * Ed25519 signatures over raw tweetnacl-format keys. node:crypto (OpenSSL) does the real work because it is two
 * orders of magnitude faster than tweetnacl; Ed25519 is deterministic, so both produce the same bytes and the
 * tweetnacl functions stay available for compatibility tests and the benchmark.
 */
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import {
  SIGNATURE_BYTES,
  SIGNING_PUBLIC_KEY_BYTES,
  SIGNING_SECRET_KEY_BYTES,
  SIGNING_SEED_BYTES,
  describeLength,
  privateKeyObjectFromSeed,
  publicKeyObjectFromRaw,
  rawPublicKeyOf,
} from './keys.js';

/**
 * Importing a DER key costs about as much as a signature, so KeyObjects are cached by their raw bytes. The bound
 * keeps a control plane that sees a very large fleet from growing without limit; eviction is first-in-first-out,
 * which is enough because a miss only costs one re-import.
 */
class KeyObjectCache {
  private readonly entries = new Map<string, KeyObject>();

  constructor(private readonly maxEntries: number) {}

  get(id: string): KeyObject | undefined {
    return this.entries.get(id);
  }

  set(id: string, key: KeyObject): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, key);
  }
}

// A process holds few secret keys (its own; one per simulated agent in the fleet simulator, up to 10,000 in its
// benchmark: a smaller cache, used in turn by each of them, would miss every time) but may verify for every agent.
const privateKeys = new KeyObjectCache(16384);
const publicKeys = new KeyObjectCache(16384);

function cacheId(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function checkSecretKey(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SIGNING_SECRET_KEY_BYTES) {
    throw new TypeError(`Ed25519 secret key must be ${SIGNING_SECRET_KEY_BYTES} bytes, got ${describeLength(secretKey)}`);
  }
}

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  const id = cacheId(secretKey);
  const cached = privateKeys.get(id);
  if (cached) return cached;
  const key = privateKeyObjectFromSeed(secretKey.subarray(0, SIGNING_SEED_BYTES));
  // OpenSSL signs from the seed alone while tweetnacl hashes in the stored public half, so a secret key whose
  // halves disagree (a corrupted key file) would make the two disagree; refuse it instead of signing garbage.
  if (!sameBytes(rawPublicKeyOf(key), secretKey.subarray(SIGNING_SEED_BYTES))) {
    throw new Error('Ed25519 secret key is inconsistent: its last 32 bytes are not the public key of its seed');
  }
  privateKeys.set(id, key);
  return key;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = cacheId(publicKey);
  const cached = publicKeys.get(id);
  if (cached) return cached;
  const key = publicKeyObjectFromRaw(publicKey);
  publicKeys.set(id, key);
  return key;
}

function plain(bytes: Buffer): Uint8Array {
  // Callers compare signatures with tweetnacl's, which are plain Uint8Arrays; a Buffer would not deep-equal one.
  return new Uint8Array(bytes);
}

/** Detached Ed25519 signature (64 bytes) via node:crypto. Throws on a malformed secret key. */
export function sign(data: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return plain(cryptoSign(null, data, privateKeyObject(secretKey)));
}

/** True only for a valid signature; false (never an exception) for wrong lengths or unusable keys. */
export function verify(data: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== SIGNING_PUBLIC_KEY_BYTES) return false;
  try {
    return cryptoVerify(null, data, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** tweetnacl's detached signature: the reference implementation, slow; for tests and the benchmark. */
export function naclSign(data: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return nacl.sign.detached(data, secretKey);
}

/** tweetnacl's detached verification; false (never an exception) for wrong lengths. */
export function naclVerify(data: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== SIGNING_PUBLIC_KEY_BYTES) return false;
  try {
    return nacl.sign.detached.verify(data, signature, publicKey);
  } catch {
    return false;
  }
}
