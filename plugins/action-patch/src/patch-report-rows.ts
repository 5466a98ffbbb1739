/**
 * The result of a patch operation as the inventory rows the control plane reads (its patch/patch-report.ts):
 * AWS:PatchSummary (SSM's schema, plus the counts and fields DescribeInstancePatchStates has beyond it) and one
 * AWS:ComplianceItem row per patch with ComplianceType `Patch` (SSM's schema, plus CVEIds and Version). Values are
 * strings, as inventory holds them.
 */
import { countPatchStates } from '@tender/patch-baseline';
import type { PatchBaselineSnapshot, PatchReportEntry, PatchStateName } from '@tender/plugin-api';

export interface OperationFacts {
  operation: 'Scan' | 'Install';
  snapshot: PatchBaselineSnapshot;
  startTime: Date;
  endTime: Date;
  rebootOption: 'RebootIfNeeded' | 'NoReboot';
  installOverrideList?: string[];
  /** The command that ran the operation. */
  executionId: string;
  /** Install with NoReboot: when it ran (LastNoRebootInstallOperationTime). */
  lastNoRebootInstallTime?: Date;
}

/** States that leave a patch, and so the host, non-compliant. */
export const NON_COMPLIANT_STATES: ReadonlySet<PatchStateName> = new Set(['MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED', 'AVAILABLE_SECURITY_UPDATE']);

export type PatchCounts = Record<string, number>;

/** The state counts plus SSM's non-compliance split: Critical (compliance level), Security (classification), Other. */
export function countPatches(patches: readonly PatchReportEntry[]): PatchCounts {
  const counts: PatchCounts = { ...countPatchStates(patches), CriticalNonCompliantCount: 0, SecurityNonCompliantCount: 0, OtherNonCompliantCount: 0 };
  for (const patch of patches) {
    if (!NON_COMPLIANT_STATES.has(patch.State)) continue;
    if (patch.ComplianceLevel === 'CRITICAL') counts.CriticalNonCompliantCount! += 1;
    else if (/secur/i.test(patch.Classification)) counts.SecurityNonCompliantCount! += 1;
    else counts.OtherNonCompliantCount! += 1;
  }
  return counts;
}

/** Inventory wants `yyyy-MM-ddTHH:mm:ssZ` capture times. */
export function captureTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export interface InventoryItem {
  TypeName: string;
  SchemaVersion: string;
  CaptureTime: string;
  Content: Array<Record<string, string>>;
  Context?: Record<string, string>;
}

export function patchReportItems(facts: OperationFacts, patches: readonly PatchReportEntry[]): InventoryItem[] {
  const { snapshot } = facts;
  const counts = countPatches(patches);
  const summary: Record<string, string> = {
    PatchGroup: snapshot.patchGroup ?? '',
    BaselineId: snapshot.baselineId,
    SnapshotId: snapshot.snapshotId,
    OperationType: facts.operation,
    OperationStartTime: facts.startTime.toISOString(),
    OperationEndTime: facts.endTime.toISOString(),
    RebootOption: facts.rebootOption,
    ExecutionId: facts.executionId,
    ...Object.fromEntries(Object.entries(counts).map(([name, value]) => [name, String(value)])),
  };
  if (facts.installOverrideList) summary.InstallOverrideList = facts.installOverrideList.join(',').slice(0, 4096);
  if (facts.lastNoRebootInstallTime) summary.LastNoRebootInstallOperationTime = facts.lastNoRebootInstallTime.toISOString();
  const executionTime = facts.endTime.toISOString();
  const rows = patches.map((patch) => {
    const row: Record<string, string> = {
      ComplianceType: 'Patch',
      ExecutionId: facts.executionId,
      ExecutionType: 'Command',
      ExecutionTime: executionTime,
      Id: patch.KBId,
      Title: patch.Title,
      Status: NON_COMPLIANT_STATES.has(patch.State) ? 'NON_COMPLIANT' : 'COMPLIANT',
      Severity: patch.ComplianceLevel ?? 'UNSPECIFIED',
      Classification: patch.Classification,
      PatchSeverity: patch.Severity,
      PatchState: patch.State,
      PatchBaselineId: snapshot.baselineId,
      PatchGroup: snapshot.patchGroup ?? '',
    };
    if (patch.InstalledTime) row.InstalledTime = patch.InstalledTime;
    if (patch.CVEIds) row.CVEIds = patch.CVEIds.slice(0, 4096);
    if (patch.Version) row.Version = patch.Version;
    return row;
  });
  const capture = captureTime(facts.endTime);
  return [
    { TypeName: 'AWS:PatchSummary', SchemaVersion: '1.0', CaptureTime: capture, Content: [summary] },
    { TypeName: 'AWS:ComplianceItem', SchemaVersion: '1.0', CaptureTime: capture, Content: rows, Context: { ComplianceType: 'Patch', ExecutionId: facts.executionId, ExecutionType: 'Command', ExecutionTime: executionTime } },
  ];
}
