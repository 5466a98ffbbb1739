/**
 * An agent fetching its patch baseline snapshot for AWS-RunPatchBaseline (what GetDeployablePatchSnapshotForInstance
 * makes): `PUT /tender/v1/patch-snapshots/<snapshotId>` with a JSON body `{"BaselineOverride": {...}}` (or `{}`),
 * signed as every agent request is (agent-request.ts). PUT, because the first request under a SnapshotId makes the
 * snapshot and every later one gets the same snapshot back. The instance is the one that signed the request.
 */

export const PATCH_SNAPSHOT_FETCH_PREFIX = '/tender/v1/patch-snapshots/';

/** The request target to send and sign. */
export function patchSnapshotFetchTarget(snapshotId: string): string {
  return `${PATCH_SNAPSHOT_FETCH_PREFIX}${encodeURIComponent(snapshotId)}`;
}

export interface PatchSnapshotRequestBody {
  /** SSM's BaselineOverride shape: the rules to use instead of the instance's baseline. */
  BaselineOverride?: Record<string, unknown>;
}

/** The control plane's answer. `Snapshot` is @tender/plugin-api's PatchBaselineSnapshot. */
export interface FetchedPatchSnapshotBody {
  SnapshotId: string;
  InstanceId: string;
  /** SSM's PRODUCT of the instance (`Debian12`, ...), where known. */
  Product?: string;
  Snapshot: Record<string, unknown>;
}
