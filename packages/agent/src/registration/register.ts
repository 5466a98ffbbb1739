import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, readJsonFile } from '@tender/local-state';
import { fromBase64, generateBoxKeyPair, generateSigningKeyPair, isValidInstanceId, toBase64 } from '@tender/protocol';
import { identityPath, saveIdentity, type AgentIdentityFile } from '../identity/agent-identity.js';
import { postJson } from './post-json.js';

export interface RegisterOptions {
  endpoint: string;
  activationId: string;
  activationCode: string;
  stateDir: string;
  name?: string;
  /** PEM of the CA of an https:// endpoint with a private certificate. */
  ca?: string;
  /** Replace an existing identity (the old file is kept beside it as identity.json.replaced-<time>). */
  force?: boolean;
}

/** The answer of POST /tender/v1/register (see @tender/server's RegistrationResponse). */
interface RegistrationAnswer {
  instanceId: string;
  region: string;
  accountId: string;
  controlPlane: { id: string; publicKey: string; boxPublicKey: string };
  transport: { name: string; settings: Record<string, unknown> };
  heartbeatSeconds: number;
}

/** Check the answer before anything is written or moved aside: a half identity would only fail later. */
function checkAnswer(answer: unknown, url: string): RegistrationAnswer {
  const object = (value: unknown) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
  const key32 = (value: unknown) => {
    try {
      return typeof value === 'string' && fromBase64(value).length === 32;
    } catch {
      return false;
    }
  };
  const a = object(answer) ?? {};
  const controlPlane = object(a.controlPlane);
  const transport = object(a.transport);
  const problems = [
    typeof a.instanceId === 'string' && isValidInstanceId(a.instanceId) ? '' : 'instanceId',
    typeof controlPlane?.id === 'string' && controlPlane.id ? '' : 'controlPlane.id',
    key32(controlPlane?.publicKey) ? '' : 'controlPlane.publicKey',
    key32(controlPlane?.boxPublicKey) ? '' : 'controlPlane.boxPublicKey',
    typeof transport?.name === 'string' && transport.name ? '' : 'transport.name',
    object(transport?.settings) ? '' : 'transport.settings',
  ].filter(Boolean);
  if (problems.length) {
    throw new Error(`${url} answered with something that is not a registration (missing or invalid: ${problems.join(', ')}): is it a Tender control plane?`);
  }
  return answer as RegistrationAnswer;
}

/**
 * Register this host with a hybrid activation: generate the agent's key pairs here (the private halves never
 * leave the host), send the public halves with the activation, and keep what comes back, pinning the
 * control plane's key. An existing identity is never overwritten unless asked to.
 */
export async function registerAgent(options: RegisterOptions): Promise<AgentIdentityFile> {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const parses = (url: string) => {
    try {
      return Boolean(new URL(url));
    } catch {
      return false;
    }
  };
  if (!/^https?:\/\//.test(endpoint) || !parses(endpoint)) throw new Error(`--endpoint must be an http:// or https:// URL, got ${options.endpoint}`);
  await ensurePrivateDir(options.stateDir);
  const file = identityPath(options.stateDir);
  const existing = await readJsonFile<AgentIdentityFile>(file).catch((error: Error) => {
    if (!options.force) throw new Error(`${error.message}\nRefusing to register over it; use --force to keep it aside and register anew`);
    return undefined;
  });
  if (existing && !options.force) {
    throw new Error(`this agent is already registered as ${existing.instanceId} (in ${file}); use --force to register again as a new instance`);
  }
  const signing = generateSigningKeyPair();
  const box = generateBoxKeyPair();
  const url = `${endpoint}/tender/v1/register`;
  const request = {
    activationId: options.activationId,
    activationCode: options.activationCode,
    publicKey: toBase64(signing.publicKey),
    boxPublicKey: toBase64(box.publicKey),
    ...(options.name ? { name: options.name } : {}),
  };
  const answer = checkAnswer(await postJson<unknown>(url, request, { ca: options.ca }), url);
  const identity: AgentIdentityFile = {
    format: 1,
    instanceId: answer.instanceId,
    region: answer.region,
    accountId: answer.accountId,
    endpoint,
    ...(options.name ? { name: options.name } : {}),
    registeredAt: new Date().toISOString(),
    keys: { signingSecretKey: toBase64(signing.secretKey), boxSecretKey: toBase64(box.secretKey), boxPublicKey: toBase64(box.publicKey) },
    controlPlane: answer.controlPlane,
    transport: answer.transport,
    heartbeatSeconds: answer.heartbeatSeconds,
  };
  if (options.force) {
    await fs.rename(file, path.join(options.stateDir, `identity.json.replaced-${Date.now()}`)).catch(() => undefined);
  }
  await saveIdentity(options.stateDir, identity);
  return identity;
}
