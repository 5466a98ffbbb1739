import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Flags } from '@oclif/core';

export const DEFAULT_DATA_DIR = '.tender';

/** Flags every command that talks to a control plane takes. */
export const clientFlags = {
  endpoint: Flags.string({ description: 'URL of the control plane (default: the one running on --data-dir)', env: 'TENDER_ENDPOINT', helpGroup: 'CONNECTION' }),
  'data-dir': Flags.string({ description: 'data directory of a local control plane, to find its endpoint and admin credentials', env: 'TENDER_DATA_DIR', default: DEFAULT_DATA_DIR, helpGroup: 'CONNECTION' }),
  profile: Flags.string({ description: 'AWS profile to sign with (from the AWS shared files) instead of the data dir\'s admin key', env: 'TENDER_PROFILE', helpGroup: 'CONNECTION' }),
  region: Flags.string({ description: 'region to sign for (default: the control plane\'s)', env: 'TENDER_REGION', helpGroup: 'CONNECTION' }),
  json: Flags.boolean({ description: 'print machine-readable JSON', default: false }),
};

export interface ClientSettings {
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  profile?: string;
}

/** Parse one profile of an AWS shared-credentials (INI) file. */
export function parseCredentialsFile(text: string, profile: string): { accessKeyId: string; secretAccessKey: string; region?: string } | undefined {
  let current = '';
  const values: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = section[1] ?? '';
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && current === profile) values[pair[1] ?? ''] = pair[2] ?? '';
  }
  if (!values.aws_access_key_id || !values.aws_secret_access_key) return undefined;
  return { accessKeyId: values.aws_access_key_id, secretAccessKey: values.aws_secret_access_key, ...(values.region ? { region: values.region } : {}) };
}

/**
 * Where to connect and how to sign, strongest first: --endpoint / --profile / --region (or their environment
 * variables), then the local control plane in --data-dir (its server.json and admin credentials).
 */
export async function resolveClientSettings(flags: { endpoint?: string; 'data-dir': string; profile?: string; region?: string }): Promise<ClientSettings> {
  const dataDir = path.resolve(flags['data-dir']);
  const server = JSON.parse(await fs.readFile(path.join(dataDir, 'server.json'), 'utf8').catch(() => '{}')) as { endpoint?: string; region?: string };
  const endpoint = flags.endpoint ?? server.endpoint;
  if (!endpoint) {
    throw new Error(`no control plane to talk to: none is running on ${dataDir} (no server.json there). Give --endpoint URL (or TENDER_ENDPOINT), or start one with: tender server start --data-dir ${flags['data-dir']}`);
  }
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new Error(`the endpoint must be an http:// or https:// URL, got ${endpoint}${flags.endpoint ? '' : ` (from ${path.join(dataDir, 'server.json')})`}`);
  }
  if (flags.profile || process.env.AWS_ACCESS_KEY_ID) {
    return { endpoint, region: flags.region ?? process.env.AWS_REGION ?? server.region ?? 'us-east-1', ...(flags.profile ? { profile: flags.profile } : {}) };
  }
  const credentialsFile = path.join(dataDir, 'credentials');
  const text = await fs.readFile(credentialsFile, 'utf8').catch(() => undefined);
  const credentials = text ? parseCredentialsFile(text, 'tender') : undefined;
  if (!credentials) {
    throw new Error(`no credentials: ${credentialsFile} has no [tender] profile. Use --profile NAME, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the data dir of the control plane`);
  }
  return { endpoint, region: flags.region ?? credentials.region ?? server.region ?? 'us-east-1', credentials };
}
