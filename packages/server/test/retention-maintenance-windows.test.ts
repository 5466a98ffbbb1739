/**
 * Retention of maintenance-window history, with an injected clock: finished executions older than the limit go
 * with their task executions and invocations; recent ones and ones not finished stay, and so do the window, its
 * targets and tasks; a prune that died midway is finished by the next run.
 */
import assert from 'node:assert/strict';
import { windowExecutionRetention } from '../src/maintenance-windows/execution-retention.js';
import { TASK_EXECUTIONS_TABLE, TASK_INVOCATIONS_TABLE, WINDOW_EXECUTIONS_TABLE, type TaskExecutionRecord, type TaskInvocationRecord } from '../src/maintenance-windows/window-records.js';
import { RETENTION_INTENTS_TABLE, RetentionPruner, StoreDeletions } from '../src/retention/index.js';
import { readStoreFiles } from '../src/store/file-store.js';
import { instance, WindowBed } from './support/maintenance-window-bed.js';
import { apiError, ManualClock } from './support/operation-harness.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-06T09:00:00Z');

describe('Retention: maintenance-window executions', () => {
  let clock: ManualClock;
  let bed: WindowBed;
  let windowId: string;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    bed = await WindowBed.create(clock, [instance(1), instance(2)]);
    // Every day at 10:00 UTC for 2 hours, on both instances.
    ({ WindowId: windowId } = await bed.call<{ WindowId: string }>('CreateMaintenanceWindow', { Name: 'nightly', Schedule: 'cron(0 10 ? * * *)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    await bed.call('RegisterTaskWithMaintenanceWindow', {
      WindowId: windowId,
      TaskType: 'RUN_COMMAND',
      TaskArn: 'AWS-RunShellScript',
      Targets: [{ Key: 'InstanceIds', Values: [instance(1).InstanceId, instance(2).InstanceId] }],
      Priority: 1,
      MaxConcurrency: '2',
      MaxErrors: '0',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo patch'] } } },
    });
  });
  afterEach(() => bed.close());

  const at = async (time: number) => {
    clock.ms = time;
    await bed.tick();
  };
  const finishAll = async () => {
    for (const sent of bed.commandMessages()) {
      const found = await bed.commands.getInvocation(sent.commandId, sent.instanceId);
      if (found?.invocation.Status === 'InProgress' || found?.invocation.Status === 'Pending') await bed.result(sent.instanceId, sent.commandId);
    }
  };
  /** Runs the day's window (starting at 10:00 `days` after T0's day) to SUCCESS; its execution id. */
  const runWindow = async (days: number, finish = true): Promise<string> => {
    await at(Date.parse('2026-03-06T10:00:02Z') + days * DAY);
    const execution = (await bed.windows.executionsOf(windowId))[0]!;
    if (finish) {
      await finishAll();
      await at(Date.parse('2026-03-06T10:05:00Z') + days * DAY);
      assert.equal((await bed.windows.getExecution(execution.WindowExecutionId)).Status, 'SUCCESS');
    }
    return execution.WindowExecutionId;
  };
  const rowsOf = async (executionId: string) => ({
    tasks: (await bed.store.table<TaskExecutionRecord>(TASK_EXECUTIONS_TABLE).list()).filter((t) => t.WindowExecutionId === executionId).length,
    invocations: (await bed.store.table<TaskInvocationRecord>(TASK_INVOCATIONS_TABLE).list()).filter((i) => i.WindowExecutionId === executionId).length,
  });
  const kind = (days = 30) => windowExecutionRetention({ store: bed.store, days, now: clock.now });

  it('removes finished executions older than the limit with their tasks and invocations; keeps recent and unfinished ones', async () => {
    const old = await runWindow(0);
    assert.deepEqual(await rowsOf(old), { tasks: 1, invocations: 2 });
    const recent = await runWindow(20);
    const running = await runWindow(31, false);
    assert.equal((await bed.windows.getExecution(running)).Status, 'IN_PROGRESS');

    const audited: string[] = [];
    const report = await new RetentionPruner({ kinds: [kind()], now: clock.now, audit: async (event) => audited.push(event.detail ?? ''), intervalMs: 0 }).runOnce();
    const removed = report.kinds[0]!.removed;
    assert.equal(removed.taskExecutions, 1, 'only the old run had tasks (the days between were missed, not run)');
    assert.equal(removed.taskInvocations, 2);
    assert.ok(removed.executions! >= 1);

    await apiError(bed.call('GetMaintenanceWindowExecution', { WindowExecutionId: old }), 'DoesNotExistException');
    assert.deepEqual(await rowsOf(old), { tasks: 0, invocations: 0 }, 'its task executions and invocations went with it');
    assert.equal((await bed.windows.getExecution(recent)).Status, 'SUCCESS', 'a recent execution stays');
    assert.deepEqual(await rowsOf(recent), { tasks: 1, invocations: 2 });
    assert.equal((await bed.windows.getExecution(running)).Status, 'IN_PROGRESS');
    // Every execution left ended within the limit (runs missed while the clock jumped end when they were noticed).
    for (const execution of await bed.windows.executionsOf(windowId)) {
      if (execution.WindowExecutionId !== running) assert.ok(Date.parse(execution.EndTime!) >= clock.ms - 30 * DAY, JSON.stringify(execution));
    }
    // The definitions are not history.
    assert.equal((await bed.call<{ Name: string }>('GetMaintenanceWindow', { WindowId: windowId })).Name, 'nightly');
    assert.equal((await bed.call<{ Tasks: unknown[] }>('DescribeMaintenanceWindowTasks', { WindowId: windowId })).Tasks.length, 1);
    assert.equal(audited.length, 1);
    assert.match(audited[0]!, /^maintenance-window-executions \(30 days, before 2026-03-07T10:00:02\.000Z\): \d+ executions, 1 taskExecutions, 2 taskInvocations$/);

    // However far past, an execution that has not finished is never pruned.
    const later = await kind().prune(new Date(clock.ms + 365 * DAY));
    assert.ok(later.executions! >= 1, 'the recent one goes');
    assert.equal((await bed.windows.getExecution(running)).Status, 'IN_PROGRESS');
    assert.deepEqual(await rowsOf(running), { tasks: 1, invocations: 2 });
  });

  it('finishes, after a restart, a prune that died midway', async () => {
    const old = await runWindow(0);
    const tasks = (await bed.store.table<TaskExecutionRecord>(TASK_EXECUTIONS_TABLE).list()).filter((t) => t.WindowExecutionId === old);
    const invocations = (await bed.store.table<TaskInvocationRecord>(TASK_INVOCATIONS_TABLE).list()).filter((i) => i.WindowExecutionId === old);
    clock.ms += 40 * DAY;
    // The intent is recorded and one invocation deleted; then the process dies.
    await new StoreDeletions(bed.store, { kind: 'maintenance-window-executions', now: clock.now }).plan([
      {
        rows: [
          ...invocations.map((i) => ({ table: TASK_INVOCATIONS_TABLE, key: i.InvocationId })),
          ...tasks.map((t) => ({ table: TASK_EXECUTIONS_TABLE, key: t.TaskExecutionId })),
          { table: WINDOW_EXECUTIONS_TABLE, key: old },
        ],
      },
    ]);
    await bed.store.table(TASK_INVOCATIONS_TABLE).delete(invocations[0]!.InvocationId);
    await bed.restart();
    assert.deepEqual(await rowsOf(old), { tasks: 1, invocations: 1 }, 'half-deleted before the restart');

    const removed = await kind().prune(new Date(clock.ms - 30 * DAY));
    assert.deepEqual(removed, { executions: 1, taskExecutions: 1, taskInvocations: 1 });
    await apiError(bed.call('GetMaintenanceWindowExecution', { WindowExecutionId: old }), 'DoesNotExistException');
    assert.deepEqual(await rowsOf(old), { tasks: 0, invocations: 0 });
    assert.deepEqual(Object.keys((await readStoreFiles(bed.dir))[RETENTION_INTENTS_TABLE] ?? {}), []);
  });
});
