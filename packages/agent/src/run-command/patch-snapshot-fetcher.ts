import type { PatchBaselineSnapshot } from '@tender/plugin-api';
import { patchSnapshotFetchTarget, type FetchedPatchSnapshotBody, type PatchSnapshotRequestBody } from '@tender/protocol';
import { describeErrorBody, sendSignedRequest, type ControlPlaneTarget } from './signed-request.js';

/** How long the control plane may take to answer a snapshot fetch. */
export const PATCH_SNAPSHOT_FETCH_TIMEOUT_MS = 30_000;

/**
 * Fetches this instance's patch baseline snapshot (a PUT signed with the agent's key: @tender/protocol's
 * patch-snapshot-fetch), made by the control plane the first time the SnapshotId is asked for. Rejects with the
 * control plane's error (`DoesNotExistException: Patch snapshot ... expired ...`, `UnsupportedOperatingSystem: ...`,
 * a ValidationException for a bad BaselineOverride) or the network's.
 */
export async function fetchPatchSnapshot(target: ControlPlaneTarget, snapshotId: string, baselineOverride?: Record<string, unknown>): Promise<PatchBaselineSnapshot> {
  const request: PatchSnapshotRequestBody = baselineOverride ? { BaselineOverride: baselineOverride } : {};
  const body = Buffer.from(JSON.stringify(request), 'utf8');
  const response = await sendSignedRequest(target, 'PUT', patchSnapshotFetchTarget(snapshotId), body, { timeoutMs: PATCH_SNAPSHOT_FETCH_TIMEOUT_MS, headers: { 'content-type': 'application/json' } });
  if (response.status !== 200) throw new Error(describeErrorBody(response.status, response.body));
  let answer: FetchedPatchSnapshotBody;
  try {
    answer = JSON.parse(response.body.toString('utf8')) as FetchedPatchSnapshotBody;
  } catch {
    throw new Error(`the control plane's answer for patch snapshot ${snapshotId} is not JSON`);
  }
  const snapshot = answer?.Snapshot as unknown as PatchBaselineSnapshot | undefined;
  if (!snapshot || typeof snapshot.baselineId !== 'string' || typeof snapshot.operatingSystem !== 'string' || !Array.isArray(snapshot.approvalRules)) {
    throw new Error(`the control plane's answer for patch snapshot ${snapshotId} lacks the snapshot's baseline`);
  }
  return snapshot;
}
