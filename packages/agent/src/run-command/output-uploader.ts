import { promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { outputUploadHeaders, outputUploadPath, type OutputStream } from '@tender/protocol';

/**
 * Full step outputs can be far larger than an MQTT message, so they go to the control plane over HTTP (a PUT
 * signed with the agent's Ed25519 key: see @tender/protocol's output-upload), before the result that names them.
 */
export interface UploadTarget {
  endpoint: string;
  instanceId: string;
  secretKey: Uint8Array;
  ca?: string;
}

/**
 * Whether the preview the result carries is the whole output, byte for byte: the control plane then serves it as
 * the full output and an upload (an HTTP round trip on every small command's path) would add nothing.
 */
export async function previewIsWhole(output: { preview: string; bytes: number; file: string }): Promise<boolean> {
  if (Buffer.byteLength(output.preview, 'utf8') !== output.bytes) return false;
  const file = await fs.readFile(output.file).catch(() => undefined);
  return file !== undefined && file.equals(Buffer.from(output.preview, 'utf8'));
}

export async function uploadOutput(target: UploadTarget, commandId: string, step: string, stream: OutputStream, file: string): Promise<void> {
  const body = await fs.readFile(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? Buffer.alloc(0) : Promise.reject(error)));
  const path = outputUploadPath(commandId, target.instanceId, step, stream);
  const url = new URL(path, target.endpoint);
  const transport = url.protocol === 'https:' ? https : http;
  await new Promise<void>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.length, ...outputUploadHeaders(target.instanceId, path, body, target.secretKey, Date.now()) },
        timeout: 120_000,
        ...(target.ca ? { ca: target.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`output upload refused (HTTP ${res.statusCode}): ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('output upload timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
