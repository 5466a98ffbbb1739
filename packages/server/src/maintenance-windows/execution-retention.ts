/**
 * Maintenance-window history past its retention period (SSM keeps 30 days): a finished window execution goes
 * with its task executions and their invocations, together (StoreDeletions). An execution that is not final
 * (pending, in progress, cancelling) is never pruned. Its age is from its end (its start, without one). The
 * windows, targets and tasks themselves are definitions, not history, and stay.
 *
 * The scheduler does not run a past schedule time again once an execution is gone: how far it has looked at a
 * schedule is its own cursor (window-scheduler.ts), not the executions it finds.
 */
import { historyPart, storedHistoryRetention, type RetentionKind } from '../retention/index.js';
import type { Store } from '../store/store.js';
import {
  isFinal,
  TASK_EXECUTIONS_TABLE,
  TASK_INVOCATIONS_TABLE,
  WINDOW_EXECUTIONS_TABLE,
  type TaskExecutionRecord,
  type TaskInvocationRecord,
  type WindowExecutionRecord,
} from './window-records.js';

export function windowExecutionRetention(options: { store: Store; days: number; now: () => Date; groupsPerBatch?: number }): RetentionKind {
  return storedHistoryRetention<WindowExecutionRecord>({
    ...options,
    kind: 'maintenance-window-executions',
    records: { table: WINDOW_EXECUTIONS_TABLE, counted: 'executions', keyOf: (execution) => execution.WindowExecutionId },
    isFinished: (execution) => isFinal(execution.Status),
    endedAt: (execution) => execution.EndTime ?? execution.StartTime,
    // By the execution id every record carries, not by the plan's links (storedHistoryRetention says why).
    parts: [
      historyPart<TaskExecutionRecord>({ table: TASK_EXECUTIONS_TABLE, counted: 'taskExecutions', recordOf: (task) => task.WindowExecutionId, keyOf: (task) => task.TaskExecutionId }),
      historyPart<TaskInvocationRecord>({ table: TASK_INVOCATIONS_TABLE, counted: 'taskInvocations', recordOf: (invocation) => invocation.WindowExecutionId, keyOf: (invocation) => invocation.InvocationId }),
    ],
  });
}
