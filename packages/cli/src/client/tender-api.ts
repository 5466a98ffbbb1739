import { Hash } from '@smithy/hash-node';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ClientSettings } from './client-settings.js';

/** smithy's signer wants a hash constructor taking only the optional HMAC key. */
class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** An error the API answered with (AWS-shaped), or a failure to reach it. */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** The official SSM client, pointed at Tender. */
export function ssmClient(settings: ClientSettings): SSMClient {
  return new SSMClient({
    endpoint: settings.endpoint,
    region: settings.region,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    maxAttempts: 2,
  });
}

/**
 * Call one of Tender's own operations (`X-Amz-Target: Tender.<Operation>`), signed with SigV4 exactly like
 * the SSM operations, with the same credentials the SSM client resolved.
 */
export async function callTender<T>(client: SSMClient, settings: ClientSettings, operation: string, input: object): Promise<T> {
  const url = new URL(settings.endpoint);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ credentials: client.config.credentials, region: settings.region, service: 'ssm', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Tender.${operation}` },
    body,
  });
  let response: Response;
  try {
    response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body });
  } catch (error) {
    throw new ApiCallError(`cannot reach the control plane at ${settings.endpoint}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, 'Unreachable', true);
  }
  const text = await response.text();
  const parsed = (text ? JSON.parse(text) : {}) as { __type?: string; message?: string };
  if (!response.ok) throw new ApiCallError(parsed.message ?? `HTTP ${response.status}`, parsed.__type ?? `HTTP${response.status}`);
  return parsed as T;
}
