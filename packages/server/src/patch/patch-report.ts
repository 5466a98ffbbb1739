/**
 * What AWS-RunPatchBaseline's step hands the control plane, read back: it goes through the agent's inventory
 * uploader (checksum first, spooled and resent until acknowledged) as SSM's own inventory types,
 *
 *   - AWS:PatchSummary, one row: SSM's schema (PatchGroup, BaselineId, SnapshotId, OwnerInformation, the counts,
 *     OperationType, OperationStartTime, OperationEndTime) plus the counts and fields DescribeInstancePatchStates
 *     has beyond it (InstalledPendingRebootCount, InstalledRejectedCount, AvailableSecurityUpdateCount, RebootOption,
 *     InstallOverrideList, ExecutionId);
 *   - AWS:ComplianceItem, one row per patch with ComplianceType `Patch`: SSM's schema (Id = the KB id or package
 *     name, Title, Status, Severity = the compliance level, Classification, PatchSeverity, PatchState as
 *     DescribeInstancePatches' State, PatchBaselineId, PatchGroup, InstalledTime) plus CVEIds and Version.
 *
 * Every value is a string, as inventory holds them; what is not a well-formed count or time is read as absent.
 */
import type { InventoryRow } from '../inventory/index.js';

export const PATCH_SUMMARY_TYPE = 'AWS:PatchSummary';
export const COMPLIANCE_ITEM_TYPE = 'AWS:ComplianceItem';

export const PATCH_COUNT_FIELDS = [
  'InstalledCount',
  'InstalledOtherCount',
  'InstalledPendingRebootCount',
  'InstalledRejectedCount',
  'MissingCount',
  'FailedCount',
  'UnreportedNotApplicableCount',
  'NotApplicableCount',
  'AvailableSecurityUpdateCount',
  'CriticalNonCompliantCount',
  'SecurityNonCompliantCount',
  'OtherNonCompliantCount',
] as const;
export type PatchCountField = (typeof PATCH_COUNT_FIELDS)[number];

/** One instance's last patch operation: DescribeInstancePatchStates' InstancePatchState (times as ISO strings). */
export interface InstancePatchStateRecord extends Record<PatchCountField, number> {
  InstanceId: string;
  PatchGroup: string;
  BaselineId: string;
  SnapshotId?: string;
  InstallOverrideList?: string;
  OwnerInformation?: string;
  OperationStartTime: string;
  OperationEndTime: string;
  Operation: 'Scan' | 'Install';
  LastNoRebootInstallOperationTime?: string;
  RebootOption?: 'RebootIfNeeded' | 'NoReboot';
  /** The command that reported it. */
  ExecutionId?: string;
}

/** DescribeInstancePatches' PatchComplianceData, plus the compliance level for the compliance item. */
export interface InstancePatch {
  Title: string;
  KBId: string;
  Classification: string;
  Severity: string;
  State: string;
  InstalledTime?: string;
  CVEIds?: string;
  Version?: string;
  ComplianceLevel: string;
}

const count = (value: string | undefined): number => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : 0);
const time = (value: string | undefined): string | undefined => (value !== undefined && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined);

/** The state recorded from an AWS:PatchSummary row; undefined when the row lacks what every state has. */
export function readPatchSummary(instanceId: string, row: InventoryRow | undefined): InstancePatchStateRecord | undefined {
  if (!row) return undefined;
  const start = time(row.OperationStartTime);
  const end = time(row.OperationEndTime);
  const operation = row.OperationType;
  if (!start || !end || (operation !== 'Scan' && operation !== 'Install') || !row.BaselineId) return undefined;
  const state = { InstanceId: instanceId, PatchGroup: row.PatchGroup ?? '', BaselineId: row.BaselineId, OperationStartTime: start, OperationEndTime: end, Operation: operation } as InstancePatchStateRecord;
  for (const field of PATCH_COUNT_FIELDS) state[field] = count(row[field]);
  if (row.SnapshotId) state.SnapshotId = row.SnapshotId;
  if (row.InstallOverrideList) state.InstallOverrideList = row.InstallOverrideList;
  if (row.OwnerInformation) state.OwnerInformation = row.OwnerInformation;
  if (row.RebootOption === 'RebootIfNeeded' || row.RebootOption === 'NoReboot') state.RebootOption = row.RebootOption;
  const lastNoReboot = time(row.LastNoRebootInstallOperationTime);
  if (lastNoReboot) state.LastNoRebootInstallOperationTime = lastNoReboot;
  if (row.ExecutionId) state.ExecutionId = row.ExecutionId;
  return state;
}

/** The patches among AWS:ComplianceItem rows (those of ComplianceType Patch). */
export function readPatches(rows: readonly InventoryRow[] | undefined): InstancePatch[] {
  const patches: InstancePatch[] = [];
  for (const row of rows ?? []) {
    if (row.ComplianceType !== 'Patch' || !row.Id || !row.PatchState) continue;
    const patch: InstancePatch = {
      Title: row.Title ?? row.Id,
      KBId: row.Id,
      Classification: row.Classification ?? '',
      Severity: row.PatchSeverity ?? '',
      State: row.PatchState,
      ComplianceLevel: row.Severity || 'UNSPECIFIED',
    };
    const installed = time(row.InstalledTime);
    if (installed) patch.InstalledTime = installed;
    if (row.CVEIds) patch.CVEIds = row.CVEIds;
    if (row.Version) patch.Version = row.Version;
    patches.push(patch);
  }
  return patches;
}
