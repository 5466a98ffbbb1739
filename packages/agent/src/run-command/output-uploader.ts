import { promises as fs, readFileSync } from 'node:fs';
import { outputUploadPath, type OutputStream } from '@tender/protocol';
import { describeErrorBody, sendSignedRequest, type ControlPlaneTarget } from './signed-request.js';

/**
 * Full step outputs can be far larger than an MQTT message, so they go to the control plane over HTTP (a PUT
 * signed with the agent's Ed25519 key: see @tender/protocol's agent-request and output-upload), before the
 * result that names them.
 */
export type UploadTarget = ControlPlaneTarget;

/**
 * Whether the preview the result carries is the whole output, byte for byte: the control plane then serves it as
 * the full output and an upload (an HTTP round trip on every small command's path) would add nothing.
 */
export function previewIsWhole(output: { preview: string; bytes: number; file: string }): boolean {
  if (Buffer.byteLength(output.preview, 'utf8') !== output.bytes) return false;
  // Read synchronously: the file is no larger than a preview (a few kilobytes), and an asynchronous read (open,
  // stat, read, close through the thread pool) added milliseconds on a loaded host to every small command's result.
  let file: Buffer;
  try {
    file = readFileSync(output.file);
  } catch {
    return false;
  }
  return file.equals(Buffer.from(output.preview, 'utf8'));
}

export async function uploadOutput(target: UploadTarget, commandId: string, step: string, stream: OutputStream, file: string): Promise<void> {
  const body = await fs.readFile(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? Buffer.alloc(0) : Promise.reject(error)));
  const path = outputUploadPath(commandId, target.instanceId, step, stream);
  const response = await sendSignedRequest(target, 'PUT', path, body, { timeoutMs: 120_000, headers: { 'content-type': 'application/octet-stream' } });
  if (response.status >= 300) throw new Error(`output upload refused (${describeErrorBody(response.status, response.body)})`);
}
