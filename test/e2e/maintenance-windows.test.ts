import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateActivationCommand,
  CreateMaintenanceWindowCommand,
  DescribeInstanceInformationCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  DescribeMaintenanceWindowExecutionTaskInvocationsCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  GetCommandInvocationCommand,
  GetMaintenanceWindowExecutionCommand,
  ListCommandsCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  SSMClient,
  type MaintenanceWindowExecutionTaskInvocationIdentity,
} from '@aws-sdk/client-ssm';
import { SERVER_DEFAULTS, startControlPlane, type RunningControlPlane } from '@tender/server';
import { pino } from 'pino';
import { readAdminKey } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess, runCli, TENDER_BIN } from '../support/processes.js';
import { freePort } from '../support/ports.js';

/**
 * Maintenance windows end to end: a real control plane (embedded broker), two real agent processes tagged
 * Role=web, and the official SSM client. The scheduler reads its own clock, which the test sets (to the window's
 * start, to its cutoff); agents, heartbeats and command deadlines keep real time.
 */

/** The scheduler's clock: real time shifted, so that it reads what the test set and moves on from there. */
class ShiftedClock {
  private offset = 0;
  readonly now = (): Date => new Date(Date.now() + this.offset);
  set(iso: string): void {
    this.offset = Date.parse(iso) - Date.now();
  }
}

const FINAL = new Set(['SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED_OVERLAPPING']);

