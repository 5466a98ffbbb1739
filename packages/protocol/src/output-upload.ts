/**
 * A full-output upload: `PUT /tender/v1/outputs/<commandId>/<instanceId>/<step>/<stdout|stderr>`, signed by the
 * agent as every agent request is (agent-request.ts). `path` is the request path exactly as sent, percent-encoding
 * included (build it with outputUploadPath).
 */
import {
  AGENT_REQUEST_HEADERS,
  AGENT_REQUEST_MAX_SKEW_MS,
  agentRequestHeaders,
  agentRequestStringToSign,
  signAgentRequest,
  verifyAgentRequest,
} from './agent-request.js';

export type OutputStream = 'stdout' | 'stderr';

export const OUTPUT_UPLOAD_PREFIX = '/tender/v1/outputs/';
export const OUTPUT_UPLOAD_MAX_SKEW_MS = AGENT_REQUEST_MAX_SKEW_MS;
/** The largest upload the handler accepts; the HTTP layer must let a body of this size through on this route. */
export const MAX_OUTPUT_UPLOAD_BYTES = 256 * 1024 * 1024;

export const OUTPUT_HEADERS = AGENT_REQUEST_HEADERS;

/** The path of one stream's upload (and of its signed download on the control plane). */
export function outputUploadPath(commandId: string, instanceId: string, step: string, stream: OutputStream): string {
  return `${OUTPUT_UPLOAD_PREFIX}${encodeURIComponent(commandId)}/${encodeURIComponent(instanceId)}/${encodeURIComponent(step)}/${stream}`;
}

export function outputUploadStringToSign(path: string, timestamp: number, body: Uint8Array): string {
  return agentRequestStringToSign('PUT', path, timestamp, body);
}

/** Base64 signature for the x-tender-signature header. `secretKey` is the agent's 64-byte Ed25519 secret key. */
export function signOutputUpload(path: string, timestamp: number, body: Uint8Array, secretKey: Uint8Array): string {
  return signAgentRequest('PUT', path, timestamp, body, secretKey);
}

/** The three headers of an upload, for the agent's HTTP client. */
export function outputUploadHeaders(instanceId: string, path: string, body: Uint8Array, secretKey: Uint8Array, timestamp: number): Record<string, string> {
  return agentRequestHeaders(instanceId, 'PUT', path, body, secretKey, timestamp);
}

/** False (never an exception) for a malformed signature or key. */
export function verifyOutputUpload(path: string, timestamp: number, body: Uint8Array, signature: string, publicKey: Uint8Array): boolean {
  return verifyAgentRequest('PUT', path, timestamp, body, signature, publicKey);
}
