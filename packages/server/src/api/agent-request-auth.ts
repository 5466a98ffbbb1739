/**
 * Authentication of an agent's signed HTTP request (see @tender/protocol's agent-request.ts): the headers, the
 * timestamp window, a registered instance's key and its signature over method, target and body. Deregistered
 * instances are gone from the registry, so their requests fail here like those of instances never registered.
 * Every refusal is an ApiError with a status a client can act on.
 */
import type { IncomingMessage } from 'node:http';
import { AGENT_REQUEST_HEADERS, AGENT_REQUEST_MAX_SKEW_MS, fromBase64, verifyAgentRequest } from '@tender/protocol';
import { ApiError } from './errors.js';

export interface AgentRequestAuthDeps {
  now: () => Date;
  /** The base64 Ed25519 public key of a registered instance. */
  publicKeyOf(instanceId: string): string | undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The id of the instance that signed the request. `target` is the signed request target (path, and query if any). */
export function authenticateAgentRequest(deps: AgentRequestAuthDeps, req: IncomingMessage, target: string, body: Uint8Array): string {
  const signer = header(req, AGENT_REQUEST_HEADERS.instance);
  const stamp = header(req, AGENT_REQUEST_HEADERS.timestamp);
  const signature = header(req, AGENT_REQUEST_HEADERS.signature);
  if (!signer || !stamp || !signature) {
    throw new ApiError('MissingAuthenticationTokenException', `an agent request needs the headers ${Object.values(AGENT_REQUEST_HEADERS).join(', ')}`, 401);
  }
  const timestamp = /^\d{1,16}$/.test(stamp) ? Number(stamp) : NaN;
  if (!Number.isSafeInteger(timestamp)) throw new ApiError('InvalidSignatureException', `${AGENT_REQUEST_HEADERS.timestamp} must be milliseconds since the epoch`, 401);
  const skew = Math.abs(deps.now().getTime() - timestamp);
  if (skew > AGENT_REQUEST_MAX_SKEW_MS) {
    throw new ApiError('SignatureExpired', `the request is signed ${Math.round(skew / 1000)} s away from the control plane's clock; the limit is ${AGENT_REQUEST_MAX_SKEW_MS / 1000} s`, 401);
  }
  const publicKey = deps.publicKeyOf(signer);
  if (publicKey === undefined) throw new ApiError('UnrecognizedClientException', `${signer} is not a registered instance`, 401);
  let key: Uint8Array;
  try {
    key = fromBase64(publicKey);
  } catch {
    throw new ApiError('InternalServerError', 'the instance record holds an unreadable public key', 500);
  }
  if (!verifyAgentRequest(req.method ?? '', target, timestamp, body, signature, key)) {
    throw new ApiError('InvalidSignatureException', `the signature does not verify with the key of ${signer}`, 401);
  }
  return signer;
}
