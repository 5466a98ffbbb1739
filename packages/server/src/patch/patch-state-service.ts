/**
 * Patch states: what AWS-RunPatchBaseline reported per instance (its last operation's summary, kept in the store's
 * `patch-states` table; the per-patch rows stay where the agent put them, in inventory's AWS:ComplianceItem), the
 * compliance it implies (ComplianceType Patch, through the ComplianceRecorder), and the fleet and patch-group
 * roll-ups that DescribePatchGroupState and `tender patch status` show.
 */
import type { Logger } from 'pino';
import { ordinal } from '../api/pagination.js';
import type { ComplianceItemEntry, ComplianceItemSeverity, ComplianceRecorder } from '../compliance/compliance-recorder.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { InventoryRow } from '../inventory/index.js';
import type { Store, Table } from '../store/store.js';
import { patchGroupOf } from './instance-patch-facts.js';
import { COMPLIANCE_ITEM_TYPE, PATCH_SUMMARY_TYPE, readPatches, readPatchSummary, type InstancePatch, type InstancePatchStateRecord } from './patch-report.js';

export interface PatchStateServiceOptions {
  store: Store;
  /** The stored inventory rows of a host (InventoryService.rowsOf). */
  inventoryRows: (instanceId: string, typeName: string) => readonly InventoryRow[] | undefined;
  instances: { get(instanceId: string): InstanceRecord | undefined; all(): InstanceRecord[] };
  /** Where patch compliance goes (the compliance service); absent, none is recorded. */
  compliance?: ComplianceRecorder;
  logger?: Logger;
}

/** States that make a patch, and so its instance, non-compliant. */
const NON_COMPLIANT = new Set(['MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED', 'AVAILABLE_SECURITY_UPDATE']);
const SEVERITIES = new Set<ComplianceItemSeverity>(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED']);
/** SSM's spelling of a patch state in compliance details (`InstalledPendingReboot`), from the API's (`INSTALLED_PENDING_REBOOT`). */
const detailState = (state: string): string => state.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _sep: string, letter: string) => letter.toUpperCase());

/** The patch-group roll-up (DescribePatchGroupState's fields). */
export interface PatchGroupState {
  Instances: number;
  InstancesWithInstalledPatches: number;
  InstancesWithInstalledOtherPatches: number;
  InstancesWithInstalledPendingRebootPatches: number;
  InstancesWithInstalledRejectedPatches: number;
  InstancesWithMissingPatches: number;
  InstancesWithFailedPatches: number;
  InstancesWithNotApplicablePatches: number;
  InstancesWithUnreportedNotApplicablePatches: number;
  InstancesWithCriticalNonCompliantPatches: number;
  InstancesWithSecurityNonCompliantPatches: number;
  InstancesWithOtherNonCompliantPatches: number;
  InstancesWithAvailableSecurityUpdates: number;
}

export class PatchStateService {
  private readonly table: Table<InstancePatchStateRecord>;

  constructor(private readonly options: PatchStateServiceOptions) {
    this.table = options.store.table('patch-states');
  }

  /**
   * An agent's inventory upload was applied: when it carried the patch types, record the state they describe and
   * its compliance. Idempotent: a resent upload records the same state again.
   */
  async uploaded(instanceId: string, accepted: readonly string[]): Promise<void> {
    if (!accepted.includes(PATCH_SUMMARY_TYPE) && !accepted.includes(COMPLIANCE_ITEM_TYPE)) return;
    const state = readPatchSummary(instanceId, this.options.inventoryRows(instanceId, PATCH_SUMMARY_TYPE)?.[0]);
    if (!state) return;
    const previous = await this.table.get(instanceId);
    if (previous && previous.OperationEndTime > state.OperationEndTime) return; // an older report, resent late
    // Compliance first: whoever sees the new state (DescribeInstancePatchStates, tender patch status) finds its
    // compliance items already there. If either write fails, the host's next report brings both again.
    if (this.options.compliance) await this.recordCompliance(state, this.patches(instanceId));
    await this.table.put(instanceId, state);
  }

