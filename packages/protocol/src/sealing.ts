/**
 * Sealing secrets (SecureString parameter values) to one agent with tweetnacl box: x25519 key agreement,
 * xsalsa20 encryption and a poly1305 tag. The envelope's signature already says who sent a message; sealing adds
 * that nobody on the way (broker, logs, spool files) can read the secret and that only the recipient can open it.
 */
import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { fromBase64, toBase64 } from './encoding.js';
import { describeLength } from './keys.js';

export interface BoxKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** Nonce and ciphertext (with its 16-byte tag), both base64. */
export interface Sealed {
  nonce: string;
  box: string;
}

const BOX_KEY_BYTES = nacl.box.publicKeyLength;
const BOX_NONCE_BYTES = nacl.box.nonceLength;

function random(length: number): Uint8Array {
  // node:crypto's CSPRNG rather than tweetnacl's own hook, so one source of randomness is auditable.
  return new Uint8Array(randomBytes(length));
}

/** A fresh x25519 key pair (32-byte keys). */
export function generateBoxKeyPair(): BoxKeyPair {
  return nacl.box.keyPair.fromSecretKey(random(nacl.box.secretKeyLength));
}

function checkKey(what: string, key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== BOX_KEY_BYTES) {
    throw new TypeError(`${what} must be ${BOX_KEY_BYTES} bytes, got ${describeLength(key)}`);
  }
}

/** Encrypts for the recipient under a fresh random 24-byte nonce. Throws on malformed keys. */
export function seal(plaintext: Uint8Array, recipientPublicKey: Uint8Array, senderSecretKey: Uint8Array): Sealed {
  checkKey('recipient public key', recipientPublicKey);
  checkKey('sender secret key', senderSecretKey);
  const nonce = random(BOX_NONCE_BYTES);
  const box = nacl.box(plaintext, nonce, recipientPublicKey, senderSecretKey);
  return { nonce: toBase64(nonce), box: toBase64(box) };
}

/** The plaintext, or null if the box was tampered with, the keys are wrong, or the encoding is bad. */
export function unseal(sealed: Sealed, senderPublicKey: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array | null {
  try {
    if (typeof sealed !== 'object' || sealed === null) return null;
    if (!(senderPublicKey instanceof Uint8Array) || senderPublicKey.length !== BOX_KEY_BYTES) return null;
    if (!(recipientSecretKey instanceof Uint8Array) || recipientSecretKey.length !== BOX_KEY_BYTES) return null;
    const nonce = fromBase64(sealed.nonce);
    if (nonce.length !== BOX_NONCE_BYTES) return null;
    return nacl.box.open(fromBase64(sealed.box), nonce, senderPublicKey, recipientSecretKey);
  } catch {
    return null;
  }
}
