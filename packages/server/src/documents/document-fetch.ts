/**
 * An agent fetches a document to run it as a nested document (aws:runDocument) or to download it
 * (aws:downloadContent, sourceType SSMDocument): `GET /tender/v1/documents/<name>[?version=<n|$LATEST|$DEFAULT>]`,
 * signed with the agent's key (@tender/protocol's agent-request.ts and document-fetch.ts).
 *
 * Why HTTP and not an MQTT request/response: the agent already signs HTTP requests for its output uploads and
 * knows the endpoint; a GET is a request/response by nature (no correlation ids, reply topics or timeouts to
 * build on the broker), and a document (up to 64 KB, more for built-ins in future) stays off the broker, whose
 * messages are sized for commands and results.
 *
 * Only registered instances (a deregistered one is gone from the registry) may fetch; any registered instance may
 * fetch any document, as an instance role with ssm:GetDocument may in SSM. Every fetch, refused or not, is in the
 * audit trail as `agent:GetDocument`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOCUMENT_FETCH_PREFIX, type FetchedDocumentBody } from '@tender/protocol';
import { authenticateAgentRequest, type AgentRequestAuthDeps } from '../api/agent-request-auth.js';
import { ApiError, isApiError } from '../api/errors.js';
import { sendJson, sourceOf } from '../api/http-api.js';
import type { AuditEvent } from '../audit/audit-record.js';
import type { ResolvedDocument } from './document-service.js';

export interface DocumentFetchDeps extends AgentRequestAuthDeps {
  resolve(name: string, version?: string): Promise<ResolvedDocument>;
  audit(event: AuditEvent): Promise<unknown>;
}

export const AGENT_GET_DOCUMENT = 'agent:GetDocument';

const DENIED = new Set(['MissingAuthenticationTokenException', 'InvalidSignatureException', 'SignatureExpired', 'UnrecognizedClientException']);

function parseRequest(req: IncomingMessage): { name: string; version: string | undefined } {
  const url = new URL(req.url ?? '/', 'http://tender');
  const usage = `${DOCUMENT_FETCH_PREFIX}<name>[?version=<version>]`;
  if (req.method !== 'GET') throw new ApiError('MethodNotAllowed', `documents are fetched with GET, not ${req.method ?? '(none)'}`, 405);
  const encoded = url.pathname.slice(DOCUMENT_FETCH_PREFIX.length);
  if (encoded === '' || encoded.includes('/')) throw new ApiError('InvalidRequest', `the fetch path must be ${usage}`, 400);
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new ApiError('InvalidRequest', 'the fetch path has malformed percent-encoding', 400);
  }
  const version = url.searchParams.get('version') ?? undefined;
  return { name, version: version === '' ? undefined : version };
}

export async function handleDocumentFetch(deps: DocumentFetchDeps, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const time = deps.now().toISOString();
  let caller = 'anonymous';
  let resource = req.url ?? '';
  try {
    const { name, version } = parseRequest(req);
    resource = version === undefined ? name : `${name}:${version}`;
    // The signed target is the request target exactly as sent, query included.
    caller = `agent:${authenticateAgentRequest(deps, req, req.url ?? '', body)}`;
    const resolved = await deps.resolve(name, version);
    const answer: FetchedDocumentBody = {
      Name: resolved.name,
      DocumentVersion: resolved.version,
      DocumentType: resolved.documentType,
      DocumentFormat: resolved.format,
      Hash: resolved.hash,
      Content: resolved.content,
    };
    await deps.audit({ time, caller, operation: AGENT_GET_DOCUMENT, resources: [`${resolved.name}:${resolved.version}`], source: sourceOf(req), outcome: 'success' });
    sendJson(res, 200, answer);
  } catch (caught) {
    const error = isApiError(caught) ? caught : new ApiError('InternalServerError', 'the document could not be read', 500);
    const claimed = req.headers['x-tender-instance'];
    const detail = caller === 'anonymous' && typeof claimed === 'string' ? `claimed ${claimed.slice(0, 64)}: ${error.message}` : error.message;
    await deps
      .audit({ time, caller, operation: AGENT_GET_DOCUMENT, resources: [resource.slice(0, 300)], source: sourceOf(req), outcome: DENIED.has(error.code) ? 'denied' : 'error', errorCode: error.code, detail: detail.slice(0, 500) })
      .catch(() => undefined);
    sendJson(res, error.status, error.toJSON());
  }
}
