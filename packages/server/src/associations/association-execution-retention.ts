/**
 * State Manager history past its retention period (SSM keeps association execution history for 30 days): a
 * finished association execution goes with its per-host rows (`association-execution-targets`) and the run
 * records the agents' reports left (`association-runs`), together (StoreDeletions). An execution still in
 * progress (a host Pending, as executionStatus() says) is never pruned, however old. Its age is from its last
 * result (LastExecutionDate), else from when it was created (a run-now nobody answered, stopped by MaxErrors).
 *
 * `association-instance-status` (each host's latest result: DescribeInstanceAssociationsStatus, the Overview) is
 * current state, like current inventory, and stays. The AssociationExecutions service keeps an index of each
 * association's execution ids in memory: `onPruned` is told every execution that went (including those an
 * interrupted run left and this run finished), so DescribeAssociationExecutions stops listing them.
 */
import { RETENTION_INTENTS_TABLE, StoreDeletions, type DeletionGroup, type DeletionIntent, type PruneCounts, type RetentionKind } from '../retention/index.js';
import type { Store } from '../store/store.js';
import {
  EXECUTION_TARGETS_TABLE,
  executionStatus,
  executionTargetKey,
  EXECUTIONS_TABLE,
  RUNS_TABLE,
  type AssociationExecutionRecord,
  type ExecutionTargetRecord,
  type RunRecord,
} from './execution-records.js';

export const ASSOCIATION_EXECUTION_RETENTION_KIND = 'association-executions';

export interface AssociationExecutionRetentionOptions {
  store: Store;
  days: number;
  now: () => Date;
  /** The executions that went (AssociationExecutions.forgetExecutions). */
  onPruned?: (executionIds: ReadonlySet<string>) => void;
  groupsPerBatch?: number;
}

export function associationExecutionRetention(options: AssociationExecutionRetentionOptions): RetentionKind {
  const kind = ASSOCIATION_EXECUTION_RETENTION_KIND;
  const deletions = new StoreDeletions(options.store, { kind, now: options.now, ...(options.groupsPerBatch ? { groupsPerBatch: options.groupsPerBatch } : {}) });
  const intents = options.store.table<DeletionIntent>(RETENTION_INTENTS_TABLE);
  const executions = options.store.table<AssociationExecutionRecord>(EXECUTIONS_TABLE);
  const targets = options.store.table<ExecutionTargetRecord>(EXECUTION_TARGETS_TABLE);
  const runs = options.store.table<RunRecord>(RUNS_TABLE);
  return {
    name: kind,
    days: options.days,
    async prune(cutoff: Date): Promise<PruneCounts> {
      // What an interrupted run left: the service indexed those executions at start, so it must hear of them too.
      const gone = new Set<string>();
      for (const intent of await intents.readAll()) {
        if (intent.kind !== kind) continue;
        for (const row of intent.rows) if (row.table === EXECUTIONS_TABLE) gone.add(row.key);
      }
      const resumed = await deletions.resume();
      const expired = new Map<string, DeletionGroup>();
      for (const execution of await executions.readAll()) {
        if (executionStatus(execution).Status === 'InProgress') continue;
        const ended = Date.parse(execution.LastExecutionDate || execution.CreatedTime);
        if (ended < cutoff.getTime()) expired.set(execution.ExecutionId, { rows: [] });
      }
      if (expired.size > 0) {
        // By the execution id each row carries: a host's row or run stored just before a crash goes with it too.
        for (const target of await targets.readAll()) {
          expired.get(target.ExecutionId)?.rows.push({ table: EXECUTION_TARGETS_TABLE, key: executionTargetKey(target.ExecutionId, target.ResourceId) });
        }
        for (const run of await runs.readAll()) expired.get(run.ExecutionId)?.rows.push({ table: RUNS_TABLE, key: run.runId });
        for (const [id, group] of expired) group.rows.push({ table: EXECUTIONS_TABLE, key: id });
      }
      const removed = await deletions.deleteGroups([...expired.values()]);
      for (const id of expired.keys()) gone.add(id);
      if (gone.size > 0) options.onPruned?.(gone);
      const count = (table: string) => (resumed.rows[table] ?? 0) + (removed.rows[table] ?? 0);
      return { executions: count(EXECUTIONS_TABLE), executionTargets: count(EXECUTION_TARGETS_TABLE), runs: count(RUNS_TABLE) };
    },
  };
}
