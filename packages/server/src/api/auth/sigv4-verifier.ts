/**
 * Verification of SigV4-signed requests (header form, `Authorization: AWS4-HMAC-SHA256 ...`).
 *
 * We never canonicalise a request by hand: the canonical request is built by @smithy/signature-v4, the signer
 * the AWS SDK for JavaScript itself uses (its header canonicalisation, path normalisation and double encoding,
 * query encoding and ordering), from exactly the headers the client says it signed, so both sides
 * canonicalise the same way. The rest of SigV4 is a fixed formula done here with node:crypto, so that the
 * signing key derived from a secret can be kept per access key, day, region and service instead of being
 * derived again (four HMACs) on every call. What smithy cannot know is which requests are acceptable, so
 * the checks around it are ours:
 *
 * - the credential scope must name our region and service, and its date the day of X-Amz-Date;
 * - X-Amz-Date must be within the skew window (15 minutes, as AWS), which bounds replay;
 * - `host`, `x-amz-date` and every `x-amz-*` header present must be signed: X-Amz-Target chooses the
 *   operation, and an unsigned one would let anyone who captured a request run a different operation;
 * - a signed `x-amz-content-sha256` must be the hash of the body we received: smithy trusts that header
 *   instead of hashing the body, so without this check the body could be swapped;
 * - `x-amz-security-token` is refused: Tender issues long-term keys only, and AWS answers a token it does
 *   not know with UnrecognizedClientException.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { GENERATED_HEADERS, KEY_TYPE_IDENTIFIER, SignatureV4Base, getCanonicalHeaders } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import {
  incompleteSignature,
  invalidSignature,
  missingAuthentication,
  signatureRejected,
  unrecognizedClient,
} from '../errors.js';
import { parseAuthorizationHeader } from './sigv4-authorization-header.js';

export interface IncomingSignedRequest {
  method: string;
  /** The raw request path as received (still percent-encoded), without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** Header names in any case; repeated headers as arrays. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received; pass bytes when it may not be valid UTF-8. */
  body: string | Uint8Array;
}

export interface SigningKeyLookup {
  (accessKeyId: string): Promise<{ secretAccessKey: string } | undefined> | { secretAccessKey: string } | undefined;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
  service: string;
  signingDate: Date;
}

export interface VerifyOptions {
  region: string;
  /** Default 'ssm'. */
  service?: string;
  /** Default: the current time. */
  now?: Date;
  /** Default 15 minutes, as AWS. */
  maxSkewMs?: number;
}

const DEFAULT_SKEW_MS = 15 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';

/** smithy wants a hash constructor taking only the (optional) HMAC key. */
class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** smithy's canonical request, which its signer keeps to itself (protected) and we need without signing. */
class CanonicalRequestBuilder extends SignatureV4Base {
  constructor() {
    // Path escaping on, as smithy's signer for every service but S3. The credentials and region are not used.
    super({ service: 'ssm', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Sha256, uriEscapePath: true });
    // smithy's canonical path, kept per raw path: every API call has the same one (`/`) and escaping it again
    // each time showed in profiles. (The method is private in smithy's types, so it is wrapped on the instance.)
    const self = this as unknown as { getCanonicalPath(request: { path: string }): string };
    const canonicalPathOf = self.getCanonicalPath.bind(this);
    const known = new Map<string, string>();
    self.getCanonicalPath = (request) => {
      let canonical = known.get(request.path);
      if (canonical === undefined) {
        canonical = canonicalPathOf(request);
        if (known.size >= 1000) known.clear();
        known.set(request.path, canonical);
      }
      return canonical;
    };
  }

  build(...args: Parameters<SignatureV4Base['createCanonicalRequest']>): string {
    return this.createCanonicalRequest(...args);
  }
}
const CANONICAL = new CanonicalRequestBuilder();

/**
 * Derived signing keys, per access key, day, region and service. A key is stored with the secret it came from
 * and used only for that same secret, so a changed secret never meets a stale key. Bounded: emptied when full,
 * which costs one derivation per caller.
 */
const signingKeys = new Map<string, { secret: string; key: Buffer }>();
const MAX_SIGNING_KEYS = 1000;

function signingKeyFor(accessKeyId: string, secret: string, date: string, region: string, service: string): Buffer {
  const id = `${accessKeyId}/${date}/${region}/${service}`;
  const cached = signingKeys.get(id);
  if (cached !== undefined && cached.secret === secret) return cached.key;
  let key = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  for (const part of [region, service, KEY_TYPE_IDENTIFIER]) key = createHmac('sha256', key).update(part).digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(id, { secret, key });
  return key;
}

/** The signed header names as a set; made once per shared (frozen, cached) list from the header parser. */
const signedSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function signedSetOf(names: readonly string[]): ReadonlySet<string> {
  let set = signedSets.get(names);
  if (set === undefined) {
    set = new Set(names);
    if (Object.isFrozen(names)) signedSets.set(names, set);
  }
  return set;
}

