/**
 * Parsing of a SigV4 `Authorization` header:
 *
 *   AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ssm/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex>
 *
 * Only the shape is checked here; whether the key, scope, date and signature are right is the verifier's
 * business. Malformed headers get IncompleteSignatureException with AWS's wording.
 */
import { incompleteSignature } from '../errors.js';

export interface CredentialScope {
  accessKeyId: string;
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

export interface ParsedAuthorization {
  credential: CredentialScope;
  /** As the client sent it: lowercase names joined by ';'. */
  signedHeaders: string[];
  /** 64 lowercase hex digits. */
  signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNATURE_PARAM = ', Signature=';
const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * What comes before `, Signature=` in headers already parsed, with its meaning (frozen: shared). A client sends
 * the same credential scope and signed headers all day and only the signature changes, so the common case is a
 * lookup and one check of the signature. A head is kept only when the full parse of the whole header succeeded
 * with the signature as its last parameter: the head then parses the same whatever valid signature follows it (a
 * signature holds no comma). Bounded: emptied when full.
 */
const parsedHeads = new Map<string, Omit<ParsedAuthorization, 'signature'>>();
const MAX_PARSED_HEADS = 1000;

export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const at = value.lastIndexOf(SIGNATURE_PARAM);
  const head = at > 0 ? value.slice(0, at) : undefined;
  const signature = value.slice(at + SIGNATURE_PARAM.length);
  const known = head === undefined ? undefined : parsedHeads.get(head);
  if (known !== undefined && SIGNATURE.test(signature)) return { credential: known.credential, signedHeaders: known.signedHeaders, signature };
  const parsed = parseOnce(value);
  if (head !== undefined && parsed.signature === signature) {
    if (parsedHeads.size >= MAX_PARSED_HEADS) parsedHeads.clear();
    parsedHeads.set(head, { credential: Object.freeze(parsed.credential), signedHeaders: Object.freeze(parsed.signedHeaders) as string[] });
  }
  return parsed;
}

function parseOnce(value: string): ParsedAuthorization {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'. Tender supports ${ALGORITHM} only.`);
  }

  const params = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    if (params.has(key)) throw incompleteSignature(`Authorization header has '${key}' more than once.`);
    params.set(key, part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !params.get(k));
  if (missing.length > 0) {
    throw incompleteSignature(
      missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ') + ` Authorization=${algorithm}`,
    );
  }

  const credential = params.get('Credential') as string;
  const elements = credential.split('/');
  if (elements.length !== 5 || elements.some((e) => e === '') || elements[4] !== 'aws4_request') {
    throw incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service] = elements as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) {
    throw incompleteSignature(`Credential date must be in the format yyyyMMdd, got '${date}'`);
  }

  const signedHeaders = (params.get('SignedHeaders') as string).split(';');
  if (signedHeaders.some((h) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(h))) {
    throw incompleteSignature('SignedHeaders must be a semicolon-separated list of lowercase header names.');
  }

  const signature = params.get('Signature') as string;
  if (!SIGNATURE.test(signature)) {
    throw incompleteSignature('Signature must be 64 lowercase hexadecimal digits.');
  }

  return { credential: { accessKeyId, date, region, service }, signedHeaders, signature };
}
