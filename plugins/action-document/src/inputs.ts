/** The action's name, as documents spell it. */
export const DOWNLOAD_CONTENT = 'aws:downloadContent';

import { parseDocumentReference } from './document-reference.js';

/** The source types SSM defines. */
export const SOURCE_TYPES = ['HTTP', 'GitHub', 'S3', 'SSMDocument', 'Git'] as const;
/** The ones Tender implements. */
export const SUPPORTED_SOURCE_TYPES = ['HTTP', 'SSMDocument'] as const;

export interface HttpSource {
  type: 'HTTP';
  url: URL;
  /** Lower-case hex, when given. */
  sha256: string | undefined;
  allowInsecureDownload: boolean;
}

/** A document from the control plane; it is written as JSON. */
export interface SsmDocumentSource {
  type: 'SSMDocument';
  name: string;
  version: string | undefined;
}

export interface DownloadInputs {
  source: HttpSource | SsmDocumentSource;
  destinationPath: string | undefined;
}

export type Parsed = { ok: true; inputs: DownloadInputs } | { ok: false; message: string };

const fail = (message: string): Parsed => ({ ok: false, message: `${DOWNLOAD_CONTENT}: ${message}` });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** SSM passes booleans in sourceInfo as strings ("true"/"false"); accept both. */
function parseBoolean(value: unknown): boolean | undefined {
  if (value === undefined || value === '' || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

/** Checks the step's inputs; never throws. */
export function parseDownloadInputs(inputs: Readonly<Record<string, unknown>>): Parsed {
  const sourceType = inputs.sourceType;
  if (typeof sourceType !== 'string' || sourceType.trim() === '') {
    return fail(`the input sourceType is required (one of ${SOURCE_TYPES.join(', ')})`);
  }
  if (!(SUPPORTED_SOURCE_TYPES as readonly string[]).includes(sourceType)) {
    if ((SOURCE_TYPES as readonly string[]).includes(sourceType)) {
      return fail(`sourceType ${sourceType} is not supported by Tender (${SUPPORTED_SOURCE_TYPES.join(' and ')} are)`);
    }
    return fail(`unknown sourceType ${JSON.stringify(sourceType)} (SSM defines ${SOURCE_TYPES.join(', ')})`);
  }

  let info: unknown = inputs.sourceInfo;
  if (typeof info === 'string') {
    try {
      info = JSON.parse(info);
    } catch (error) {
      return fail(`the input sourceInfo is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (info === undefined) return fail('the input sourceInfo is required');
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    return fail(`the input sourceInfo must be a JSON object, not ${describe(info)}`);
  }
  const source = info as Record<string, unknown>;
  const destination = parseDestinationPath(inputs.destinationPath);
  if (typeof destination === 'object') return fail(destination.problem);

  if (sourceType === 'SSMDocument') {
    const reference = parseDocumentReference(source.name, source.version, 'sourceInfo.name');
    if ('problem' in reference) return fail(reference.problem);
    return { ok: true, inputs: { source: { type: 'SSMDocument', ...reference }, destinationPath: destination } };
  }

  if (typeof source.url !== 'string' || source.url.trim() === '') return fail('sourceInfo.url is required for sourceType HTTP');
  let url: URL;
  try {
    url = new URL(source.url.trim());
  } catch {
    return fail(`sourceInfo.url is not a valid URL: ${source.url}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`sourceInfo.url must be an https:// or http:// URL, not ${url.protocol}`);

  const authMethod = source.authMethod;
  if (authMethod !== undefined && authMethod !== '' && authMethod !== 'None') {
    return fail(`sourceInfo.authMethod ${JSON.stringify(authMethod)} is not supported by Tender yet (only None is)`);
  }

  const allowInsecureDownload = parseBoolean(source.allowInsecureDownload);
  if (allowInsecureDownload === undefined) return fail('sourceInfo.allowInsecureDownload must be true or false');

  let sha256: string | undefined;
  if (source.sha256 !== undefined && source.sha256 !== '') {
    if (typeof source.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(source.sha256.trim())) {
      return fail('sourceInfo.sha256 must be 64 hexadecimal characters');
    }
    sha256 = source.sha256.trim().toLowerCase();
  }

  const problem = insecureProblem(url, allowInsecureDownload, sha256);
  if (problem) return fail(problem);

  return { ok: true, inputs: { source: { type: 'HTTP', url, sha256, allowInsecureDownload }, destinationPath: destination } };
}

/** The destinationPath input: a trimmed string, undefined when absent or empty, or why it is wrong. */
function parseDestinationPath(value: unknown): string | undefined | { problem: string } {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return { problem: `the input destinationPath must be a string, not ${describe(value)}` };
  return value.trim() === '' ? undefined : value.trim();
}

/**
 * Whether a URL (the first or a redirect's) may be fetched. As SSM: plain http:// only with
 * allowInsecureDownload true. Tender also requires sha256 then, so that the content is still verified.
 */
export function insecureProblem(url: URL, allowInsecureDownload: boolean, sha256: string | undefined): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `cannot download from ${url.protocol} URLs (${url.href})`;
  if (!allowInsecureDownload) return `refusing the insecure URL ${url.href}: set sourceInfo.allowInsecureDownload to true (and give sha256) to download over plain http`;
  if (sha256 === undefined) return `refusing the insecure URL ${url.href}: Tender requires sourceInfo.sha256 for plain http downloads`;
  return undefined;
}
