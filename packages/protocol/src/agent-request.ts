/**
 * The signature on an agent's HTTP request to the control plane (output uploads, document fetches, ...). The
 * agent signs with the same Ed25519 key it signs its MQTT messages with:
 *
 *   x-tender-instance:   the instance id
 *   x-tender-timestamp:  milliseconds since the epoch; accepted within 5 minutes of the control plane's clock
 *   x-tender-signature:  base64 Ed25519 signature of the UTF-8 bytes of
 *                        METHOD + "\n" + target + "\n" + timestamp + "\n" + hex SHA-256 of the body
 *
 * `target` is the request target exactly as sent: the path with its percent-encoding and, when there is one, the
 * query string (`/tender/v1/documents/My-Doc?version=3`). Signing the method keeps a signed GET from being
 * replayed as a PUT to the same path; the body hash is that of the empty body for a GET.
 */
import { createHash } from 'node:crypto';
import { fromBase64, toBase64 } from './encoding.js';
import { sign, verify } from './signing.js';

export const AGENT_REQUEST_HEADERS = {
  instance: 'x-tender-instance',
  timestamp: 'x-tender-timestamp',
  signature: 'x-tender-signature',
} as const;

export const AGENT_REQUEST_MAX_SKEW_MS = 5 * 60 * 1000;

export function agentRequestStringToSign(method: string, target: string, timestamp: number, body: Uint8Array): string {
  const digest = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${target}\n${timestamp}\n${digest}`;
}

/** Base64 signature for the x-tender-signature header. `secretKey` is the agent's 64-byte Ed25519 secret key. */
export function signAgentRequest(method: string, target: string, timestamp: number, body: Uint8Array, secretKey: Uint8Array): string {
  return toBase64(sign(new TextEncoder().encode(agentRequestStringToSign(method, target, timestamp, body)), secretKey));
}

/** The three headers of a signed request, for the agent's HTTP client. */
export function agentRequestHeaders(
  instanceId: string,
  method: string,
  target: string,
  body: Uint8Array,
  secretKey: Uint8Array,
  timestamp: number,
): Record<string, string> {
  return {
    [AGENT_REQUEST_HEADERS.instance]: instanceId,
    [AGENT_REQUEST_HEADERS.timestamp]: String(timestamp),
    [AGENT_REQUEST_HEADERS.signature]: signAgentRequest(method, target, timestamp, body, secretKey),
  };
}

/** False (never an exception) for a malformed signature or key. */
export function verifyAgentRequest(
  method: string,
  target: string,
  timestamp: number,
  body: Uint8Array,
  signature: string,
  publicKey: Uint8Array,
): boolean {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(signature);
  } catch {
    return false;
  }
  return verify(new TextEncoder().encode(agentRequestStringToSign(method, target, timestamp, body)), bytes, publicKey);
}
