import { randomBytes, randomInt } from 'node:crypto';
import path from 'node:path';
import { readJsonFile, writeJsonFile } from '@tender/local-state';
import { fromBase64, generateBoxKeyPair, generateSigningKeyPair, keyFingerprint, toBase64, type BoxKeyPair, type SigningKeyPair } from '@tender/protocol';

/**
 * Who this control plane is: its account id (for ARNs), its Ed25519 signing keys (agents pin the public
 * one at registration), its box keys (for sealing secrets to agents) and the master key that seals secrets
 * at rest. Created on first start in `DIR/identity.json`, readable by the owner only; never rewritten.
 */
export interface ServerIdentity {
  accountId: string;
  /** The `to` of every agent → control plane message, and the key id of the control plane's signatures. */
  id: string;
  signing: SigningKeyPair;
  box: BoxKeyPair;
  masterKey: Uint8Array;
}

interface IdentityFile {
  format: 1;
  accountId: string;
  signingSecretKey: string;
  boxSecretKey: string;
  boxPublicKey: string;
  masterKey: string;
}

export async function loadOrCreateServerIdentity(dataDir: string): Promise<{ identity: ServerIdentity; created: boolean }> {
  const file = path.join(dataDir, 'identity.json');
  let stored = await readJsonFile<IdentityFile>(file);
  let created = false;
  if (!stored) {
    const signing = generateSigningKeyPair();
    const box = generateBoxKeyPair();
    stored = {
      format: 1,
      // 12 digits like an AWS account, never starting with 0 so tools that parse it as a number keep it.
      accountId: String(randomInt(1, 10)) + String(randomInt(0, 1e11)).padStart(11, '0'),
      signingSecretKey: toBase64(signing.secretKey),
      boxSecretKey: toBase64(box.secretKey),
      boxPublicKey: toBase64(box.publicKey),
      masterKey: toBase64(randomBytes(32)),
    };
    await writeJsonFile(file, stored);
    created = true;
  }
  if (stored.format !== 1 || typeof stored.signingSecretKey !== 'string') {
    throw new Error(`${file} is not a Tender control-plane identity; it was left untouched`);
  }
  const secretKey = fromBase64(stored.signingSecretKey);
  const signing: SigningKeyPair = { secretKey, publicKey: secretKey.slice(32) };
  return {
    created,
    identity: {
      accountId: stored.accountId,
      id: `cp-${keyFingerprint(signing.publicKey)}`,
      signing,
      box: { secretKey: fromBase64(stored.boxSecretKey), publicKey: fromBase64(stored.boxPublicKey) },
      masterKey: fromBase64(stored.masterKey),
    },
  };
}
