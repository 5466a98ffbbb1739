/**
 * Sealing secrets (SecureString parameter values) to one agent with tweetnacl box: x25519 key agreement,
 * xsalsa20 encryption and a poly1305 tag. The envelope's signature already says who sent a message; sealing adds
 * that nobody on the way (broker, logs, spool files) can read the secret and that only the recipient can open it.
 *
 * Sealing does the x25519 step with node:crypto (OpenSSL), about six times faster than tweetnacl's, which
 * matters when one command seals a secret to a thousand agents; the rest is tweetnacl's (HSalsa20 of the shared
 * point, as box.before does, then secretbox), so the bytes are exactly nacl.box's and tweetnacl opens them.
 */
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject } from 'node:crypto';
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

// DER prefixes that wrap a raw 32-byte X25519 key as PKCS#8 / SPKI for node:crypto.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
/** tweetnacl's documented `nacl.lowlevel` (its type declarations leave it out): the HSalsa20 core box.before uses. */
const { crypto_core_hsalsa20: hsalsa20 } = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20(out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array): void } }).lowlevel;
/** HSalsa20's constant, "expand 32-byte k". */
const SIGMA = new Uint8Array([101, 120, 112, 97, 110, 100, 32, 51, 50, 45, 98, 121, 116, 101, 32, 107]);

/** nacl.box.before: HSalsa20 of the x25519 shared point, with the point computed by node:crypto. */
function sharedKey(recipientPublicKey: Uint8Array, sender: KeyObject): Uint8Array {
  const recipient = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, recipientPublicKey]), format: 'der', type: 'spki' });
  // OpenSSL refuses a low-order public key (the shared point would be zero, a key anyone knows): that throws.
  const point = diffieHellman({ privateKey: sender, publicKey: recipient });
  const key = new Uint8Array(32);
  hsalsa20(key, new Uint8Array(16), new Uint8Array(point), SIGMA);
  point.fill(0);
  return key;
}

/**
 * A sealer for one sender key, for sealing to many recipients: `(plaintext, recipientPublicKey) => Sealed`, each
 * under a fresh random 24-byte nonce. Throws on malformed keys and on a low-order recipient key.
 */
export function createSealer(senderSecretKey: Uint8Array): (plaintext: Uint8Array, recipientPublicKey: Uint8Array) => Sealed {
  checkKey('sender secret key', senderSecretKey);
  const sender = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, senderSecretKey]), format: 'der', type: 'pkcs8' });
  return (plaintext, recipientPublicKey) => {
    checkKey('recipient public key', recipientPublicKey);
    const key = sharedKey(recipientPublicKey, sender);
    const nonce = random(BOX_NONCE_BYTES);
    const box = nacl.secretbox(plaintext, nonce, key);
    key.fill(0);
    return { nonce: toBase64(nonce), box: toBase64(box) };
  };
}

/** Encrypts for the recipient under a fresh random 24-byte nonce. Throws on malformed keys. */
export function seal(plaintext: Uint8Array, recipientPublicKey: Uint8Array, senderSecretKey: Uint8Array): Sealed {
  checkKey('recipient public key', recipientPublicKey);
  return createSealer(senderSecretKey)(plaintext, recipientPublicKey);
}

/** tweetnacl's own nacl.box, the reference seal() is measured and checked against (under `nonce` when given). */
export function naclSeal(plaintext: Uint8Array, recipientPublicKey: Uint8Array, senderSecretKey: Uint8Array, nonce: Uint8Array = random(BOX_NONCE_BYTES)): Sealed {
  checkKey('recipient public key', recipientPublicKey);
  checkKey('sender secret key', senderSecretKey);
  return { nonce: toBase64(nonce), box: toBase64(nacl.box(plaintext, nonce, recipientPublicKey, senderSecretKey)) };
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
