import nacl from 'tweetnacl';
import { fromBase64, toBase64 } from '@tender/protocol';

/** A secret at rest: tweetnacl secretbox (xsalsa20-poly1305) under the control plane's master key. */
export interface SealedSecret {
  nonce: string;
  box: string;
}

export function sealSecret(plaintext: string, masterKey: Uint8Array): SealedSecret {
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  return { nonce: toBase64(nonce), box: toBase64(nacl.secretbox(new TextEncoder().encode(plaintext), nonce, masterKey)) };
}

export function openSecret(sealed: SealedSecret, masterKey: Uint8Array): string {
  const opened = nacl.secretbox.open(fromBase64(sealed.box), fromBase64(sealed.nonce), masterKey);
  if (!opened) throw new Error('a sealed secret does not open under the master key: the store or identity.json was altered');
  return new TextDecoder().decode(opened);
}
