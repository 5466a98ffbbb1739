import http from 'node:http';
import https from 'node:https';
import { agentRequestHeaders } from '@tender/protocol';

/**
 * The agent's HTTP requests to the control plane (output uploads, document fetches), each signed with the agent's
 * Ed25519 key as @tender/protocol's agent-request.ts describes.
 */
export interface ControlPlaneTarget {
  endpoint: string;
  instanceId: string;
  secretKey: Uint8Array;
  ca?: string;
}

export interface SignedResponse {
  status: number;
  body: Buffer;
}

/** `requestTarget` is the path (and query) exactly as it is sent and signed. Resolves with any HTTP status. */
export function sendSignedRequest(
  target: ControlPlaneTarget,
  method: 'GET' | 'PUT',
  requestTarget: string,
  body: Buffer,
  options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> },
): Promise<SignedResponse> {
  const url = new URL(requestTarget, target.endpoint);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method,
        headers: { ...options.headers, 'content-length': body.length, ...agentRequestHeaders(target.instanceId, method, requestTarget, body, target.secretKey, Date.now()) },
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(target.ca ? { ca: target.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the control plane did not answer ${method} ${url.pathname} within ${options.timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `__type: message` of an AWS-shaped error body, or the start of whatever else came back. */
export function describeErrorBody(status: number, body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { __type?: unknown; message?: unknown };
    if (typeof parsed.__type === 'string' && typeof parsed.message === 'string') return `${parsed.__type}: ${parsed.message}`;
  } catch {
    // not JSON
  }
  return `HTTP ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}
