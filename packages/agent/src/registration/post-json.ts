import http from 'node:http';
import https from 'node:https';

export class EndpointError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

/** POST JSON and parse the JSON answer; AWS-shaped errors ({__type, message}) become an EndpointError. */
export function postJson<T>(url: string, body: unknown, options: { ca?: string; timeoutMs?: number } = {}): Promise<T> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const payload = JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: options.timeoutMs ?? 15_000,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return reject(new EndpointError(`${url} answered HTTP ${res.statusCode} with something that is not JSON: is it a Tender control plane?`, res.statusCode));
          }
          if ((res.statusCode ?? 500) >= 400) {
            const error = parsed as { __type?: string; message?: string };
            return reject(new EndpointError(error.message ?? `HTTP ${res.statusCode}`, res.statusCode, error.__type));
          }
          resolve(parsed as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 15_000} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ECONNREFUSED' ? 'connection refused (is the control plane running, and is this its address?)' : error.code === 'ENOTFOUND' ? 'host not found' : error.message;
      reject(new EndpointError(`cannot reach the control plane at ${target.origin}: ${why}`));
    });
    req.end(payload);
  });
}
