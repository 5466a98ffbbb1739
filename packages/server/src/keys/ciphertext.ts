/**
 * The ciphertext blob of a SecureString value, the way KMS's CiphertextBlob names its key inside itself: the
 * blob alone says which key and key version opens it, so a stored value needs no separate key reference to be
 * decrypted, and rotation leaves old blobs readable.
 *
 * Layout (then base64): 'T' 'K' 1 (format) | 16-byte key id (the uuid's bytes) | 4-byte key version (big
 * endian) | 24-byte nonce | tweetnacl secretbox of the plaintext (xsalsa20-poly1305, 16-byte tag).
 */
import nacl from 'tweetnacl';

const MAGIC = [0x54, 0x4b, 0x01];
const HEADER = MAGIC.length + 16 + 4 + nacl.secretbox.nonceLength;

export interface BlobHeader {
  keyId: string;
  keyVersion: number;
}

function uuidBytes(uuid: string): Uint8Array {
  return Uint8Array.from(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

function uuidOf(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function sealBlob(plaintext: Uint8Array, key: Uint8Array, header: BlobHeader): string {
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  const box = nacl.secretbox(plaintext, nonce, key);
  const out = new Uint8Array(HEADER + box.length);
  out.set(MAGIC, 0);
  out.set(uuidBytes(header.keyId), MAGIC.length);
  new DataView(out.buffer).setUint32(MAGIC.length + 16, header.keyVersion);
  out.set(nonce, MAGIC.length + 20);
  out.set(box, HEADER);
  return Buffer.from(out).toString('base64');
}

/** The key a blob names, or undefined when the text is not a blob of this format. */
export function blobHeader(blob: string): BlobHeader | undefined {
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < HEADER + nacl.secretbox.overheadLength || MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  return { keyId: uuidOf(bytes.subarray(MAGIC.length, MAGIC.length + 16)), keyVersion: bytes.readUInt32BE(MAGIC.length + 16) };
}

/** The plaintext, or undefined when the blob does not open under this key (altered, or the wrong key). */
export function openBlob(blob: string, key: Uint8Array): Uint8Array | undefined {
  const bytes = Uint8Array.from(Buffer.from(blob, 'base64'));
  const opened = nacl.secretbox.open(bytes.subarray(HEADER), bytes.subarray(MAGIC.length + 20, HEADER), key);
  return opened ?? undefined;
}
