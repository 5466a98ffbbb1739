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
import { historyPart, storedHistoryRetention, type RetentionKind } from '../retention/index.js';
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
  return storedHistoryRetention<AssociationExecutionRecord>({
    ...options,
    kind: ASSOCIATION_EXECUTION_RETENTION_KIND,
    records: { table: EXECUTIONS_TABLE, counted: 'executions', keyOf: (execution) => execution.ExecutionId },
    isFinished: (execution) => executionStatus(execution).Status !== 'InProgress',
    endedAt: (execution) => execution.LastExecutionDate || execution.CreatedTime,
    parts: [
      historyPart<ExecutionTargetRecord>({ table: EXECUTION_TARGETS_TABLE, counted: 'executionTargets', recordOf: (target) => target.ExecutionId, keyOf: (target) => executionTargetKey(target.ExecutionId, target.ResourceId) }),
      historyPart<RunRecord>({ table: RUNS_TABLE, counted: 'runs', recordOf: (run) => run.ExecutionId, keyOf: (run) => run.runId }),
    ],
  });
}