describe('Maintenance windows end to end: scheduler → Run Command → agent processes', function () {
  this.timeout(180000);
  const clock = new ShiftedClock();
  let work: string;
  let dataDir: string;
  let ports: { httpPort: number; mqttPort: number };
  let running: RunningControlPlane | undefined;
  let ssm: SSMClient;
  let scripts: string;
  const agents: LiveProcess[] = [];
  const instanceIds: string[] = [];
  /** The first test's window and execution, which the CLI test shows. */
  const shown = { windowId: '', executionId: '' };

  const start = async () => {
    running = await startControlPlane(
      { ...SERVER_DEFAULTS, dataDir, ...ports, logLevel: 'warn', heartbeatSeconds: 2 },
      { logger: pino({ level: process.env.TENDER_TEST_LOG ?? 'silent' }), maintenanceWindows: { now: clock.now, tickMs: 200 } },
    );
    ssm?.destroy();
    ssm = new SSMClient({ region: running.region, endpoint: running.endpoint, credentials: await readAdminKey(running.credentialsFile), maxAttempts: 1 });
  };
  const online = () =>
    eventually(async () => {
      const { InstanceInformationList: list = [] } = await ssm.send(new DescribeInstanceInformationCommand({}));
      return list.filter((i) => i.PingStatus === 'Online').length === instanceIds.length;
    }, 'every agent Online', 30000);

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-mw-e2e-'));
    dataDir = path.join(work, 'cp');
    scripts = path.join(work, 'marks');
    await fs.mkdir(scripts);
    ports = { httpPort: await freePort(), mqttPort: await freePort() };
    clock.set('2026-03-06T09:00:00Z');
    await start();
    const activation = await ssm.send(new CreateActivationCommand({ IamRole: 'TestRole', RegistrationLimit: 2, Tags: [{ Key: 'Role', Value: 'web' }] }));
    for (const n of [1, 2]) {
      const stateDir = path.join(work, `agent-${n}`);
      const registered = await runCli(AGENT_BIN, ['register', '--endpoint', running!.endpoint, '--id', activation.ActivationId!, '--code', activation.ActivationCode!, '--state-dir', stateDir, '--json']);
      assert.equal(registered.code, 0, registered.stderr);
      instanceIds.push((JSON.parse(registered.stdout) as { instanceId: string }).instanceId);
      // Reconnect quickly after the control plane's restart (the default backoff grows to a minute).
      const identityFile = path.join(stateDir, 'identity.json');
      const identity = JSON.parse(await fs.readFile(identityFile, 'utf8')) as { transport: { settings: Record<string, unknown> } };
      identity.transport.settings.backoff = { baseMs: 200, capMs: 1000 };
      await fs.writeFile(identityFile, JSON.stringify(identity));
      agents.push(new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]));
    }
    await online();
  });
  after(async () => {
    for (const agent of agents) await agent.kill('SIGKILL');
    ssm?.destroy();
    await running?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  /** A window every day at `hour` UTC for 2 hours, cutoff 1 hour, on the Role=web instances. */
  const windowWithTarget = async (name: string, hour: number) => {
    const { WindowId } = await ssm.send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: `cron(0 ${hour} ? * * *)`, Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await ssm.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }] }));
    return { windowId: WindowId!, targetId: WindowTargetId! };
  };
  const shellTask = (windowId: string, targetId: string, priority: number, commands: string[], over: { MaxConcurrency?: string; CutoffBehavior?: 'CANCEL_TASK' | 'CONTINUE_TASK' } = {}) =>
    ssm.send(
      new RegisterTaskWithMaintenanceWindowCommand({
        WindowId: windowId,
        TaskType: 'RUN_COMMAND',
        TaskArn: 'AWS-RunShellScript',
        Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }],
        Priority: priority,
        MaxConcurrency: over.MaxConcurrency ?? '2',
        MaxErrors: '0',
        CutoffBehavior: over.CutoffBehavior ?? 'CONTINUE_TASK',
        TaskInvocationParameters: { RunCommand: { Parameters: { commands } } },
      }),
    );
  const theExecution = (windowId: string) =>
    eventually(async () => (await ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId }))).WindowExecutions?.[0], `an execution of ${windowId}`, 20000);
  const executionEnds = (id: string) =>
    eventually(async () => {
      const execution = await ssm.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: id }));
      return FINAL.has(execution.Status ?? '') ? execution : undefined;
    }, `execution ${id} to end`, 90000, 200);
  const tasksOf = async (id: string) => (await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: id }))).WindowExecutionTaskIdentities ?? [];
  const invocationsOf = async (id: string, taskId: string): Promise<MaintenanceWindowExecutionTaskInvocationIdentity[]> =>
    (await ssm.send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: id, TaskId: taskId }))).WindowExecutionTaskInvocationIdentities ?? [];
  const output = async (commandId: string, instanceId: string) => (await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }))).StandardOutputContent ?? '';
  const commandsOfWindow = async (windowId: string) => ((await ssm.send(new ListCommandsCommand({}))).Commands ?? []).filter((c) => c.Comment?.includes(windowId));

  it('runs two RUN_COMMAND tasks in priority order on the tagged targets, each within its rate controls; a task due inside the cutoff does not start', async () => {
    const { windowId, targetId } = await windowWithTarget('two-priorities', 10);
    // Priority 1, one host at a time: each invocation records its start and end on the host.
    await shellTask(windowId, targetId, 1, [`echo "$(date +%s%N) start" >> ${scripts}/order`, 'sleep 1', `echo "$(date +%s%N) end" >> ${scripts}/order`, `touch ${scripts}/{{RESOURCE_ID}}-first`, 'echo first on {{RESOURCE_ID}}'], { MaxConcurrency: '1' });
    // Priority 2 checks on each host that priority 1 ran there before it, then takes long enough to reach the cutoff.
    await shellTask(windowId, targetId, 2, [`test -f ${scripts}/{{RESOURCE_ID}}-first`, 'echo second after first on {{RESOURCE_ID}} in {{WINDOW_EXECUTION_ID}}', 'sleep 8']);
    // Priority 3 would start after the cutoff.
    await shellTask(windowId, targetId, 3, [`touch ${scripts}/third-ran`]);

    clock.set('2026-03-06T10:00:00Z');
    const { WindowExecutionId: id } = await theExecution(windowId);
    // Once priority 2 is running, the window reaches its cutoff (11:00).
    await eventually(async () => (await tasksOf(id!)).length === 2, 'priority 2 to start', 60000, 100);
    clock.set('2026-03-06T11:00:00Z');
    const ended = await executionEnds(id!);
    assert.equal(ended.Status, 'TIMED_OUT', ended.StatusDetails);
    assert.match(ended.StatusDetails ?? '', /cutoff/);
    assert.equal(ended.TaskIds?.length, 2, 'priority 3 never started');
    await assert.rejects(fs.access(path.join(scripts, 'third-ran')));

    const tasks = await tasksOf(id!);
    assert.deepEqual(tasks.map((t) => t.Status), ['SUCCESS', 'SUCCESS'], 'the running task continued past the cutoff (CONTINUE_TASK)');
    const [first, second] = [await invocationsOf(id!, tasks[0]!.TaskExecutionId!), await invocationsOf(id!, tasks[1]!.TaskExecutionId!)];
    for (const [list, text] of [[first, 'first on'], [second, 'second after first on']] as const) {
      assert.deepEqual(list.map((i) => i.Status), ['SUCCESS', 'SUCCESS']);
      for (const invocation of list) {
        const sent = JSON.parse(invocation.Parameters ?? '{}') as { instanceIds: string[]; parameters: { commands: string[] } };
        const instanceId = sent.instanceIds[0]!;
        assert.ok(instanceIds.includes(instanceId));
        assert.match(sent.parameters.commands.join('\n'), new RegExp(`on ${instanceId}`), '{{RESOURCE_ID}} became the instance id');
        assert.match(await output(invocation.ExecutionId!, instanceId), new RegExp(`${text} ${instanceId}`));
      }
    }
    assert.match(await output(second[0]!.ExecutionId!, (JSON.parse(second[0]!.Parameters!) as { instanceIds: string[] }).instanceIds[0]!), new RegExp(`in ${id}`), '{{WINDOW_EXECUTION_ID}} filled in');
    // MaxConcurrency 1: the two hosts ran priority 1 one after the other, never overlapping.
    const lines = (await fs.readFile(path.join(scripts, 'order'), 'utf8')).trim().split('\n').map((line) => line.split(' ')[1]);
    assert.deepEqual(lines, ['start', 'end', 'start', 'end']);
    assert.equal((await commandsOfWindow(windowId)).length, 4, 'two tasks x two hosts');
    Object.assign(shown, { windowId, executionId: id });
  });

  it('tender maintenance-windows create | list | schedule | executions', async function () {
    this.timeout(600000); // nine CLI processes, each slow to start on a loaded machine
    const cli = (...args: string[]) => runCli(TENDER_BIN, ['maintenance-windows', ...args, '--endpoint', running!.endpoint, '--data-dir', dataDir], { timeoutMs: 60000 });
    const refused = await cli('create', '--name', 'bad-cutoff', '--schedule', 'cron(0 2 ? * SUN *)', '--duration', '2', '--cutoff', '2');
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.message, /ValidationException: The cutoff \(2 hours\) must be less than the duration/);

    const created = await cli('create', '--name', 'cli-window', '--schedule', 'cron(30 2 ? * * *)', '--timezone', 'America/New_York', '--duration', '3', '--cutoff', '1', '--json');
    assert.equal(created.code, 0, created.stderr);
    const { WindowId } = JSON.parse(created.stdout) as { WindowId: string };
    const listed = await cli('list', '--json');
    assert.ok((JSON.parse(listed.stdout) as Array<{ WindowId: string }>).some((w) => w.WindowId === WindowId));
    const table = await cli('list');
    assert.match(table.stdout, new RegExp(`${WindowId}\\s+cli-window\\s+true\\s+cron\\(30 2 \\? \\* \\* \\*\\)\\s+America/New_York`));

    // The scheduler's clock reads 2026-03-06 (the window's creation time): 2026-03-08 02:30 does not exist in New York.
    const schedule = await cli('schedule', WindowId, '--count', '3', '--json');
    assert.deepEqual((JSON.parse(schedule.stdout) as Array<{ ExecutionTime: string }>).map((run) => run.ExecutionTime), ['2026-03-07T02:30:00-05:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00']);

    const executions = await cli('executions', shown.windowId);
    assert.equal(executions.code, 0, executions.stderr);
    assert.match(executions.stdout, new RegExp(`${shown.executionId}\\s+TIMED_OUT`));
    const one = await cli('executions', shown.windowId, '--execution', shown.executionId);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, new RegExp(`^Execution ${shown.executionId}  TIMED_OUT`, 'm'));
    assert.match(one.stdout, /^Task \S+ {2}priority 1 {2}RUN_COMMAND AWS-RunShellScript {2}SUCCESS {2}\(MaxConcurrency 1, MaxErrors 0\)/m);
    assert.match(one.stdout, /^Task \S+ {2}priority 2 {2}RUN_COMMAND AWS-RunShellScript {2}SUCCESS/m);
    for (const instanceId of instanceIds) assert.equal(one.stdout.match(new RegExp(`^  ${instanceId}\\s+[0-9a-f-]{36}\\s+SUCCESS`, 'gm'))?.length, 2, one.stdout);
    const json = JSON.parse((await cli('executions', shown.windowId, '--execution', shown.executionId, '--json')).stdout) as { Status: string; Tasks: Array<{ Invocations: unknown[] }> };
    assert.equal(json.Status, 'TIMED_OUT');
    assert.deepEqual(json.Tasks.map((t) => t.Invocations.length), [2, 2]);
    const help = await runCli(TENDER_BIN, ['maintenance-windows', 'executions', '--help']);
    assert.match(help.stdout, /--execution/);
  });

  it('CANCEL_TASK cancels the running invocations at the cutoff', async () => {
    const { windowId, targetId } = await windowWithTarget('cancel-at-cutoff', 14);
    await shellTask(windowId, targetId, 1, ['sleep 120', `touch ${scripts}/not-cancelled`], { CutoffBehavior: 'CANCEL_TASK' });
    clock.set('2026-03-06T14:00:00Z');
    const { WindowExecutionId: id } = await theExecution(windowId);
    const commands = await eventually(async () => {
      const listed = await commandsOfWindow(windowId);
      return listed.length === 2 && listed.every((c) => c.Status === 'InProgress') ? listed : undefined;
    }, 'both hosts running the task', 30000);
    clock.set('2026-03-06T15:00:00Z');
    const ended = await executionEnds(id!);
    assert.equal(ended.Status, 'TIMED_OUT');
    const [task] = await tasksOf(id!);
    assert.equal(task?.Status, 'TIMED_OUT');
    const invocations = await invocationsOf(id!, task!.TaskExecutionId!);
    assert.deepEqual(invocations.map((i) => i.Status), ['CANCELLED', 'CANCELLED']);
    for (const command of commands) {
      const listed = (await ssm.send(new ListCommandsCommand({ CommandId: command.CommandId }))).Commands?.[0];
      assert.equal(listed?.Status, 'Cancelled');
    }
    await assert.rejects(fs.access(path.join(scripts, 'not-cancelled')));
  });

  it('a control-plane restart in the middle of a window resumes tracking without losing or repeating invocations', async () => {
    const { windowId, targetId } = await windowWithTarget('restart-mid-window', 18);
    await shellTask(windowId, targetId, 1, [`echo ran >> ${scripts}/{{RESOURCE_ID}}-restart-1`, 'sleep 4', 'echo done']);
    await shellTask(windowId, targetId, 2, [`echo ran >> ${scripts}/{{RESOURCE_ID}}-restart-2`]);
    clock.set('2026-03-06T18:00:00Z');
    const { WindowExecutionId: id } = await theExecution(windowId);
    await eventually(async () => {
      const listed = await commandsOfWindow(windowId);
      return listed.length === 2 && listed.every((c) => c.Status === 'InProgress');
    }, 'priority 1 running on both hosts', 30000);

    await running!.stop();
    running = undefined;
    await start();
    await online();
    const ended = await executionEnds(id!);
    assert.equal(ended.Status, 'SUCCESS', ended.StatusDetails);
    const tasks = await tasksOf(id!);
    assert.deepEqual(tasks.map((t) => t.Status), ['SUCCESS', 'SUCCESS']);
    for (const task of tasks) assert.deepEqual((await invocationsOf(id!, task.TaskExecutionId!)).map((i) => i.Status), ['SUCCESS', 'SUCCESS']);
    assert.equal((await commandsOfWindow(windowId)).length, 4, 'no command sent twice, none lost');
    for (const instanceId of instanceIds) {
      assert.equal(await fs.readFile(path.join(scripts, `${instanceId}-restart-1`), 'utf8'), 'ran\n', 'priority 1 ran exactly once on each host');
      assert.equal(await fs.readFile(path.join(scripts, `${instanceId}-restart-2`), 'utf8'), 'ran\n', 'priority 2 ran exactly once on each host');
    }
  });
});
