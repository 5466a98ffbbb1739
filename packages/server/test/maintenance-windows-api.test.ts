import assert from 'node:assert/strict';
import { apiError, ManualClock } from './support/operation-harness.js';
import { idOf, instance, WindowBed } from './support/maintenance-window-bed.js';

const T0 = Date.parse('2026-03-06T12:00:00Z');
const WINDOW = { Name: 'patch-tuesday', Schedule: 'cron(0 2 ? * SUN *)', Duration: 4, Cutoff: 1, AllowUnassociatedTargets: false };

describe('Maintenance windows API', () => {
  let clock: ManualClock;
  let bed: WindowBed;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    bed = await WindowBed.create(clock, [instance(1, [{ Key: 'Role', Value: 'web' }]), instance(2, [{ Key: 'Role', Value: 'db' }])], { limits: { windows: 3, tasksPerWindow: 2 } });
  });
  afterEach(() => bed.close());

  const create = async (over: Record<string, unknown> = {}) => (await bed.call<{ WindowId: string }>('CreateMaintenanceWindow', { ...WINDOW, ...over })).WindowId;
  const windowCount = async () => ((await bed.call<{ WindowIdentities: unknown[] }>('DescribeMaintenanceWindows', {})).WindowIdentities).length;

  it('creates, gets, updates, lists and deletes a window, with its next execution time', async () => {
    const id = await create({ ScheduleTimezone: 'Europe/Paris', Tags: [{ Key: 'team', Value: 'ops' }] });
    assert.match(id, /^mw-[0-9a-f]{17}$/);
    const got = await bed.call<Record<string, unknown>>('GetMaintenanceWindow', { WindowId: id });
    assert.equal(got.Name, 'patch-tuesday');
    assert.equal(got.Enabled, true);
    // Sunday 2026-03-08 02:00 in Paris (UTC+1 then).
    assert.equal(got.NextExecutionTime, '2026-03-08T02:00:00+01:00');
    const updated = await bed.call<Record<string, unknown>>('UpdateMaintenanceWindow', { WindowId: id, Duration: 6, Enabled: false });
    assert.equal(updated.Duration, 6);
    assert.equal(updated.Cutoff, 1, 'fields not given are kept');
    assert.equal(updated.Enabled, false);
    const { WindowIdentities } = await bed.call<{ WindowIdentities: Array<Record<string, unknown>> }>('DescribeMaintenanceWindows', { Filters: [{ Key: 'Enabled', Values: ['false'] }] });
    assert.deepEqual(WindowIdentities.map((w) => [w.WindowId, w.NextExecutionTime]), [[id, undefined]]);
    assert.equal((await bed.call<Record<string, unknown>>('DeleteMaintenanceWindow', { WindowId: id })).WindowId, id);
    await apiError(bed.call('GetMaintenanceWindow', { WindowId: id }), 'DoesNotExistException');
  });

  it('refuses bad durations, cutoffs and schedules with SSM\'s errors, creating nothing', async () => {
    await apiError(create({ Duration: 0 }), 'ValidationException', /'duration' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await apiError(create({ Duration: 25 }), 'ValidationException', /less than or equal to 24/);
    await apiError(create({ Cutoff: 24 }), 'ValidationException', /'cutoff'.*less than or equal to 23/);
    await apiError(create({ Duration: 2, Cutoff: 2 }), 'ValidationException', /cutoff \(2 hours\) must be less than the duration \(2 hours\)/);
    await apiError(create({ Duration: 2, Cutoff: 3 }), 'ValidationException', /must be less than the duration/);
    await apiError(create({ Schedule: 'cron(0 2 ? * SUN 2020)' }), 'ValidationException', /never run|no run/);
    await apiError(create({ Schedule: 'at(2026-01-01T00:00:00)' }), 'ValidationException', /would never run/);
    await apiError(create({ Schedule: 'cron(0 2 31 2 ? *)' }), 'ValidationException', /Schedule/);
    await apiError(create({ EndDate: '2026-03-01T00:00:00Z' }), 'ValidationException', /EndDate .* not in the future/);
    await apiError(create({ Schedule: 'cron(0 2 ? * SUN *)', EndDate: '2026-03-07T00:00:00Z' }), 'ValidationException', /never run/);
    await apiError(create({ StartDate: '2026-05-01T00:00:00Z', EndDate: '2026-04-01T00:00:00Z' }), 'ValidationException', /later than StartDate/);
    await apiError(create({ ScheduleTimezone: 'Mars/Olympus' }), 'ValidationException', /IANA time zone/);
    await apiError(create({ Schedule: 'rate(1 day)', ScheduleOffset: 2 }), 'ValidationException', /ScheduleOffset applies only to cron/);
    await apiError(create({ Schedule: 'every sunday' }), 'ValidationException', /not a schedule expression/);
    await apiError(create({ Name: 'x' }), 'ValidationException', /'name'/);
    await apiError(create({ AllowUnassociatedTargets: undefined }), 'ValidationException', /allowUnassociatedTargets/);
    assert.equal(await windowCount(), 0);
    // An update that breaks the window changes nothing.
    const id = await create();
    await apiError(bed.call('UpdateMaintenanceWindow', { WindowId: id, Cutoff: 4 }), 'ValidationException', /must be less than the duration/);
    assert.equal((await bed.call<Record<string, unknown>>('GetMaintenanceWindow', { WindowId: id })).Cutoff, 1);
  });

  it('limits the number of windows (ResourceLimitExceededException) and honours ClientToken', async () => {
    const first = await create({ ClientToken: 'token-1' });
    assert.equal(await create({ ClientToken: 'token-1' }), first, 'a retry with the same token returns the same window');
    await apiError(create({ ClientToken: 'token-1', Duration: 5 }), 'IdempotentParameterMismatch');
    await create();
    await create();
    await apiError(create(), 'ResourceLimitExceededException', /at most 3/);
  });

  it('registers, describes, updates and deregisters targets; Safe refuses a target a task uses', async () => {
    const id = await create();
    const { WindowTargetId: web } = await bed.call<{ WindowTargetId: string }>('RegisterTargetWithMaintenanceWindow', { WindowId: id, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }], OwnerInformation: 'web servers' });
    await apiError(bed.call('RegisterTargetWithMaintenanceWindow', { WindowId: id, ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'resource-groups:Name', Values: ['x'] }] }), 'ValidationException', /Resource Groups/);
    await apiError(bed.call('RegisterTargetWithMaintenanceWindow', { WindowId: id, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-nope'] }] }), 'ValidationException', /not a managed instance id/);
    await apiError(bed.call('RegisterTargetWithMaintenanceWindow', { WindowId: 'mw-0123456789abcdef0', ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }] }), 'DoesNotExistException');
    const { Targets } = await bed.call<{ Targets: Array<Record<string, unknown>> }>('DescribeMaintenanceWindowTargets', { WindowId: id });
    assert.deepEqual(Targets.map((t) => [t.WindowTargetId, t.OwnerInformation]), [[web, 'web servers']]);
    const updated = await bed.call<Record<string, unknown>>('UpdateMaintenanceWindowTarget', { WindowId: id, WindowTargetId: web, Targets: [{ Key: 'tag:Role', Values: ['web', 'db'] }] });
    assert.equal(updated.OwnerInformation, 'web servers');
    const { WindowIdentities } = await bed.call<{ WindowIdentities: Array<{ WindowId: string }> }>('DescribeMaintenanceWindowsForTarget', { ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [idOf(2)] }] });
    assert.deepEqual(WindowIdentities.map((w) => w.WindowId), [id]);
    await bed.call('RegisterTaskWithMaintenanceWindow', { WindowId: id, TaskType: 'RUN_COMMAND', TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'WindowTargetIds', Values: [web] }], MaxConcurrency: '1', MaxErrors: '0' });
    await apiError(bed.call('DeregisterTargetFromMaintenanceWindow', { WindowId: id, WindowTargetId: web, Safe: true }), 'TargetInUseException');
    await bed.call('DeregisterTargetFromMaintenanceWindow', { WindowId: id, WindowTargetId: web });
    assert.equal((await bed.call<{ Targets: unknown[] }>('DescribeMaintenanceWindowTargets', { WindowId: id })).Targets.length, 0);
  });

  it('registers RUN_COMMAND tasks; refuses other task types, unregistered targets and unknown documents, creating nothing', async () => {
    const id = await create();
    const { WindowTargetId: web } = await bed.call<{ WindowTargetId: string }>('RegisterTargetWithMaintenanceWindow', { WindowId: id, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }] });
    const task = { WindowId: id, TaskType: 'RUN_COMMAND', TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'WindowTargetIds', Values: [web] }], MaxConcurrency: '1', MaxErrors: '0', Priority: 2 };
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, TaskType: 'AUTOMATION', TaskArn: 'AWS-RestartEC2Instance' }), 'FeatureNotAvailableException', /Automation/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, TaskType: 'LAMBDA' }), 'FeatureNotAvailableException', /Lambda/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, TaskType: 'STEP_FUNCTIONS' }), 'FeatureNotAvailableException');
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, Targets: [{ Key: 'WindowTargetIds', Values: ['5e1b2c3d-0000-4000-8000-000000000000'] }] }), 'DoesNotExistException', /no registered targets/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, Targets: [{ Key: 'InstanceIds', Values: [idOf(1)] }] }), 'ValidationException', /does not allow unassociated targets/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, Targets: undefined }), 'ValidationException', /need Targets/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, TaskArn: 'No-Such-Document' }), 'DoesNotExistException', /No-Such-Document/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, MaxErrors: undefined }), 'ValidationException', /MaxErrors is required/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, CutoffBehavior: 'STOP' }), 'ValidationException', /CONTINUE_TASK, CANCEL_TASK/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, TaskInvocationParameters: { RunCommand: { OutputS3BucketName: 'logs' } } }), 'ValidationException', /S3/);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', { ...task, TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo {{ssm:/db/host}}'] } } } }), 'ValidationException', /Parameter Store references \(\{\{ssm:\/db\/host\}\}\)/);
    assert.equal((await bed.call<{ Tasks: unknown[] }>('DescribeMaintenanceWindowTasks', { WindowId: id })).Tasks.length, 0);

    const { WindowTaskId } = await bed.call<{ WindowTaskId: string }>('RegisterTaskWithMaintenanceWindow', { ...task, TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo {{RESOURCE_ID}}'] }, TimeoutSeconds: 600 } } });
    const got = await bed.call<Record<string, unknown>>('GetMaintenanceWindowTask', { WindowId: id, WindowTaskId });
    assert.equal(got.TaskType, 'RUN_COMMAND');
    assert.equal(got.Priority, 2);
    assert.equal(got.CutoffBehavior, 'CONTINUE_TASK');
    assert.deepEqual(got.TaskInvocationParameters, { RunCommand: { Parameters: { commands: ['echo {{RESOURCE_ID}}'] }, TimeoutSeconds: 600 } });
    const updated = await bed.call<Record<string, unknown>>('UpdateMaintenanceWindowTask', { WindowId: id, WindowTaskId, Priority: 0, CutoffBehavior: 'CANCEL_TASK' });
    assert.equal(updated.Priority, 0);
    assert.equal(updated.MaxConcurrency, '1');
    await apiError(bed.call('UpdateMaintenanceWindowTask', { WindowId: id, WindowTaskId, TaskArn: 'Nope-Document' }), 'DoesNotExistException');
    const { Tasks } = await bed.call<{ Tasks: Array<Record<string, unknown>> }>('DescribeMaintenanceWindowTasks', { WindowId: id, Filters: [{ Key: 'Priority', Values: ['0'] }] });
    assert.deepEqual(Tasks.map((t) => [t.WindowTaskId, t.Type, t.TaskArn]), [[WindowTaskId, 'RUN_COMMAND', 'AWS-RunShellScript']]);
    await bed.call('RegisterTaskWithMaintenanceWindow', task);
    await apiError(bed.call('RegisterTaskWithMaintenanceWindow', task), 'ResourceLimitExceededException', /limit is 2/);
    await bed.call('DeregisterTaskFromMaintenanceWindow', { WindowId: id, WindowTaskId });
    await apiError(bed.call('GetMaintenanceWindowTask', { WindowId: id, WindowTaskId }), 'DoesNotExistException');
    await apiError(bed.call('DescribeMaintenanceWindowTasks', { WindowId: id, Filters: [{ Key: 'Colour', Values: ['x'] }] }), 'ValidationException', /not supported/);
    await apiError(bed.call('DescribeMaintenanceWindowTasks', { WindowId: id, MaxResults: 5 }), 'ValidationException', /greater than or equal to 10/);
  });

  it('DescribeMaintenanceWindowSchedule lists runs across the start of daylight saving (America/New_York)', async () => {
    // 02:30 every day: on 2026-03-08 the clock jumps from 02:00 to 03:00, so that day has no 02:30.
    const id = await create({ Schedule: 'cron(30 2 ? * * *)', ScheduleTimezone: 'America/New_York' });
    const { ScheduledWindowExecutions } = await bed.call<{ ScheduledWindowExecutions: Array<{ WindowId: string; ExecutionTime: string }> }>('DescribeMaintenanceWindowSchedule', { WindowId: id, MaxResults: 4 });
    assert.deepEqual(
      ScheduledWindowExecutions.map((run) => run.ExecutionTime),
      ['2026-03-07T02:30:00-05:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00', '2026-03-11T02:30:00-04:00'],
    );
    // 09:00 every day keeps its wall-clock time: the UTC instant moves by an hour.
    const nine = await create({ Name: 'nine-am', Schedule: 'cron(0 9 ? * * *)', ScheduleTimezone: 'America/New_York' });
    const runs = (await bed.call<{ ScheduledWindowExecutions: Array<{ ExecutionTime: string }> }>('DescribeMaintenanceWindowSchedule', { WindowId: nine, MaxResults: 3 })).ScheduledWindowExecutions;
    assert.deepEqual(runs.map((run) => new Date(run.ExecutionTime).toISOString()), ['2026-03-06T14:00:00.000Z', '2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
  });

  it('DescribeMaintenanceWindowSchedule goes on from the last run shown: runs that pass between pages hide none', async () => {
    const id = await create({ Schedule: 'cron(0 3 ? * * *)' }); // 03:00 UTC daily; the clock is at 2026-03-06 12:00
    const schedule = (input: Record<string, unknown>) => bed.call<{ ScheduledWindowExecutions: Array<{ ExecutionTime: string }>; NextToken?: string }>('DescribeMaintenanceWindowSchedule', { WindowId: id, MaxResults: 2, ...input });
    const first = await schedule({});
    assert.deepEqual(first.ScheduledWindowExecutions.map((run) => run.ExecutionTime.slice(0, 10)), ['2026-03-07', '2026-03-08']);
    clock.ms = Date.parse('2026-03-07T04:00:00Z'); // the first run is now past: an offset of 2 would skip the 9th
    const second = await schedule({ NextToken: first.NextToken });
    assert.deepEqual(second.ScheduledWindowExecutions.map((run) => run.ExecutionTime.slice(0, 10)), ['2026-03-09', '2026-03-10']);
  });

  it('DescribeMaintenanceWindows and DescribeMaintenanceWindowTargets go on from the last one shown: one deleted between pages hides none', async () => {
    await bed.close();
    bed = await WindowBed.create(clock, [instance(1, [{ Key: 'Role', Value: 'web' }])], { limits: { windows: 20 } });
    const windows: string[] = [];
    for (let n = 0; n < 12; n++) {
      clock.ms += 1000; // oldest first: make the order certain
      windows.push(await create({ Name: `window-${n}` }));
    }
    type Identities = { WindowIdentities: Array<{ WindowId: string }>; NextToken?: string };
    const first = await bed.call<Identities>('DescribeMaintenanceWindows', { MaxResults: 10 });
    assert.deepEqual(first.WindowIdentities.map((w) => w.WindowId), windows.slice(0, 10));
    await bed.call('DeleteMaintenanceWindow', { WindowId: windows[0] }); // shown already: an offset of 10 would skip window-10
    const second = await bed.call<Identities>('DescribeMaintenanceWindows', { MaxResults: 10, NextToken: first.NextToken });
    assert.deepEqual(second.WindowIdentities.map((w) => w.WindowId), windows.slice(10));

    const id = windows[1]!;
    const targets: string[] = [];
    for (let n = 0; n < 12; n++) {
      clock.ms += 1000;
      targets.push((await bed.call<{ WindowTargetId: string }>('RegisterTargetWithMaintenanceWindow', { WindowId: id, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }] })).WindowTargetId);
    }
    type Listed = { Targets: Array<{ WindowTargetId: string }>; NextToken?: string };
    const page = await bed.call<Listed>('DescribeMaintenanceWindowTargets', { WindowId: id, MaxResults: 10 });
    assert.deepEqual(page.Targets.map((t) => t.WindowTargetId), targets.slice(0, 10));
    await bed.call('DeregisterTargetFromMaintenanceWindow', { WindowId: id, WindowTargetId: targets[3] });
    const rest = await bed.call<Listed>('DescribeMaintenanceWindowTargets', { WindowId: id, MaxResults: 10, NextToken: page.NextToken });
    assert.deepEqual(rest.Targets.map((t) => t.WindowTargetId), targets.slice(10));
    assert.equal(rest.NextToken, undefined);
  });

  it('DescribeMaintenanceWindowSchedule across the end of daylight saving runs a repeated time once', async () => {
    clock.ms = Date.parse('2026-10-30T12:00:00Z');
    // 01:30 happens twice on 2026-11-01 in New York; the window runs at the first.
    const id = await create({ Schedule: 'cron(30 1 ? * * *)', ScheduleTimezone: 'America/New_York' });
    const { ScheduledWindowExecutions } = await bed.call<{ ScheduledWindowExecutions: Array<{ ExecutionTime: string }> }>('DescribeMaintenanceWindowSchedule', { WindowId: id, MaxResults: 3 });
    assert.deepEqual(ScheduledWindowExecutions.map((run) => run.ExecutionTime), ['2026-10-31T01:30:00-04:00', '2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00']);
  });
});
