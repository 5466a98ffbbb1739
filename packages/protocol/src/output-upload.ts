/**
 * The signature on a full-output upload (`PUT /tender/v1/outputs/<commandId>/<instanceId>/<step>/<stdout|stderr>`),
 * shared by the agent (which signs) and the control plane (which verifies). The agent signs with the same
 * Ed25519 key it signs its MQTT messages with:
 *
 *   x-tender-instance:   the instance id
 *   x-tender-timestamp:  milliseconds since the epoch; accepted within 5 minutes of the control plane's clock
 *   x-tender-signature:  base64 Ed25519 signature of the UTF-8 bytes of
 *                        "PUT\n" + path + "\n" + timestamp + "\n" + hex SHA-256 of the body
 *
 * `path` is the request path exactly as sent, percent-encoding included (build it with outputUploadPath).
 */
import { createHash } from 'node:crypto';
import { fromBase64, toBase64 } from './encoding.js';
import { sign, verify } from './signing.js';

export type OutputStream = 'stdout' | 'stderr';

export const OUTPUT_UPLOAD_PREFIX = '/tender/v1/outputs/';
export const OUTPUT_UPLOAD_MAX_SKEW_MS = 5 * 60 * 1000;
/** The largest upload the handler accepts; the HTTP layer must let a body of this size through on this route. */
export const MAX_OUTPUT_UPLOAD_BYTES = 256 * 1024 * 1024;

export const OUTPUT_HEADERS = {
  instance: 'x-tender-instance',
  timestamp: 'x-tender-timestamp',
  signature: 'x-tender-signature',
} as const;

/** The path of one stream's upload (and of its signed download on the control plane). */
export function outputUploadPath(commandId: string, instanceId: string, step: string, stream: OutputStream): string {
  return `${OUTPUT_UPLOAD_PREFIX}${encodeURIComponent(commandId)}/${encodeURIComponent(instanceId)}/${encodeURIComponent(step)}/${stream}`;
}

export function outputUploadStringToSign(path: string, timestamp: number, body: Uint8Array): string {
  const digest = createHash('sha256').update(body).digest('hex');
  return `PUT\n${path}\n${timestamp}\n${digest}`;
}

/** Base64 signature for the x-tender-signature header. `secretKey` is the agent's 64-byte Ed25519 secret key. */
export function signOutputUpload(path: string, timestamp: number, body: Uint8Array, secretKey: Uint8Array): string {
  return toBase64(sign(new TextEncoder().encode(outputUploadStringToSign(path, timestamp, body)), secretKey));
}

/** The three headers of an upload, for the agent's HTTP client. */
export function outputUploadHeaders(instanceId: string, path: string, body: Uint8Array, secretKey: Uint8Array, timestamp: number): Record<string, string> {
  return {
    [OUTPUT_HEADERS.instance]: instanceId,
    [OUTPUT_HEADERS.timestamp]: String(timestamp),
    [OUTPUT_HEADERS.signature]: signOutputUpload(path, timestamp, body, secretKey),
  };
}

/** False (never an exception) for a malformed signature or key. */
export function verifyOutputUpload(path: string, timestamp: number, body: Uint8Array, signature: string, publicKey: Uint8Array): boolean {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(signature);
  } catch {
    return false;
  }
  return verify(new TextEncoder().encode(outputUploadStringToSign(path, timestamp, body)), bytes, publicKey);
}
