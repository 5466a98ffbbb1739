/**
 * What the control plane keeps of association runs:
 *   - `association-runs`: one small record per runId the agents reported (what makes a resent report a no-op);
 *   - `association-executions`: one small record per execution, with counts by status. A scheduled run of every
 *     host for one slot is one execution: its id is derived from (association, version, slot), so hosts reporting
 *     at different times, or the same report twice, land in the same record. A run-now execution has the id
 *     StartAssociationsOnce gave it;
 *   - `association-execution-targets`: per execution and host, its latest result (a row each, so a host's report
 *     rewrites its own row and the small execution record, never a record that grows with the fleet). Run-now
 *     writes a Pending row for each host it was sent to;
 *   - `association-instance-status`: per instance and association, the latest result (DescribeInstanceAssociationsStatus,
 *     the Overview's counts).
 */
import { createHash } from 'node:crypto';
import type { AssociationRunReport, AssociationRunTrigger } from '@tender/protocol';

export const RUNS_TABLE = 'association-runs';
export const EXECUTIONS_TABLE = 'association-executions';
export const EXECUTION_TARGETS_TABLE = 'association-execution-targets';
export const INSTANCE_STATUS_TABLE = 'association-instance-status';

export type RunStatus = AssociationRunReport['status'];

export interface RunRecord {
  runId: string;
  ExecutionId: string;
  InstanceId: string;
}

export interface ExecutionTargetRecord {
  ExecutionId: string;
  ResourceId: string;
  Status: string;
  DetailedStatus: string;
  /** ISO 8601: when the run ended. */
  LastExecutionDate: string;
  runId?: string;
  /** ISO 8601: when a run-now execution asked this host (written before the message goes; see resumeRunNow). */
  askedAt?: string;
}

export interface AssociationExecutionRecord {
  ExecutionId: string;
  AssociationId: string;
  AssociationVersion: string;
  /** ISO 8601: the slot of a scheduled run, the version's change for an apply, the request for run-now. */
  CreatedTime: string;
  trigger: AssociationRunTrigger;
  /** How many of its targets are at each status (their rows are in EXECUTION_TARGETS_TABLE). */
  counts: Record<string, number>;
  LastExecutionDate?: string;
}

export const executionTargetKey = (executionId: string, instanceId: string): string => `${executionId}/${instanceId}`;

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
  const counts = Object.entries(execution.counts).filter(([, n]) => n > 0);
  const resourceCount = `{${counts.map(([status, n]) => `${status}=${n}`).join(',')}}`;
  if (counts.length === 0) return { Status: 'Failed', DetailedStatus: 'NoInstancesInTag', ResourceCountByStatus: resourceCount };
  if (counts.some(([status]) => status === 'Pending')) return { Status: 'InProgress', DetailedStatus: 'InProgress', ResourceCountByStatus: resourceCount };
  const failed = counts.some(([status]) => isFailure(status));
  return { Status: failed ? 'Failed' : 'Success', DetailedStatus: failed ? 'Failed' : 'Success', ResourceCountByStatus: resourceCount };
}
