import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AccessKeys, Principal } from '../access/access-keys.js';
import type { AuditEvent } from '../audit/audit-record.js';
import { evaluate } from './auth/policy.js';
import { verifySigV4 } from './auth/sigv4-verifier.js';
import { accessDenied, ApiError, internal, isApiError, serialization, unknownOperation } from './errors.js';
import { actionOf, type CallContext, type Input, type Operation } from './operation.js';
import { SSM_OPERATION_NAMES } from './ssm-operation-names.js';

export interface HttpApiOptions {
  operations: Operation[];
  accessKeys: AccessKeys;
  audit(event: AuditEvent): Promise<unknown>;
  region: string;
  accountId: string;
  logger: Logger;
  /** Routes outside the signed API (registration, health, metrics): path → handler. */
  extraRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>>;
  /** Routes by path prefix (e.g. agents' output uploads), each with its own body limit. */
  prefixRoutes?: Array<{ prefix: string; maxBodyBytes: number; handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> }>;
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The time as an ISO 8601 string, made once per millisecond: at thousands of calls a second several calls share
 * each millisecond, and every one of them needs the text for its audit record.
 */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastIso.at) lastIso = { at: now, text: new Date(now).toISOString() };
  return lastIso.text;
}
let lastIso = { at: Number.NaN, text: '' };

/** Read a request body, refusing (and draining nothing more of) one larger than `limit`. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new ApiError('RequestEntityTooLargeException', `request body of ${declared} bytes exceeds the ${limit}-byte limit`, 413));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop keeping the body but let the 413 answer go out (the listener sends it with `connection: close`);
        // destroying the request here would destroy the socket, and the caller would get no answer at all.
        req.off('data', collect);
        chunks.length = 0;
        reject(new ApiError('RequestEntityTooLargeException', `request body exceeds the ${limit}-byte limit`, 413));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', collect);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isBareRoot(url: string | undefined): boolean {
  return url === '/' || url === undefined;
}

export function sourceOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Check a request's SigV4 signature and the caller's policy for one action on some resources; the principal on
 * success, an ApiError (InvalidSignatureException, UnrecognizedClientException, AccessDeniedException, ...)
 * otherwise. The API uses it for every call; signed routes outside it (output downloads) use it too.
 */
export async function authorizeRequest(
  req: IncomingMessage,
  body: Buffer,
  options: Pick<HttpApiOptions, 'accessKeys' | 'region'>,
  action: string | undefined,
  resources: string[],
): Promise<Principal> {
  // Every API call is POST / with no query; only other signed routes need the URL parsed.
  const url = isBareRoot(req.url) ? undefined : new URL(req.url ?? '/', 'http://tender');
  const verified = await verifySigV4(
    { method: req.method ?? 'POST', path: url?.pathname ?? '/', query: url ? Object.fromEntries(url.searchParams) : {}, headers: req.headers, body },
    (id) => options.accessKeys.secretOf(id),
    { region: options.region },
  );
  const principal = (await options.accessKeys.principalOf(verified.accessKeyId)) as Principal;
  if (action) {
    for (const resource of resources) {
      const decision = evaluate(principal.policies, action, resource);
      if (!decision.allowed) throw Object.assign(accessDenied(principal.arn, action, resource, decision.reason), { principal });
    }
  }
  return principal;
}

/**
 * The SSM-compatible API: AWS JSON 1.1 (`POST /`, `X-Amz-Target: AmazonSSM.<Operation>` or
 * `Tender.<Operation>`), SigV4-verified, authorised against the caller's policy, and written to the audit
 * trail whatever the outcome: each call is one audit record with caller, operation, resources, source,
 * outcome and error code.
 */
