/**
 * The agent's side door to GetDeployablePatchSnapshotForInstance: `PUT /tender/v1/patch-snapshots/<snapshotId>`,
 * signed with the agent's key (@tender/protocol's patch-snapshot-fetch.ts). An instance gets its own snapshot only:
 * the instance is the request's signer, never a field of the request. Every fetch, refused or not, is in the
 * audit trail as `agent:GetDeployablePatchSnapshotForInstance`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PATCH_SNAPSHOT_FETCH_PREFIX, type FetchedPatchSnapshotBody } from '@tender/protocol';
import { authenticateAgentRequest, type AgentRequestAuthDeps } from '../api/agent-request-auth.js';
import { ApiError, isApiError } from '../api/errors.js';
import { sendJson, sourceOf } from '../api/http-api.js';
import type { AuditEvent } from '../audit/audit-record.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { PatchSnapshots } from './patch-snapshots.js';

export interface SnapshotFetchDeps extends AgentRequestAuthDeps {
  instance(instanceId: string): InstanceRecord | undefined;
  snapshots: Pick<PatchSnapshots, 'deployable'>;
  audit(event: AuditEvent): Promise<unknown>;
}

export const AGENT_GET_PATCH_SNAPSHOT = 'agent:GetDeployablePatchSnapshotForInstance';
const DENIED = new Set(['MissingAuthenticationTokenException', 'InvalidSignatureException', 'SignatureExpired', 'UnrecognizedClientException']);

function snapshotIdOf(req: IncomingMessage): string {
  if (req.method !== 'PUT') throw new ApiError('MethodNotAllowed', `patch snapshots are fetched with PUT, not ${req.method ?? '(none)'}`, 405);
  const encoded = new URL(req.url ?? '/', 'http://tender').pathname.slice(PATCH_SNAPSHOT_FETCH_PREFIX.length);
  if (encoded === '' || encoded.includes('/')) throw new ApiError('InvalidRequest', `the fetch path must be ${PATCH_SNAPSHOT_FETCH_PREFIX}<snapshotId>`, 400);
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ApiError('InvalidRequest', 'the fetch path has malformed percent-encoding', 400);
  }
}

function overrideOf(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'the snapshot request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError('SerializationException', 'the snapshot request body must be a JSON object');
  const override = (parsed as { BaselineOverride?: unknown }).BaselineOverride;
  if (override === undefined || override === null) return undefined;
  if (typeof override !== 'object' || Array.isArray(override)) throw new ApiError('SerializationException', 'BaselineOverride must be an object');
  return override as Record<string, unknown>;
}

export async function handlePatchSnapshotFetch(deps: SnapshotFetchDeps, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const time = deps.now().toISOString();
  let caller = 'anonymous';
  let resource = req.url ?? '';
  try {
    const snapshotId = snapshotIdOf(req);
    resource = snapshotId;
    const instanceId = authenticateAgentRequest(deps, req, req.url ?? '', body);
    caller = `agent:${instanceId}`;
    const instance = deps.instance(instanceId);
    if (!instance) throw new ApiError('UnrecognizedClientException', `${instanceId} is not a registered instance`, 401);
    const { snapshot, product } = await deps.snapshots.deployable(instance, snapshotId, overrideOf(body));
    const answer: FetchedPatchSnapshotBody = { SnapshotId: snapshotId, InstanceId: instanceId, ...(product ? { Product: product } : {}), Snapshot: snapshot as unknown as Record<string, unknown> };
    await deps.audit({ time, caller, operation: AGENT_GET_PATCH_SNAPSHOT, resources: [instanceId, snapshotId], source: sourceOf(req), outcome: 'success' });
    sendJson(res, 200, answer);
  } catch (caught) {
    const error = isApiError(caught) ? caught : new ApiError('InternalServerError', 'the patch snapshot could not be made', 500);
    await deps
      .audit({ time, caller, operation: AGENT_GET_PATCH_SNAPSHOT, resources: [resource.slice(0, 300)], source: sourceOf(req), outcome: DENIED.has(error.code) ? 'denied' : 'error', errorCode: error.code, detail: error.message.slice(0, 500) })
      .catch(() => undefined);
    sendJson(res, error.status, error.toJSON());
  }
}
