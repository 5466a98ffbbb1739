import path from 'node:path';
import { readJsonFile, writeJsonFile } from '@tender/local-state';
import { fromBase64, type BoxKeyPair, type SigningKeyPair } from '@tender/protocol';

/** Everything the agent is and trusts, written once at registration to `<state-dir>/identity.json` (0600). */
export interface AgentIdentityFile {
  format: 1;
  instanceId: string;
  region: string;
  accountId: string;
  endpoint: string;
  name?: string;
  registeredAt: string;
  keys: { signingSecretKey: string; boxSecretKey: string; boxPublicKey: string };
  /** The control plane's keys, pinned at registration: nothing signed by another key is obeyed. */
  controlPlane: { id: string; publicKey: string; boxPublicKey: string };
  transport: { name: string; settings: Record<string, unknown> };
  heartbeatSeconds: number;
}

export interface AgentIdentity {
  file: AgentIdentityFile;
  signing: SigningKeyPair;
  box: BoxKeyPair;
  controlPlaneKey: Uint8Array;
}

export const IDENTITY_FILE = 'identity.json';

export function identityPath(stateDir: string): string {
  return path.join(stateDir, IDENTITY_FILE);
}

export class NotRegisteredError extends Error {
  constructor(stateDir: string) {
    super(`this agent is not registered (no ${identityPath(stateDir)}): run tender-agent register --endpoint URL --id ACTIVATION_ID --code ACTIVATION_CODE`);
    this.name = 'NotRegisteredError';
  }
}

/** Read and check the identity; a corrupt file is reported (StateFileError) and never rewritten. */
export async function loadIdentity(stateDir: string): Promise<AgentIdentity> {
  const file = identityPath(stateDir);
  const stored = await readJsonFile<AgentIdentityFile>(file);
  if (!stored) throw new NotRegisteredError(stateDir);
  const missing = ['instanceId', 'keys', 'controlPlane', 'transport'].filter((k) => !(k in stored));
  if (stored.format !== 1 || missing.length) {
    throw new Error(`${file} is not a valid agent identity${missing.length ? ` (missing ${missing.join(', ')})` : ''}; it was left untouched: restore it or re-register with --force`);
  }
  const secretKey = fromBase64(stored.keys.signingSecretKey);
  return {
    file: stored,
    signing: { secretKey, publicKey: secretKey.slice(32) },
    box: { secretKey: fromBase64(stored.keys.boxSecretKey), publicKey: fromBase64(stored.keys.boxPublicKey) },
    controlPlaneKey: fromBase64(stored.controlPlane.publicKey),
  };
}

export async function saveIdentity(stateDir: string, identity: AgentIdentityFile): Promise<void> {
  await writeJsonFile(identityPath(stateDir), identity, 0o600);
}
