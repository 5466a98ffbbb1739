import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateDocumentCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type Command,
  type CommandInvocation,
} from '@aws-sdk/client-ssm';
import { registerAgent } from '@tender/agent';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess } from '../support/processes.js';
import { freePort } from '../support/ports.js';

/**
 * Run Command across a fleet of real `tender-agent` processes: rate controls (MaxConcurrency, MaxErrors),
 * results produced while the broker is down, a control-plane restart mid fan-out, and multi-step 2.2 documents.
 */

const RUNNING = new Set(['Pending', 'InProgress', 'Cancelling']);

/** Every agent process any test started, killed in the top-level after(). */
const agents: LiveProcess[] = [];
/** Every control plane any test started and has not stopped. */
const planes = new Set<TestControlPlane>();
const temps: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

async function startPlane(options: Parameters<typeof startTestControlPlane>[0] = {}): Promise<TestControlPlane> {
  const cp = await startTestControlPlane({ heartbeatSeconds: 5, ...options });
  planes.add(cp);
  return cp;
}

async function stopPlane(cp: TestControlPlane): Promise<void> {
  planes.delete(cp);
  await cp.stop();
}

/** Register `count` agents (in-process) from one activation with `tags`, and start a `tender-agent start` for each. */
async function startFleet(cp: TestControlPlane, work: string, count: number, tags: Array<{ Key: string; Value: string }>): Promise<string[]> {
  const activation = await cp.createActivation({ limit: count, tags });
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const stateDir = path.join(work, `agent-${index}`);
    const identity = await registerAgent({ endpoint: cp.running.endpoint, activationId: activation.id, activationCode: activation.code, stateDir });
    ids.push(identity.instanceId);
    agents.push(new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]));
  }
  await eventually(
    async () => {
      for (const id of ids) if ((await cp.describe(id))?.PingStatus !== 'Online') return false;
      return true;
    },
    `${count} agents Online`,
    90000,
    250,
  );
  return ids.sort();
}

async function createDocument(cp: TestControlPlane, name: string, content: unknown): Promise<void> {
  await cp.ssm.send(new CreateDocumentCommand({ Name: name, Content: JSON.stringify(content), DocumentType: 'Command' }));
}

async function commandOf(cp: TestControlPlane, commandId: string): Promise<Command | undefined> {
  return (await cp.ssm.send(new ListCommandsCommand({ CommandId: commandId }))).Commands?.[0];
}

/** Wait until the command is no longer Pending/InProgress/Cancelling; its record. */
function commandFinished(cp: () => TestControlPlane, commandId: string, timeoutMs = 60000): Promise<Command> {
  return eventually(
    async () => {
      const command = await commandOf(cp(), commandId);
      return command && !RUNNING.has(command.Status ?? '') ? command : undefined;
    },
    `command ${commandId} to finish`,
    timeoutMs,
    200,
  );
}