  private async recordCompliance(state: InstancePatchStateRecord, patches: InstancePatch[]): Promise<void> {
    const items: ComplianceItemEntry[] = patches.map((patch) => {
      const details: Record<string, string> = {
        Classification: patch.Classification,
        PatchSeverity: patch.Severity,
        PatchState: detailState(patch.State),
        PatchBaselineId: state.BaselineId,
        PatchGroup: state.PatchGroup,
      };
      if (patch.InstalledTime) details.InstalledTime = patch.InstalledTime;
      if (patch.CVEIds) details.CVEIds = patch.CVEIds;
      const severity = patch.ComplianceLevel as ComplianceItemSeverity;
      return {
        Id: patch.KBId.slice(0, 100),
        Title: patch.Title.slice(0, 500),
        Severity: SEVERITIES.has(severity) ? severity : 'UNSPECIFIED',
        Status: NON_COMPLIANT.has(patch.State) ? 'NON_COMPLIANT' : 'COMPLIANT',
        Details: details,
      };
    });
    await this.options.compliance!.put({
      ResourceId: state.InstanceId,
      ResourceType: 'ManagedInstance',
      ComplianceType: 'Patch',
      ExecutionSummary: { ExecutionTime: new Date(state.OperationEndTime), ...(state.ExecutionId ? { ExecutionId: state.ExecutionId, ExecutionType: 'Command' } : {}) },
      Items: items,
      UploadType: 'COMPLETE',
    });
  }

  /** A deregistered instance's patch state goes with it (its inventory and compliance are removed by their services). */
  async removeInstance(instanceId: string): Promise<void> {
    await this.table.delete(instanceId);
  }

  async state(instanceId: string): Promise<InstancePatchStateRecord | undefined> {
    return this.table.get(instanceId);
  }

  async states(): Promise<InstancePatchStateRecord[]> {
    return (await this.table.list()).sort((a, b) => ordinal(a.InstanceId, b.InstanceId));
  }

  /** The patches an instance reported last (DescribeInstancePatches). */
  patches(instanceId: string): InstancePatch[] {
    return readPatches(this.options.inventoryRows(instanceId, COMPLIANCE_ITEM_TYPE));
  }

  /** The registered instances in a patch group (by their `Patch Group` / `PatchGroup` tag). */
  instancesIn(patchGroup: string): InstanceRecord[] {
    return this.options.instances.all().filter((record) => patchGroupOf(record) === patchGroup);
  }

  /** DescribePatchGroupState: how many of the group's instances have patches in each state. */
  async groupState(patchGroup: string): Promise<PatchGroupState> {
    const members = this.instancesIn(patchGroup);
    const states = (await Promise.all(members.map((record) => this.table.get(record.InstanceId)))).filter((s): s is InstancePatchStateRecord => s !== undefined);
    const having = (field: keyof InstancePatchStateRecord) => states.filter((s) => Number(s[field]) > 0).length;
    return {
      Instances: members.length,
      InstancesWithInstalledPatches: having('InstalledCount'),
      InstancesWithInstalledOtherPatches: having('InstalledOtherCount'),
      InstancesWithInstalledPendingRebootPatches: having('InstalledPendingRebootCount'),
      InstancesWithInstalledRejectedPatches: having('InstalledRejectedCount'),
      InstancesWithMissingPatches: having('MissingCount'),
      InstancesWithFailedPatches: having('FailedCount'),
      InstancesWithNotApplicablePatches: having('NotApplicableCount'),
      InstancesWithUnreportedNotApplicablePatches: having('UnreportedNotApplicableCount'),
      InstancesWithCriticalNonCompliantPatches: having('CriticalNonCompliantCount'),
      InstancesWithSecurityNonCompliantPatches: having('SecurityNonCompliantCount'),
      InstancesWithOtherNonCompliantPatches: having('OtherNonCompliantCount'),
      InstancesWithAvailableSecurityUpdates: having('AvailableSecurityUpdateCount'),
    };
  }
}
