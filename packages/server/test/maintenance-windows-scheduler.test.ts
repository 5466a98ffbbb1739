import assert from 'node:assert/strict';
import { WindowScheduler } from '../src/maintenance-windows/index.js';
import { WINDOW_EXECUTIONS_TABLE, type WindowExecutionRecord } from '../src/maintenance-windows/window-records.js';
import { ManualClock } from './support/operation-harness.js';
import { idOf, instance, WindowBed } from './support/maintenance-window-bed.js';

const T0 = Date.parse('2026-03-06T09:00:00Z');
const AT = (hhmmss: string) => Date.parse(`2026-03-06T${hhmmss}Z`);

interface Execution {
  WindowExecutionId: string;
  Status: string;
  StatusDetails: string;
  TaskIds: string[];
}
interface TaskIdentity {
  TaskExecutionId: string;
  Status: string;
  StatusDetails: string;
}
interface Invocation {
  InvocationId: string;
  ExecutionId: string;
  Status: string;
  StatusDetails: string;
  Parameters: string;
  WindowTargetId: string;
}

describe('Maintenance window scheduler', () => {
  let clock: ManualClock;
  let bed: WindowBed;
  let windowId: string;
  let webTarget: string;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    const web = [{ Key: 'Role', Value: 'web' }];
    bed = await WindowBed.create(clock, [instance(1, web), instance(2, web), instance(3, [{ Key: 'Role', Value: 'db' }])]);
    // Every day at 10:00 UTC for 2 hours; no task starts from 11:00 (cutoff 1 hour).
    ({ WindowId: windowId } = await bed.call<{ WindowId: string }>('CreateMaintenanceWindow', { Name: 'nightly', Schedule: 'cron(0 10 ? * * *)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    ({ WindowTargetId: webTarget } = await bed.call<{ WindowTargetId: string }>('RegisterTargetWithMaintenanceWindow', { WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }], OwnerInformation: 'web tier' }));
  });
  afterEach(() => bed.close());

  const task = async (priority: number, over: Record<string, unknown> = {}) =>
    (
      await bed.call<{ WindowTaskId: string }>('RegisterTaskWithMaintenanceWindow', {
        WindowId: windowId,
        TaskType: 'RUN_COMMAND',
        TaskArn: 'AWS-RunShellScript',
        Targets: [{ Key: 'WindowTargetIds', Values: [webTarget] }],
        Priority: priority,
        MaxConcurrency: '2',
        MaxErrors: '0',
        TaskInvocationParameters: { RunCommand: { Parameters: { commands: [`echo priority-${priority} {{RESOURCE_ID}} {{WINDOW_ID}} {{WINDOW_EXECUTION_ID}} {{TASK_EXECUTION_ID}}`] } } },
        ...over,
      })
    ).WindowTaskId;

  const executions = async () => (await bed.call<{ WindowExecutions: Array<{ WindowExecutionId: string; Status: string; StatusDetails: string }> }>('DescribeMaintenanceWindowExecutions', { WindowId: windowId })).WindowExecutions;
  const onlyExecutionId = async () => {
    const all = await executions();
    assert.equal(all.length, 1);
    return all[0]!.WindowExecutionId;
  };
  const execution = async (id: string) => bed.call<Execution>('GetMaintenanceWindowExecution', { WindowExecutionId: id });
  const tasks = async (id: string) => (await bed.call<{ WindowExecutionTaskIdentities: TaskIdentity[] }>('DescribeMaintenanceWindowExecutionTasks', { WindowExecutionId: id })).WindowExecutionTaskIdentities;
  const invocations = async (id: string, taskId: string) =>
    (await bed.call<{ WindowExecutionTaskInvocationIdentities: Invocation[] }>('DescribeMaintenanceWindowExecutionTaskInvocations', { WindowExecutionId: id, TaskId: taskId })).WindowExecutionTaskInvocationIdentities;
  const at = async (time: number) => {
    clock.ms = time;
    await bed.tick();
  };
  const finishAll = async (status = 'Success') => {
    for (const sent of bed.commandMessages()) {
      const found = await bed.commands.getInvocation(sent.commandId, sent.instanceId);
      if (found && !['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(found.invocation.Status)) await bed.result(sent.instanceId, sent.commandId, status);
    }
  };

  it('DescribeMaintenanceWindowExecutions pages newest first from the last execution shown: one that starts between pages repeats none', async () => {
    const stored = async (day: number) => {
      const start = new Date(T0 + day * 86_400_000).toISOString();
      const id = `00000000-0000-4000-8000-${String(day).padStart(12, '0')}`;
      const record: WindowExecutionRecord = { WindowExecutionId: id, WindowId: windowId, scheduledAt: start, Status: 'SUCCESS', StatusDetails: 'Success', StartTime: start, EndTime: start, cutoffAt: start, endsAt: start, plan: [], owner: 'replica-a' };
      await bed.store.table<WindowExecutionRecord>(WINDOW_EXECUTIONS_TABLE).put(id, record);
      return id;
    };
    const ids: string[] = [];
    for (let day = 0; day < 12; day++) ids.push(await stored(day));
    type Page = { WindowExecutions: Array<{ WindowExecutionId: string }>; NextToken?: string };
    const first = await bed.call<Page>('DescribeMaintenanceWindowExecutions', { WindowId: windowId, MaxResults: 10 });
    assert.deepEqual(first.WindowExecutions.map((e) => e.WindowExecutionId), [...ids].reverse().slice(0, 10));
    await stored(12); // the newest: an offset of 10 would show day 2 again
    const second = await bed.call<Page>('DescribeMaintenanceWindowExecutions', { WindowId: windowId, MaxResults: 10, NextToken: first.NextToken });
    assert.deepEqual(second.WindowExecutions.map((e) => e.WindowExecutionId), [ids[1], ids[0]]);
    assert.equal(second.NextToken, undefined);
  });

  it('runs tasks in priority order, one Run Command per target with pseudo-parameters filled in, and records the results', async () => {
    const second = await task(2);
    const first = await task(1);
    await at(AT('09:59:59'));
    assert.equal((await executions()).length, 0, 'not due yet');
    await at(AT('10:00:02'));
    const [started] = await executions();
    assert.ok(started);
    const { WindowExecutionId: id } = started;
    let view = await execution(id);
    assert.equal(view.Status, 'IN_PROGRESS');
    assert.equal(view.TaskIds.length, 1, 'only the priority-1 task has started');
    const firstMessages = bed.commandMessages();
    assert.deepEqual(firstMessages.map((m) => m.instanceId).sort(), [idOf(1), idOf(2)], 'the web tier only, both at once (MaxConcurrency 2)');
    const taskExecutionId = view.TaskIds[0]!;
    for (const message of firstMessages) {
      assert.deepEqual(message.body.parameters.commands, [`echo priority-1 ${message.instanceId} ${windowId} ${id} ${taskExecutionId}`]);
    }

    await finishAll();
    await at(AT('10:05:00'));
    view = await execution(id);
    assert.equal(view.TaskIds.length, 2, 'priority 2 starts once priority 1 has finished');
    assert.equal(bed.commandMessages().length, 4);
    assert.ok(bed.commandMessages().slice(2).every((m) => String(m.body.parameters.commands).startsWith('echo priority-2')));

    await finishAll();
    await at(AT('10:06:00'));
    view = await execution(id);
    assert.equal(view.Status, 'SUCCESS');
    const taskViews = await tasks(id);
    assert.deepEqual(taskViews.map((t) => t.Status), ['SUCCESS', 'SUCCESS']);
    const firstTask = await bed.call<Record<string, unknown>>('GetMaintenanceWindowExecutionTask', { WindowExecutionId: id, TaskId: taskExecutionId });
    assert.equal(firstTask.Priority, 1);
    assert.equal(firstTask.MaxConcurrency, '2');
    const invoked = await invocations(id, taskExecutionId);
    assert.equal(invoked.length, 2);
    for (const invocation of invoked) {
      assert.equal(invocation.Status, 'SUCCESS');
      assert.equal(invocation.WindowTargetId, webTarget);
      assert.ok(firstMessages.some((m) => m.commandId === invocation.ExecutionId), 'ExecutionId is the Run Command id');
      const command = await bed.commands.getCommand(invocation.ExecutionId);
      assert.equal(command?.Status, 'Success');
      assert.match(invocation.Parameters, /echo priority-1 mi-/);
      const one = await bed.call<Invocation & { OwnerInformation: string }>('GetMaintenanceWindowExecutionTaskInvocation', { WindowExecutionId: id, TaskId: taskExecutionId, InvocationId: invocation.InvocationId });
      assert.equal(one.OwnerInformation, 'web tier');
    }
    void first;
    void second;
  });

  it('runs tasks of equal priority in parallel, each within its own MaxConcurrency', async () => {
    await task(1, { MaxConcurrency: '1' });
    await task(1, { MaxConcurrency: '1' });
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    assert.equal((await execution(id)).TaskIds.length, 2, 'both priority-1 tasks started together');
    assert.equal(bed.commandMessages().length, 2, 'one invocation each: MaxConcurrency 1');
    await finishAll();
    await at(AT('10:01:00'));
    assert.equal(bed.commandMessages().length, 4, 'each task moved on to its second target');
    await finishAll();
    await at(AT('10:02:00'));
    assert.equal((await execution(id)).Status, 'SUCCESS');
  });

  it('stops starting invocations once more than MaxErrors have failed', async () => {
    await task(1, { MaxConcurrency: '1', MaxErrors: '0' });
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    await finishAll('Failed');
    await at(AT('10:01:00'));
    assert.equal(bed.commandMessages().length, 1, 'the second target is never sent the command');
    const [taskView] = await tasks(id);
    assert.equal(taskView?.Status, 'FAILED');
    const invoked = await invocations(id, taskView!.TaskExecutionId);
    assert.deepEqual(invoked.map((i) => i.Status), ['FAILED', 'CANCELLED']);
    assert.match(invoked[1]!.StatusDetails, /MaxErrors/);
    assert.equal((await execution(id)).Status, 'FAILED');
  });

  it('starts no task within the cutoff: the next priority does not start and the execution ends TIMED_OUT', async () => {
    await task(1);
    const late = await task(2);
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    clock.ms = AT('11:00:00');
    await finishAll();
    await at(AT('11:00:00'));
    const view = await execution(id);
    assert.equal(view.Status, 'TIMED_OUT');
    assert.match(view.StatusDetails, new RegExp(late));
    assert.match(view.StatusDetails, /cutoff/);
    assert.equal(view.TaskIds.length, 1);
    assert.equal(bed.commandMessages().length, 2, 'nothing was sent for the priority-2 task');
  });

  it('CANCEL_TASK cancels the running commands at the cutoff; CONTINUE_TASK lets them run', async () => {
    await task(1, { CutoffBehavior: 'CANCEL_TASK', MaxConcurrency: '1' });
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    const [running] = bed.commandMessages();
    await bed.ack(running!.instanceId, running!.commandId);
    await at(AT('10:59:59'));
    assert.equal(bed.sent.filter((m) => m.type === 'cancel').length, 0);
    await at(AT('11:00:00'));
    const cancels = bed.sent.filter((m) => m.type === 'cancel');
    assert.deepEqual(cancels.map((m) => [m.instanceId, (m.body as { commandId: string }).commandId]), [[running!.instanceId, running!.commandId]]);
    await bed.result(running!.instanceId, running!.commandId, 'Cancelled');
    await at(AT('11:00:05'));
    const [taskView] = await tasks(id);
    assert.equal(taskView?.Status, 'TIMED_OUT');
    const invoked = await invocations(id, taskView!.TaskExecutionId);
    assert.deepEqual(invoked.map((i) => i.Status), ['CANCELLED', 'TIMED_OUT'], 'the running one cancelled, the waiting one never started');
    assert.equal(bed.commandMessages().length, 1);
    assert.equal((await execution(id)).Status, 'TIMED_OUT');
  });

  it('CONTINUE_TASK: a task running at the cutoff keeps going and finishes', async () => {
    await task(1, { MaxConcurrency: '1' });
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    await at(AT('11:30:00'));
    assert.equal(bed.sent.filter((m) => m.type === 'cancel').length, 0);
    await finishAll();
    await at(AT('11:31:00'));
    assert.equal(bed.commandMessages().length, 2, 'the second target still starts before the window ends');
    await finishAll();
    await at(AT('11:32:00'));
    assert.equal((await execution(id)).Status, 'SUCCESS');
  });

  it('records a window that came due while the control plane was down as missed, and does not run it late', async () => {
    await task(1);
    await at(AT('09:30:00'));
    await bed.restart();
    await at(AT('10:20:00'));
    const [missed] = await executions();
    assert.equal(missed?.Status, 'FAILED');
    assert.match(missed!.StatusDetails, /^Missed: .*2026-03-06T10:00:00.000Z.*not run late/);
    assert.equal(bed.commandMessages().length, 0);
    assert.deepEqual(
      bed.audited.map((e) => [e.operation, e.outcome, e.errorCode, e.resources[0]]),
      [['tender:RunMaintenanceWindow', 'error', 'Missed', windowId]],
      'the missed run is in the audit trail',
    );
    // The next day's run happens as usual.
    await at(Date.parse('2026-03-07T10:00:03Z'));
    const all = await executions();
    assert.equal(all.length, 2);
    assert.equal(all[0]?.Status, 'IN_PROGRESS');
    assert.equal(bed.commandMessages().length, 2);
  });

  it('resumes an execution after a restart without losing or repeating invocations', async () => {
    await task(1, { MaxConcurrency: '1' });
    await task(2, { MaxConcurrency: '1' });
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    const [firstSent] = bed.commandMessages();
    await bed.ack(firstSent!.instanceId, firstSent!.commandId);
    await bed.restart();
    await at(AT('10:10:00'));
    assert.deepEqual(new Set(bed.commandMessages().map((m) => m.commandId)), new Set([firstSent!.commandId]), 'no new command while the first is still running');
    for (let minute = 11; minute < 20 && (await execution(id)).Status === 'IN_PROGRESS'; minute++) {
      await finishAll();
      if (minute === 13) await bed.restart();
      await at(AT(`10:${minute}:00`));
    }
    assert.equal((await execution(id)).Status, 'SUCCESS');
    const ids = bed.commandMessages().map((m) => m.commandId);
    assert.equal(new Set(ids).size, 4, 'two tasks x two targets: four commands, each sent as new once');
    const pairs = new Set(bed.commandMessages().map((m) => `${m.commandId}/${m.instanceId}`));
    assert.equal(pairs.size, 4);
    for (const taskView of await tasks(id)) {
      const invoked = await invocations(id, taskView.TaskExecutionId);
      assert.deepEqual(invoked.map((i) => i.Status), ['SUCCESS', 'SUCCESS']);
    }
  });

  it('after a crash between recording a command id and sending it, sends that same command once', async () => {
    await task(1, { MaxConcurrency: '1' });
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    const [taskView] = await tasks(id);
    // Play the crash: the second invocation got its command id written, and SendCommand never ran.
    const waiting = (await bed.windows.invocations.list()).find((i) => i.TaskExecutionId === taskView!.TaskExecutionId && i.ExecutionId === undefined)!;
    const orphanId = '0f0f0f0f-0000-4000-8000-000000000001';
    await bed.windows.invocations.put(waiting.InvocationId, { ...waiting, ExecutionId: orphanId, Status: 'IN_PROGRESS', StatusDetails: 'In progress' });
    await bed.restart();
    await at(AT('10:01:00'));
    await at(AT('10:02:00'));
    const orphanSends = bed.commandMessages().filter((m) => m.commandId === orphanId);
    assert.equal(orphanSends.length, 1);
    assert.equal(orphanSends[0]!.instanceId, waiting.resourceId);
    await finishAll();
    await at(AT('10:03:00'));
    assert.equal((await execution(id)).Status, 'SUCCESS');
    assert.equal(new Set(bed.commandMessages().map((m) => m.commandId)).size, 2);
  });

  it('records a run that comes while the previous execution is still going as SKIPPED_OVERLAPPING', async () => {
    await bed.call('UpdateMaintenanceWindow', { WindowId: windowId, Schedule: 'rate(1 hour)', Duration: 3, Cutoff: 1 });
    await task(1);
    await at(AT('10:00:00'));
    assert.equal((await executions())[0]?.Status, 'IN_PROGRESS');
    await at(AT('11:00:00'));
    const [latest, earlier] = await executions();
    assert.equal(latest?.Status, 'SKIPPED_OVERLAPPING');
    assert.equal(earlier?.Status, 'IN_PROGRESS');
    assert.equal(bed.commandMessages().length, 2);
  });

  it('only the replica holding a window\'s lease runs it; another takes over when the lease lapses', async () => {
    await task(1);
    const other = new WindowScheduler({ service: bed.windows, store: bed.store, commands: bed.commands, now: clock.now, logger: { info: () => undefined, warn: () => undefined, error: () => undefined }, owner: 'replica-b', tickMs: 0 });
    await at(AT('09:59:30'));
    clock.ms = AT('10:00:01');
    await other.tick();
    assert.equal((await executions()).length, 0, 'replica-b does not hold the lease');
    await bed.tick();
    assert.equal((await executions()).length, 1);
    // replica-a stops ticking (crashed): after its lease expires, replica-b takes the window and its execution over.
    clock.ms = AT('10:01:30');
    await finishAll();
    await other.tick();
    await bed.commands.whenSent();
    const [view] = await executions();
    assert.equal(view?.Status, 'SUCCESS');
    await other.stop();
  });

  it('a replica that crashed takes its own leases straight back when it comes back under the same name', async () => {
    await task(1);
    await at(AT('09:59:30'));
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const schedulerNamed = (owner: string) => new WindowScheduler({ service: bed.windows, store: bed.store, commands: bed.commands, now: clock.now, logger: silent, owner, tickMs: 0 });
    // replica-a crashes (never stops, so its lease stays); a stranger must wait, replica-a coming back need not.
    clock.ms = AT('10:00:01');
    const stranger = schedulerNamed('replica-c');
    await stranger.tick();
    assert.equal((await executions()).length, 0);
    const again = schedulerNamed('replica-a');
    await again.tick();
    await bed.commands.whenSent();
    assert.equal((await executions())[0]?.Status, 'IN_PROGRESS');
    assert.equal(bed.commandMessages().length, 2);
    await stranger.stop();
    await again.stop();
  });

  it('CancelMaintenanceWindowExecution: tasks not started never start, running ones finish', async () => {
    await task(1);
    await task(2);
    await at(AT('10:00:01'));
    const id = await onlyExecutionId();
    assert.deepEqual(await bed.call('CancelMaintenanceWindowExecution', { WindowExecutionId: id }), { WindowExecutionId: id });
    assert.equal((await execution(id)).Status, 'CANCELLING');
    await finishAll();
    await at(AT('10:01:00'));
    const view = await execution(id);
    assert.equal(view.Status, 'CANCELLED');
    assert.equal(view.TaskIds.length, 1);
    assert.equal(bed.commandMessages().length, 2);
  });

  it('does not run a disabled window', async () => {
    await task(1);
    await bed.call('UpdateMaintenanceWindow', { WindowId: windowId, Enabled: false });
    await at(AT('10:00:01'));
    assert.equal((await executions()).length, 0);
    assert.equal(bed.commandMessages().length, 0);
    // Enabled again: the run it skipped while disabled is not reported as missed; the next one runs.
    clock.ms = AT('12:00:00');
    await bed.call('UpdateMaintenanceWindow', { WindowId: windowId, Enabled: true });
    await at(Date.parse('2026-03-07T10:00:01Z'));
    assert.deepEqual((await executions()).map((e) => e.Status), ['IN_PROGRESS']);
  });
});
