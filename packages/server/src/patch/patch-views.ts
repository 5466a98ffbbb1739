/** Patch Manager records as the API shows them (timestamps as epoch seconds, SSM's member names). */
import { epochSeconds } from '../api/wire-format.js';
import type { PatchBaselineRecord } from './baseline-records.js';
import type { InstancePatch, InstancePatchStateRecord } from './patch-report.js';

export function baselineIdentity(record: PatchBaselineRecord, isDefault: boolean) {
  return {
    BaselineId: record.BaselineId,
    BaselineName: record.Name,
    OperatingSystem: record.OperatingSystem,
    ...(record.Description !== undefined ? { BaselineDescription: record.Description } : {}),
    DefaultBaseline: isDefault,
  };
}

/** GetPatchBaseline / UpdatePatchBaseline's answer (PatchGroups only in GetPatchBaseline's). */
export function describeBaseline(record: PatchBaselineRecord, patchGroups?: string[]) {
  return {
    BaselineId: record.BaselineId,
    Name: record.Name,
    OperatingSystem: record.OperatingSystem,
    GlobalFilters: record.GlobalFilters,
    ApprovalRules: record.ApprovalRules,
    ApprovedPatches: record.ApprovedPatches,
    ApprovedPatchesComplianceLevel: record.ApprovedPatchesComplianceLevel,
    ApprovedPatchesEnableNonSecurity: record.ApprovedPatchesEnableNonSecurity,
    RejectedPatches: record.RejectedPatches,
    RejectedPatchesAction: record.RejectedPatchesAction,
    ...(patchGroups ? { PatchGroups: patchGroups } : {}),
    CreatedDate: epochSeconds(record.CreatedDate),
    ModifiedDate: epochSeconds(record.ModifiedDate),
    ...(record.Description !== undefined ? { Description: record.Description } : {}),
    Sources: record.Sources,
    ...(record.AvailableSecurityUpdatesComplianceStatus ? { AvailableSecurityUpdatesComplianceStatus: record.AvailableSecurityUpdatesComplianceStatus } : {}),
  };
}

export function describeInstancePatchState(state: InstancePatchStateRecord) {
  const { OperationStartTime, OperationEndTime, LastNoRebootInstallOperationTime, ExecutionId: _execution, ...rest } = state;
  return {
    ...rest,
    OperationStartTime: epochSeconds(OperationStartTime),
    OperationEndTime: epochSeconds(OperationEndTime),
    ...(LastNoRebootInstallOperationTime ? { LastNoRebootInstallOperationTime: epochSeconds(LastNoRebootInstallOperationTime) } : {}),
  };
}

/** PatchComplianceData: InstalledTime is required in SSM's shape; a patch never installed shows the epoch, as SSM's do. */
export function describeInstancePatch(patch: InstancePatch) {
  return {
    Title: patch.Title,
    KBId: patch.KBId,
    Classification: patch.Classification,
    Severity: patch.Severity,
    State: patch.State,
    InstalledTime: patch.InstalledTime ? epochSeconds(patch.InstalledTime) : 0,
    ...(patch.CVEIds ? { CVEIds: patch.CVEIds } : {}),
  };
}
