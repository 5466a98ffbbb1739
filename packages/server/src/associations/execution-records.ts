/**
 * What the control plane keeps of association runs:
 *   - `association-runs`: one small record per runId the agents reported (what makes a resent report a no-op);
 *   - `association-executions`: one record per execution, with each target's latest result in it. A scheduled
 *     run of every host for one slot is one execution: its id is derived from (association, version, slot), so
 *     hosts reporting at different times, or the same report twice, land in the same record. A run-now execution
 *     has the id StartAssociationsOnce gave it;
 *   - `association-instance-status`: per instance and association, the latest result (DescribeInstanceAssociationsStatus,
 *     the Overview's counts).
 */
import { createHash } from 'node:crypto';
import type { AssociationRunReport, AssociationRunTrigger } from '@tender/protocol';

export const RUNS_TABLE = 'association-runs';
export const EXECUTIONS_TABLE = 'association-executions';
export const INSTANCE_STATUS_TABLE = 'association-instance-status';

export type RunStatus = AssociationRunReport['status'];

export interface RunRecord {
  runId: string;
  ExecutionId: string;
  InstanceId: string;
}

export interface ExecutionTargetRecord {
  ResourceId: string;
  Status: string;
  DetailedStatus: string;
  /** ISO 8601: when the run ended. */
  LastExecutionDate: string;
  runId?: string;
}

export interface AssociationExecutionRecord {
  ExecutionId: string;
  AssociationId: string;
  AssociationVersion: string;
  /** ISO 8601: the slot of a scheduled run, the version's change for an apply, the request for run-now. */
  CreatedTime: string;
  trigger: AssociationRunTrigger;
  /** Run-now: the instances it was sent to (the others, until they report, count as Pending). */
  expected?: string[];
  targets: Record<string, ExecutionTargetRecord>;
  LastExecutionDate?: string;
}

export interface InstanceAssociationStatusRecord {
  InstanceId: string;
  AssociationId: string;
  AssociationVersion: string;
  Name: string;
  DocumentVersion: string;
  AssociationName?: string;
  ExecutionDate: string;
  Status: string;
  DetailedStatus: string;
  ExecutionSummary: string;
  ErrorCode?: string;
  runId?: string;
}

export const instanceStatusKey = (instanceId: string, associationId: string): string => `${instanceId}/${associationId}`;

/** The execution of a scheduled (or apply) run: the same on every host and every resend, formatted as a UUID. */
export function scheduledExecutionId(associationId: string, associationVersion: string, scheduledAt: string): string {
  const hex = createHash('sha256').update(`${associationId}\n${associationVersion}\n${scheduledAt}`).digest('hex');
  // Version-5-like layout (name based), so it passes SSM's AssociationExecutionId pattern.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const FAILED = new Set(['Failed', 'TimedOut', 'Cancelled']);

export function isFailure(status: string): boolean {
  return FAILED.has(status);
}

/** An execution's Status, DetailedStatus and ResourceCountByStatus (SSM writes the counts as `{Success=2,Failed=1}`). */
export function executionStatus(execution: AssociationExecutionRecord): { Status: string; DetailedStatus: string; ResourceCountByStatus: string } {
  const counts = new Map<string, number>();
  for (const target of Object.values(execution.targets)) counts.set(target.Status, (counts.get(target.Status) ?? 0) + 1);
  const pending = (execution.expected ?? []).filter((id) => execution.targets[id] === undefined).length;
  if (pending > 0) counts.set('Pending', pending);
  const resourceCount = `{${[...counts].map(([status, n]) => `${status}=${n}`).join(',')}}`;
  if (counts.size === 0) return { Status: 'Failed', DetailedStatus: 'NoInstancesInTag', ResourceCountByStatus: resourceCount };
  if (pending > 0) return { Status: 'InProgress', DetailedStatus: 'InProgress', ResourceCountByStatus: resourceCount };
  const failed = [...counts.keys()].some(isFailure);
  return { Status: failed ? 'Failed' : 'Success', DetailedStatus: failed ? 'Failed' : 'Success', ResourceCountByStatus: resourceCount };
}
