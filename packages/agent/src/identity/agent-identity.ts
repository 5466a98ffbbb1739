import path from 'node:path';
import { readJsonFile, StateFileError, writeJsonFile } from '@tender/local-state';
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
  const stored = await readJsonFile<unknown>(file);
  if (stored === undefined) throw new NotRegisteredError(stateDir);
  const invalid = (why: string) =>
    new StateFileError(file, `${file} is not a valid agent identity (${why}); it was left untouched: restore it or re-register with --force`);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw invalid('not a JSON object');
  const missing = ['instanceId', 'keys', 'controlPlane', 'transport'].filter((k) => !(k in stored));
  if (missing.length) throw invalid(`missing ${missing.join(', ')}`);
  const identity = stored as AgentIdentityFile;
  if (identity.format !== 1) throw invalid(`format ${JSON.stringify(identity.format)}, expected 1`);
  const key = (what: string, value: string, bytes: number): Uint8Array => {
    let decoded: Uint8Array;
    try {
      decoded = fromBase64(value);
    } catch (error) {
      throw invalid(`${what}: ${(error as Error).message}`);
    }
    if (decoded.length !== bytes) throw invalid(`${what} has ${decoded.length} bytes, expected ${bytes}`);
    return decoded;
  };
  const secretKey = key('keys.signingSecretKey', identity.keys?.signingSecretKey, 64);
  return {
    file: identity,
    signing: { secretKey, publicKey: secretKey.slice(32) },
    box: { secretKey: key('keys.boxSecretKey', identity.keys?.boxSecretKey, 32), publicKey: key('keys.boxPublicKey', identity.keys?.boxPublicKey, 32) },
    controlPlaneKey: key('controlPlane.publicKey', identity.controlPlane?.publicKey, 32),
  };
}

export async function saveIdentity(stateDir: string, identity: AgentIdentityFile): Promise<void> {
  await writeJsonFile(identityPath(stateDir), identity, 0o600);
}
