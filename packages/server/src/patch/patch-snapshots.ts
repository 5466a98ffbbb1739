/**
 * Baseline snapshots (GetDeployablePatchSnapshotForInstance, and the agent's signed fetch for AWS-RunPatchBaseline):
 * the baseline that applies to an instance, frozen under a SnapshotId so that every step of a run, and every
 * instance patched under the same SnapshotId, sees the same rules at the same instant. The first request for a
 * (SnapshotId, instance) makes the snapshot; the same pair returns it unchanged until it expires. All instances
 * of one SnapshotId share its approval instant (`createdAt`, what ApproveAfterDays counts to), so that a
 * maintenance window patching a fleet approves the same patches everywhere.
 *
 * An expired snapshot is not made again under its old id: the request fails, naming the expiry, and the caller
 * runs with a new SnapshotId. Expired records are kept (without their rules) for a while to say so, then dropped.
 */
import type { PatchBaselineSnapshot } from '@tender/plugin-api';
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { Store, Table } from '../store/store.js';
import { checkBaselineRules, completeRules, readBaselineFields } from './baseline-input.js';
import type { BaselineRulesFields } from './baseline-records.js';
import { productOf } from './instance-patch-facts.js';
import type { PatchBaselineService } from './patch-baseline-service.js';

/** How long a snapshot lives: long enough for a maintenance window's run, with reboots, to finish under one id. */
export const SNAPSHOT_LIFETIME_MS = 24 * 3_600_000;
/** How long an expired snapshot's record stays to explain the refusal. */
const EXPIRED_RECORD_KEPT_MS = 30 * 24 * 3_600_000;

export const SNAPSHOT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

interface SnapshotRecord {
  SnapshotId: string;
  InstanceId: string;
  Product?: string;
  createdAt: string;
  expiresAt: string;
  /** Absent once expired. */
  snapshot?: PatchBaselineSnapshot;
}

export interface DeployableSnapshot {
  snapshot: PatchBaselineSnapshot;
  product?: string;
}

/** The snapshot of `rules` for an instance, as the agent gets it. */
function snapshotOf(rules: BaselineRulesFields, ids: { snapshotId: string; instanceId: string; baselineId: string; patchGroup?: string }, createdAt: string): PatchBaselineSnapshot {
  return {
    snapshotId: ids.snapshotId,
    instanceId: ids.instanceId,
    baselineId: ids.baselineId,
    operatingSystem: rules.OperatingSystem,
    ...(ids.patchGroup !== undefined ? { patchGroup: ids.patchGroup } : {}),
    globalFilters: rules.GlobalFilters.PatchFilters,
    approvalRules: rules.ApprovalRules.PatchRules,
    approvedPatches: rules.ApprovedPatches,
    approvedPatchesComplianceLevel: rules.ApprovedPatchesComplianceLevel,
    approvedPatchesEnableNonSecurity: rules.ApprovedPatchesEnableNonSecurity,
    rejectedPatches: rules.RejectedPatches,
    rejectedPatchesAction: rules.RejectedPatchesAction,
    createdAt,
  };
}

export class PatchSnapshots {
  private readonly table: Table<SnapshotRecord>;
  private readonly now: () => Date;

  constructor(
    store: Store,
    private readonly baselines: PatchBaselineService,
    options: { now?: () => Date; lifetimeMs?: number } = {},
  ) {
    this.table = store.table('patch-snapshots');
    this.now = options.now ?? (() => new Date());
    this.lifetimeMs = options.lifetimeMs ?? SNAPSHOT_LIFETIME_MS;
  }

  private readonly lifetimeMs: number;

