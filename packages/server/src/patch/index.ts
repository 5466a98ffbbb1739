/**
 * Patch Manager on the control plane. Wiring (control-plane.ts):
 *
 *   const patching = new PatchManager({ store, region, accountId, now, instances: registry, inventory, compliance });
 *   operations: [...patching.operations(() => endpoint)]
 *   prefixRoutes: PATCH_SNAPSHOT_FETCH_PREFIX → handlePatchSnapshotFetch({ ..., snapshots: patching.snapshots }, ...)
 *
 * Results arrive as inventory (AWS:PatchSummary and AWS:ComplianceItem rows of ComplianceType Patch, from
 * AWS-RunPatchBaseline's step): the inventory service tells the patch states when an upload carrying them is applied.
 */
import type { Logger } from 'pino';
import type { ComplianceRecorder } from '../compliance/compliance-recorder.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { InventoryService } from '../inventory/index.js';
import type { Store } from '../store/store.js';
import type { Operation } from '../api/operation.js';
import { patchOperations } from './operations.js';
import { PatchBaselineService } from './patch-baseline-service.js';
import { PatchSnapshots } from './patch-snapshots.js';
import { PatchStateService } from './patch-state-service.js';

export { PatchBaselineService, MAX_BASELINES, MAX_GROUPS_PER_BASELINE } from './patch-baseline-service.js';
export { PatchSnapshots, SNAPSHOT_LIFETIME_MS } from './patch-snapshots.js';
export { PatchStateService } from './patch-state-service.js';
export { patchOperations } from './operations.js';
export { handlePatchSnapshotFetch, AGENT_GET_PATCH_SNAPSHOT } from './snapshot-fetch.js';
export { PATCH_SUMMARY_TYPE, COMPLIANCE_ITEM_TYPE } from './patch-report.js';

export interface PatchManagerOptions {
  store: Store;
  region: string;
  accountId: string;
  now?: () => Date;
  instances: { get(instanceId: string): InstanceRecord | undefined; all(): InstanceRecord[] };
  inventory: Pick<InventoryService, 'rowsOf' | 'onUploadApplied'>;
  compliance?: ComplianceRecorder;
  logger?: Logger;
  /** For tests: snapshot lifetime and limits. */
  snapshotLifetimeMs?: number;
  limits?: { baselines?: number; groupsPerBaseline?: number };
}

export class PatchManager {
  readonly baselines: PatchBaselineService;
  readonly snapshots: PatchSnapshots;
  readonly states: PatchStateService;

  constructor(private readonly options: PatchManagerOptions) {
    const now = options.now;
    this.baselines = new PatchBaselineService({ store: options.store, region: options.region, accountId: options.accountId, ...(now ? { now } : {}), ...(options.limits ? { limits: options.limits } : {}) });
    this.snapshots = new PatchSnapshots(options.store, this.baselines, { ...(now ? { now } : {}), ...(options.snapshotLifetimeMs ? { lifetimeMs: options.snapshotLifetimeMs } : {}) });
    this.states = new PatchStateService({
      store: options.store,
      inventoryRows: (instanceId, typeName) => options.inventory.rowsOf(instanceId, typeName),
      instances: options.instances,
      ...(options.compliance ? { compliance: options.compliance } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    options.inventory.onUploadApplied((instanceId, accepted) => this.states.uploaded(instanceId, accepted));
  }

  operations(endpoint: () => string | undefined): Operation[] {
    return patchOperations({ baselines: this.baselines, snapshots: this.snapshots, states: this.states, instances: this.options.instances, endpoint });
  }
}