export function createHttpApi(options: HttpApiOptions) {
  const byTarget = new Map(options.operations.map((op) => [`${op.service}.${op.name}`, op]));
  const scope = { region: options.region, accountId: options.accountId };

  async function call(req: IncomingMessage, body: Buffer, requestId: string): Promise<{ result: unknown; audit: Omit<AuditEvent, 'time' | 'source' | 'requestId' | 'outcome'> }> {
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
    const audit = { caller: 'anonymous', operation: target ?? '(none)', resources: [] as string[] };
    try {
      const principal = await authorizeRequest(req, body, options, undefined, []);
      audit.caller = principal.arn;
      const operation = target ? byTarget.get(target) : undefined;
      if (!operation) {
        const [prefix, name] = (target ?? '').split('.', 2);
        throw unknownOperation(target, { knownToAws: prefix === 'AmazonSSM' && SSM_OPERATION_NAMES.has(name ?? '') });
      }
      let input: Input;
      try {
        const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
        input = parsed as Input;
      } catch (error) {
        throw serialization(`cannot parse the request body: ${(error as Error).message}`);
      }
      const action = actionOf(operation);
      const resources = operation.resources?.(input, scope) ?? ['*'];
      audit.resources = resources;
      for (const resource of resources) {
        const decision = evaluate(principal.policies, action, resource);
        if (!decision.allowed) throw accessDenied(principal.arn, action, resource, decision.reason);
      }
      const context: CallContext = { caller: principal, requestId, sourceIp: sourceOf(req), ...scope };
      return { result: await operation.handle(input, context), audit };
    } catch (error) {
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), { audit });
    }
  }

  return async function handleApi(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = randomUUID();
    const time = isoNow();
    const source = sourceOf(req);
    try {
      const { result, audit } = await call(req, body, requestId);
      await options.audit({ time, caller: audit.caller, operation: audit.operation, resources: audit.resources, source, requestId, outcome: 'success' });
      sendJson(res, 200, result, { 'x-amzn-requestid': requestId });
    } catch (caught) {
      const audit = (caught as { audit?: Omit<AuditEvent, 'time' | 'source' | 'requestId' | 'outcome'> }).audit ?? { caller: 'anonymous', operation: '(none)', resources: [] };
      const error = isApiError(caught) ? caught : internal();
      if (!isApiError(caught)) options.logger.error({ err: caught, requestId }, 'operation failed');
      const denied = ['AccessDeniedException', 'InvalidSignatureException', 'UnrecognizedClientException', 'MissingAuthenticationTokenException', 'IncompleteSignatureException'].includes(error.code);
      await options
        .audit({ ...audit, time, source, requestId, outcome: denied ? 'denied' : 'error', errorCode: error.code, detail: error.message.slice(0, 500) })
        .catch((auditError: unknown) => options.logger.error({ err: auditError }, 'could not write the audit trail'));
      sendJson(res, error.status, error.toJSON(), { 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code });
    }
  };
}

/** Route a request: the signed API at POST /, the extra routes by path, 404 otherwise. */
export function createRequestListener(options: HttpApiOptions) {
  const api = createHttpApi(options);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const path = isBareRoot(req.url) ? '/' : new URL(req.url ?? '/', 'http://tender').pathname;
      try {
        const extra = options.extraRoutes?.[path];
        if (extra) return await extra(req, res, req.method === 'GET' ? Buffer.alloc(0) : await readBody(req, limit));
        const byPrefix = options.prefixRoutes?.find((route) => path.startsWith(route.prefix));
        if (byPrefix) return await byPrefix.handle(req, res, req.method === 'GET' ? Buffer.alloc(0) : await readBody(req, byPrefix.maxBodyBytes));
        if (req.method === 'POST' && path === '/') {
          const body = await readBody(req, limit).catch(async (error: unknown) => {
            // A call refused before it could be read (too large) is still a call: it goes in the audit trail too.
            if (isApiError(error)) {
              const target = req.headers['x-amz-target'];
              await options
                .audit({ time: new Date().toISOString(), caller: 'anonymous', operation: typeof target === 'string' ? target : '(none)', resources: [], source: sourceOf(req), outcome: 'error', errorCode: error.code, detail: error.message.slice(0, 500) })
                .catch((auditError: unknown) => options.logger.error({ err: auditError }, 'could not write the audit trail'));
            }
            throw error;
          });
          return await api(req, res, body);
        }
        sendJson(res, 404, { __type: 'NotFound', message: `no route for ${req.method} ${path}: the API is POST / with X-Amz-Target` });
      } catch (error) {
        const apiError = isApiError(error) ? error : internal();
        if (!isApiError(error)) options.logger.error({ err: error }, 'request failed');
        // A refused body may still be arriving: answer, then close the connection rather than read the rest.
        if (!res.headersSent) sendJson(res, apiError.status, apiError.toJSON(), apiError.status === 413 ? { connection: 'close' } : {});
      }
    })();
  };
}