  /**
   * The snapshot for (snapshotId, instance), made now if there is none. `override` is a BaselineOverride (the
   * API's shape): the snapshot then holds its rules instead of the instance's baseline, under BaselineId
   * `BaselineOverride`.
   */
  async deployable(instance: InstanceRecord, snapshotId: string, override?: Input): Promise<DeployableSnapshot> {
    if (!SNAPSHOT_ID.test(snapshotId)) {
      throw new ApiError('ValidationException', `1 validation error detected: Value '${snapshotId}' at 'snapshotId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${SNAPSHOT_ID.source}`);
    }
    const key = `${snapshotId}/${instance.InstanceId}`;
    const now = this.now();
    const existing = await this.table.get(key);
    if (existing) {
      if (!existing.snapshot || Date.parse(existing.expiresAt) <= now.getTime()) {
        await this.expire(key, existing);
        throw new ApiError('DoesNotExistException', `Patch snapshot ${snapshotId} for ${instance.InstanceId} expired at ${existing.expiresAt} (snapshots live ${this.lifetimeMs / 3_600_000} hours); run AWS-RunPatchBaseline with a new SnapshotId, or none`);
      }
      return { snapshot: existing.snapshot, ...(existing.Product ? { product: existing.Product } : {}) };
    }
    const shared = await this.sharedCreatedAt(snapshotId, now);
    const sharedExpiry = Date.parse(shared) + this.lifetimeMs;
    if (sharedExpiry <= now.getTime()) {
      throw new ApiError('DoesNotExistException', `Patch snapshot ${snapshotId} expired at ${new Date(sharedExpiry).toISOString()} (snapshots live ${this.lifetimeMs / 3_600_000} hours); run AWS-RunPatchBaseline with a new SnapshotId, or none`);
    }
    const { baseline, patchGroup, operatingSystem } = await this.baselines.baselineForInstance(instance);
    let rules: BaselineRulesFields = baseline;
    let baselineId = baseline.BaselineId;
    if (override !== undefined && override !== null) {
      if (typeof override !== 'object' || Array.isArray(override)) throw new ApiError('SerializationException', 'BaselineOverride must be an object');
      const fields = readBaselineFields(override);
      rules = completeRules({ ...fields, OperatingSystem: fields.OperatingSystem ?? operatingSystem });
      checkBaselineRules(rules, true);
      if (rules.OperatingSystem !== operatingSystem) {
        throw new ApiError('UnsupportedOperatingSystem', `BaselineOverride is for ${rules.OperatingSystem}, but ${instance.InstanceId} runs ${operatingSystem}`);
      }
      baselineId = 'BaselineOverride';
    }
    const product = productOf(instance);
    const record: SnapshotRecord = {
      SnapshotId: snapshotId,
      InstanceId: instance.InstanceId,
      ...(product ? { Product: product } : {}),
      createdAt: now.toISOString(),
      expiresAt: new Date(sharedExpiry).toISOString(),
      snapshot: snapshotOf(completeRules(rules), { snapshotId, instanceId: instance.InstanceId, baselineId, ...(patchGroup !== undefined ? { patchGroup } : {}) }, shared),
    };
    if (!(await this.table.insert(key, record))) return this.deployable(instance, snapshotId, override); // made meanwhile
    return { snapshot: record.snapshot!, ...(product ? { product } : {}) };
  }

  /** The approval instant of a SnapshotId: that of its first snapshot on any instance, else now. */
  private async sharedCreatedAt(snapshotId: string, now: Date): Promise<string> {
    const siblings = (await this.table.readAll()).filter((r) => r.SnapshotId === snapshotId);
    if (siblings.length === 0) return now.toISOString();
    return siblings.map((r) => r.snapshot?.createdAt ?? r.createdAt).sort()[0]!;
  }

  private async expire(key: string, record: SnapshotRecord): Promise<void> {
    if (Date.parse(record.expiresAt) + EXPIRED_RECORD_KEPT_MS <= this.now().getTime()) {
      await this.table.delete(key);
    } else if (record.snapshot) {
      const { snapshot: _rules, ...kept } = record;
      await this.table.put(key, kept);
    }
  }
}