export async function verifySigV4(
  req: IncomingSignedRequest,
  lookup: SigningKeyLookup,
  opts: VerifyOptions,
): Promise<VerifiedCaller> {
  const service = opts.service ?? 'ssm';
  const headers = lowercaseHeaders(req.headers);

  const authorization = headers.get('authorization');
  if (authorization === undefined) throw missingAuthentication();
  const auth = parseAuthorizationHeader(authorization);
  const { credential } = auth;

  if (credential.region !== opts.region) {
    throw signatureRejected(`Credential should be scoped to a valid region, not '${credential.region}'. `);
  }
  if (credential.service !== service) {
    throw signatureRejected(`Credential should be scoped to correct service: '${service}'. `);
  }

  const amzDate = headers.get('x-amz-date');
  if (amzDate === undefined) {
    throw signatureRejected("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined) {
    throw signatureRejected(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'", got '${amzDate}'`);
  }
  checkSkew(amzDate, signingDate, opts.now ?? new Date(), opts.maxSkewMs ?? DEFAULT_SKEW_MS);
  if (credential.date !== amzDate.slice(0, 8)) {
    throw signatureRejected(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ` +
        `'${credential.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }

  const signed = signedSetOf(auth.signedHeaders);
  for (const required of ['host', 'x-amz-date']) {
    if (!signed.has(required)) {
      throw incompleteSignature(`'${required}' must be a 'SignedHeader' in the AWS Authorization.`);
    }
  }
  const unsigned: string[] = [];
  for (const name of headers.keys()) if (name.startsWith('x-amz-') && !signed.has(name)) unsigned.push(name);
  if (unsigned.length > 0) {
    throw incompleteSignature(`There were headers present in the request which were not signed: ${unsigned.join(', ')}`);
  }
  for (const name of signed) {
    if (!headers.has(name)) throw invalidSignature(`signed header '${name}' is not in the request`);
  }
  if (headers.has('x-amz-security-token')) throw unrecognizedClient();

  const payloadHash = hash('sha256', req.body, 'hex');
  const claimedHash = headers.get('x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    throw invalidSignature('x-amz-content-sha256 does not match the body');
  }

  const key = await lookup(credential.accessKeyId);
  if (key === undefined) throw unrecognizedClient();

  // The request as smithy's signer would prepare it: the headers the client signed, without the ones a signer
  // generates itself (authorization, date), and X-Amz-Date as the signing date (checked above to be that text).
  const toSign: Record<string, string> = {};
  for (const name of signed) if (!GENERATED_HEADERS.includes(name)) toSign[name] = headers.get(name) as string;
  toSign['x-amz-date'] = amzDate;
  const request = { method: req.method.toUpperCase(), protocol: 'https:', hostname: headers.get('host') as string, path: req.path, query: req.query, headers: toSign };
  const canonicalHeaders = getCanonicalHeaders(request, undefined, signed as Set<string>); // only read
  const ourSignedHeaders = Object.keys(canonicalHeaders).sort().join(';');
  if (ourSignedHeaders !== auth.signedHeaders.join(';')) {
    throw invalidSignature(`signed headers differ: client '${auth.signedHeaders.join(';')}', server '${ourSignedHeaders}'`);
  }
  const canonicalRequest = CANONICAL.build(request, canonicalHeaders, payloadHash);
  const scope = `${credential.date}/${credential.region}/${credential.service}/${KEY_TYPE_IDENTIFIER}`;
  const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
  const signingKey = signingKeyFor(credential.accessKeyId, key.secretAccessKey, credential.date, credential.region, credential.service);
  const ours = createHmac('sha256', signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(ours, Buffer.from(auth.signature, 'hex'))) {
    throw invalidSignature('signature differs');
  }

  return { accessKeyId: credential.accessKeyId, region: credential.region, service: credential.service, signingDate };
}

/** Lowercase names; repeated headers joined with ',' as SigV4's canonical form does. */
function lowercaseHeaders(headers: IncomingSignedRequest['headers']): Map<string, string> {
  const out = new Map<string, string>();
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(',') : value;
    const prior = out.get(lower);
    out.set(lower, prior === undefined ? joined : `${prior},${joined}`);
  }
  return out;
}

/** `yyyyMMddTHHmmssZ` to a Date, or undefined if it is not one (including impossible dates). */
function parseAmzDate(value: string): Date | undefined {
  // Busy callers send the same X-Amz-Date for a whole second: parse it once. (A copy: callers get their own Date.)
  if (value === lastAmzDate.text) return lastAmzDate.date && new Date(lastAmzDate.date.getTime());
  const date = parseAmzDateOnce(value);
  lastAmzDate = { text: value, date };
  return date && new Date(date.getTime());
}
let lastAmzDate: { text: string; date: Date | undefined } = { text: '', date: undefined };

function parseAmzDateOnce(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  if (Number.isNaN(date.getTime()) || formatAmzDate(date) !== value) return undefined;
  return date;
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function checkSkew(amzDate: string, signingDate: Date, now: Date, maxSkewMs: number): void {
  // Plain numbers on the way through; the messages (and their dates) only when refusing.
  const signedAt = signingDate.getTime();
  const at = now.getTime();
  if (signedAt >= at - maxSkewMs && signedAt <= at + maxSkewMs) return;
  const minutes = `${Math.round(maxSkewMs / 60000)} min.`;
  if (signedAt < at - maxSkewMs) {
    throw signatureRejected(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(at - maxSkewMs))} (${formatAmzDate(now)} - ${minutes})`,
    );
  }
  throw signatureRejected(
    `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(at + maxSkewMs))} (${formatAmzDate(now)} + ${minutes})`,
  );
}
