/**
 * Maintenance-window history past its retention period (SSM keeps 30 days): a finished window execution goes
 * with its task executions and their invocations, together (StoreDeletions). An execution that is not final
 * (pending, in progress, cancelling) is never pruned. Its age is from its end (its start, without one). The
 * windows, targets and tasks themselves are definitions, not history, and stay.
 *
 * The scheduler does not run a past schedule time again once an execution is gone: how far it has looked at a
 * schedule is its own cursor (window-scheduler.ts), not the executions it finds.
 */
import { StoreDeletions, type DeletionGroup, type PruneCounts, type RetentionKind } from '../retention/index.js';
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
  const deletions = new StoreDeletions(options.store, { kind: 'maintenance-window-executions', now: options.now, ...(options.groupsPerBatch ? { groupsPerBatch: options.groupsPerBatch } : {}) });
  const executions = options.store.table<WindowExecutionRecord>(WINDOW_EXECUTIONS_TABLE);
  const taskExecutions = options.store.table<TaskExecutionRecord>(TASK_EXECUTIONS_TABLE);
  const invocations = options.store.table<TaskInvocationRecord>(TASK_INVOCATIONS_TABLE);
  return {
    name: 'maintenance-window-executions',
    days: options.days,
    async prune(cutoff: Date): Promise<PruneCounts> {
      const resumed = await deletions.resume();
      const expired = new Map<string, DeletionGroup>();
      for (const execution of await executions.readAll()) {
        if (!isFinal(execution.Status)) continue;
        const ended = Date.parse(execution.EndTime ?? execution.StartTime);
        if (ended < cutoff.getTime()) expired.set(execution.WindowExecutionId, { rows: [] });
      }
      if (expired.size > 0) {
        // By the execution id every record carries, not by the plan's links: a task execution written just
        // before a crash, before the plan named it, goes with its execution too.
        for (const invocation of await invocations.readAll()) {
          expired.get(invocation.WindowExecutionId)?.rows.push({ table: TASK_INVOCATIONS_TABLE, key: invocation.InvocationId });
        }
        for (const task of await taskExecutions.readAll()) {
          expired.get(task.WindowExecutionId)?.rows.push({ table: TASK_EXECUTIONS_TABLE, key: task.TaskExecutionId });
        }
        for (const [id, group] of expired) group.rows.push({ table: WINDOW_EXECUTIONS_TABLE, key: id });
      }
      const removed = await deletions.deleteGroups([...expired.values()]);
      const count = (table: string) => (resumed.rows[table] ?? 0) + (removed.rows[table] ?? 0);
      return { executions: count(WINDOW_EXECUTIONS_TABLE), taskExecutions: count(TASK_EXECUTIONS_TABLE), taskInvocations: count(TASK_INVOCATIONS_TABLE) };
    },
  };
}