async function invocationsOf(cp: TestControlPlane, commandId: string, details = false): Promise<CommandInvocation[]> {
  const all: CommandInvocation[] = [];
  let token: string | undefined;
  do {
    const page = await cp.ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: details, NextToken: token }));
    all.push(...(page.CommandInvocations ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

/** A control plane on fixed ports and a data dir that outlive it, so it can be stopped and started again. */
async function restartablePlane(): Promise<{ options: { dataDir: string; httpPort: number; mqttPort: number } }> {
  const dataDir = await tempDir('tender-cp-fixed-');
  return { options: { dataDir, httpPort: await freePort(), mqttPort: await freePort() } };
}

async function readNumber(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.trim());
}

describe('Run Command across a fleet of agent processes', function () {
  this.timeout(150000);

  after(async function () {
    this.timeout(60000);
    await Promise.all(agents.map((agent) => agent.kill('SIGKILL')));
    for (const cp of [...planes]) await stopPlane(cp).catch(() => undefined);
    for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
  });

  it('20 agents by tag, MaxConcurrency 5, MaxErrors 1, some hosts failing: ≤ 5 at once, dispatch stops after the second error, SSM statuses', async () => {
    const cp = await startPlane();
    const work = await tempDir('tender-fleet-');
    const marks = path.join(work, 'marks');
    await fs.mkdir(marks);
    const ids = await startFleet(cp, work, 20, [{ Key: 'Fleet', Value: 'f1' }]);
    assert.equal(ids.length, 20);

    // Dispatch order is the sorted instance ids (command-targets.ts). Hosts 6 and 8 fail in the second wave; host
    // 15 would fail too but is never reached: once the second error is recorded, nothing more is dispatched.
    const failing = [ids[6]!, ids[8]!, ids[15]!];
    for (const id of failing) await fs.writeFile(path.join(marks, `${id}.fail`), '');
    await createDocument(cp, 'Fleet-Timed', {
      schemaVersion: '2.2',
      description: 'record start and end; fail where a marker says so',
      parameters: { Dir: { type: 'String' } },
      mainSteps: [
        {
          action: 'aws:runShellScript',
          name: 'timed',
          inputs: {
            runCommand: [
              'D={{ Dir }}',
              'date +%s.%N > "$D/$AWS_SSM_INSTANCE_ID.start"',
              'sleep 1',
              'date +%s.%N > "$D/$AWS_SSM_INSTANCE_ID.end"',
              'test ! -e "$D/$AWS_SSM_INSTANCE_ID.fail"',
            ],
          },
        },
      ],
    });
    const sent = await cp.ssm.send(
      new SendCommandCommand({ DocumentName: 'Fleet-Timed', Targets: [{ Key: 'tag:Fleet', Values: ['f1'] }], MaxConcurrency: '5', MaxErrors: '1', Parameters: { Dir: [marks] } }),
    );
    const commandId = sent.Command?.CommandId ?? '';
    assert.equal(sent.Command?.TargetCount, 20);
    const command = await commandFinished(() => cp, commandId, 90000);

    // The agents' own timestamps.
    const runs: Array<{ id: string; start: number; end: number }> = [];
    for (const id of ids) {
      const start = await readNumber(path.join(marks, `${id}.start`));
      const end = await readNumber(path.join(marks, `${id}.end`));
      if (start === undefined) continue;
      assert.ok(end !== undefined && end >= start, `${id} started but has no end`);
      runs.push({ id, start, end });
    }
    // Never more than 5 at once: sweep over the intervals (an end at the same instant as a start counts first).
    const events = runs.flatMap((run) => [
      { t: run.start, d: 1 },
      { t: run.end, d: -1 },
    ]);
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    let running = 0;
    let peak = 0;
    for (const event of events) {
      running += event.d;
      peak = Math.max(peak, running);
    }
    assert.ok(peak <= 5, `at most 5 ran at once, saw ${peak}`);
    assert.ok(peak >= 2, `the fan-out ran in parallel (peak ${peak})`);

    // Dispatch stopped: the two failures ran; host 15 (and so every host dispatched after it) never started.
    const ran = new Set(runs.map((run) => run.id));
    assert.ok(ran.has(failing[0]!) && ran.has(failing[1]!));
    assert.ok(!ran.has(failing[2]!), 'the third failing host was never dispatched');
    for (let index = 0; index < 10; index += 1) assert.ok(ran.has(ids[index]!), `host ${index} ran`);
    // Once the second failing script had ended, at most MaxConcurrency - 1 others could still be in flight (the
    // failing one held the fifth slot until its result was recorded), so at most 4 scripts started after it.
    const secondFailure = Math.max(...runs.filter((run) => failing.includes(run.id)).map((run) => run.end));
    const startedAfter = runs.filter((run) => run.start > secondFailure);
    assert.ok(startedAfter.length <= 4, `${startedAfter.length} started after the second failure ended`);
    // Dispatch is in order: the hosts that ran are a prefix of the dispatch order.
    const lastRan = Math.max(...[...ran].map((id) => ids.indexOf(id)));
    assert.equal(ran.size, lastRan + 1, 'the hosts that ran are exactly the first ones in dispatch order');
    assert.ok(ran.size < 15);

    // Invocation statuses as SSM gives them.
    const invocations = await invocationsOf(cp, commandId);
    assert.equal(invocations.length, 20);
    for (const invocation of invocations) {
      const id = invocation.InstanceId ?? '';
      const expected = !ran.has(id) ? ['Cancelled', 'Terminated'] : failing.includes(id) ? ['Failed', 'Failed'] : ['Success', 'Success'];
      assert.deepEqual([invocation.Status, invocation.StatusDetails], expected, `invocation on ${id} (host ${ids.indexOf(id)})`);
    }
    // The command: more errors than MaxErrors → Failed/Failed; every invocation is in a terminal state (Terminated
    // ones included, per SSM's CompletedCount), and the two failures are the errors.
    assert.deepEqual(
      { Status: command.Status, StatusDetails: command.StatusDetails, ErrorCount: command.ErrorCount, CompletedCount: command.CompletedCount, TargetCount: command.TargetCount },
      { Status: 'Failed', StatusDetails: 'Failed', ErrorCount: 2, CompletedCount: 20, TargetCount: 20 },
    );
    await Promise.all(agents.splice(0).map((agent) => agent.kill('SIGKILL')));
    await stopPlane(cp);
  });
  it('a result produced while the broker is down is delivered when it returns, and the step ran once', async () => {
    const { options } = await restartablePlane();
    let cp = await startPlane(options);
    const work = await tempDir('tender-brokerdown-');
    const marks = path.join(work, 'marks');
    await fs.mkdir(marks);
    const [id] = await startFleet(cp, work, 1, []);
    const sent = await cp.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [id!],
        Parameters: { commands: [`echo ran >> ${marks}/runs`, 'echo before', 'sleep 3', 'echo after', `touch ${marks}/done`] },
      }),
    );
    const commandId = sent.Command?.CommandId ?? '';
    await eventually(async () => (await fs.readFile(path.join(marks, 'runs'), 'utf8').catch(() => '')).length > 0, 'the script to start');
    await stopPlane(cp);
    // The step ends while nothing is listening on the broker port; give the agent time to try to report it.
    await eventually(async () => fs.access(path.join(marks, 'done')).then(() => true), 'the script to end', 15000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    cp = await startPlane(options);
    const current = cp;
    const command = await commandFinished(() => current, commandId, 60000);
    const [invocation] = await invocationsOf(cp, commandId, true);
    assert.equal(command.Status, 'Success');
    assert.deepEqual([invocation?.Status, invocation?.StatusDetails], ['Success', 'Success']);
    assert.equal(invocation?.CommandPlugins?.[0]?.Output, 'before\nafter\n');
    assert.equal(invocation?.CommandPlugins?.[0]?.ResponseCode, 0);
    // Not resent: one run only, even a little later.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await fs.readFile(path.join(marks, 'runs'), 'utf8'), 'ran\n');
    await Promise.all(agents.splice(0).map((agent) => agent.kill('SIGKILL')));
    await stopPlane(cp);
  });

  it('a control-plane restart in the middle of a fan-out loses no invocation and runs none twice', async () => {
    const { options } = await restartablePlane();
    let cp = await startPlane(options);
    const work = await tempDir('tender-restart-');
    const shared = path.join(work, 'ran.log');
    const ids = await startFleet(cp, work, 6, [{ Key: 'Fleet', Value: 'f3' }]);
    const sent = await cp.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        Targets: [{ Key: 'tag:Fleet', Values: ['f3'] }],
        MaxConcurrency: '1',
        Parameters: { commands: [`echo $AWS_SSM_INSTANCE_ID >> ${shared}`, 'sleep 1'] },
      }),
    );
    const commandId = sent.Command?.CommandId ?? '';
    const first = cp;
    await eventually(async () => (await invocationsOf(first, commandId)).filter((i) => i.Status === 'Success').length >= 2, 'two invocations to finish', 30000, 100);
    await stopPlane(cp);
    cp = await startPlane(options);
    const current = cp;
    const command = await commandFinished(() => current, commandId, 60000);
    const invocations = await invocationsOf(cp, commandId);
    assert.deepEqual(
      invocations.map((i) => [i.InstanceId, i.Status, i.StatusDetails]).sort(),
      ids.map((id) => [id, 'Success', 'Success']),
    );
    assert.deepEqual([command.Status, command.StatusDetails, command.CompletedCount, command.ErrorCount], ['Success', 'Success', 6, 0]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = (await fs.readFile(shared, 'utf8')).trim().split('\n');
    assert.deepEqual([...lines].sort(), ids, 'each instance ran the script exactly once');
    await Promise.all(agents.splice(0).map((agent) => agent.kill('SIGKILL')));
    await stopPlane(cp);
  });
  it('Linux-runnable multi-step 2.2 documents from the corpus run, with Windows-only steps skipped by precondition', async function () {
    const corpus = '/work/shared/ssm-corpus/command';
    if (!existsSync(corpus)) {
      // The corpus is a shared checkout that is not everywhere.
      this.skip();
    }
    const cp = await startPlane();
    const work = await tempDir('tender-corpus-');
    const [id] = await startFleet(cp, work, 1, []);
    interface Step {
      action: string;
      name: string;
      precondition?: { StringEquals?: [string, string] };
      inputs: { runCommand?: string[] };
    }
    interface Doc {
      schemaVersion: string;
      parameters?: Record<string, { default?: unknown; allowedValues?: string[] }>;
      mainSteps: Step[];
    }
    // Both have a Linux step and a Windows step chosen by a platformType precondition. Their Linux bodies are not
    // harmless here (`cmds` is a placeholder; the Inspector one downloads and installs an agent), so the variant
    // keeps the document's structure, names, parameters and preconditions and replaces only that body with echo.
    for (const file of ['awsdocs-CrossPlatformSample.json', 'AmazonInspector-ManageAWSAgent.json']) {
      const original = JSON.parse(await fs.readFile(path.join(corpus, file), 'utf8')) as Doc;
      assert.equal(original.schemaVersion, '2.2');
      const platformOf = (step: Step) => (step.precondition?.StringEquals?.[0] === 'platformType' ? step.precondition.StringEquals[1] : undefined);
      assert.ok(original.mainSteps.some((step) => platformOf(step) === 'Windows') && original.mainSteps.some((step) => platformOf(step) === 'Linux'), file);
      const variant: Doc = {
        ...original,
        mainSteps: original.mainSteps.map((step) =>
          platformOf(step) === 'Linux' ? { ...step, inputs: { ...step.inputs, runCommand: [`echo ${step.name} ran on $(uname -s)`] } } : step,
        ),
      };
      const name = `Corpus-${path.basename(file, '.json')}`;
      await createDocument(cp, name, variant);
      const parameters: Record<string, string[]> = {};
      for (const [key, spec] of Object.entries(original.parameters ?? {})) {
        if (spec.default === undefined) parameters[key] = [spec.allowedValues?.[0] ?? 'x'];
      }
      const sent = await cp.ssm.send(new SendCommandCommand({ DocumentName: name, InstanceIds: [id!], Parameters: parameters }));
      const commandId = sent.Command?.CommandId ?? '';
      const command = await commandFinished(() => cp, commandId);
      assert.deepEqual([command.Status, command.StatusDetails], ['Success', 'Success'], file);
      const [invocation] = await invocationsOf(cp, commandId, true);
      assert.deepEqual([invocation?.Status, invocation?.StatusDetails], ['Success', 'Success'], file);
      const plugins = invocation?.CommandPlugins ?? [];
      assert.deepEqual(
        plugins.map((plugin) => plugin.Name),
        original.mainSteps.map((step) => step.name),
        `${file}: one plugin per step, in order`,
      );
      for (const step of original.mainSteps) {
        const plugin = plugins.find((candidate) => candidate.Name === step.name);
        if (platformOf(step) === 'Windows') {
          // SSM reports a step skipped by its precondition as Success with the detail Skipped (command-views.ts).
          assert.deepEqual([plugin?.Status, plugin?.StatusDetails, plugin?.ResponseCode], ['Success', 'Skipped', 0], `${file}: ${step.name}`);
          assert.match(plugin?.Output ?? '', /skipped/i, `${file}: ${step.name} says why it was skipped`);
        } else {
          assert.deepEqual([plugin?.Status, plugin?.StatusDetails, plugin?.ResponseCode], ['Success', 'Success', 0], `${file}: ${step.name}`);
          assert.equal(plugin?.Output, `${step.name} ran on ${os.type()}\n`);
        }
      }
    }
    await Promise.all(agents.splice(0).map((agent) => agent.kill('SIGKILL')));
    await stopPlane(cp);
  });
});
