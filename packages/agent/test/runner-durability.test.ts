import assert from 'node:assert/strict';
import { spawn as nodeSpawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSystemRebooter,
  INTERRUPTED_COMMAND_REASON,
  INTERRUPTED_STEP_REASON,
  rebootCommand,
  rebootOnce,
  type CommandProgress,
  type CommandRecord,
} from '../src/runner/index.js';
import { pendingStep } from '../src/runner/step-results.js';
import { document22, exists, isRunning, killAll, makeCommand, openRunner, readPids, recordingRebooter, shellStep, tempDir, unix, waitFor, type TestRunner } from './fixtures/runner/harness.js';

const CRASH_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'runner', 'crash-child.js');

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await fs.readFile(file, 'utf8')) as T;

(unix ? describe : describe.skip)('agent runner: reboots, crashes and recovery', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner | undefined;
  const leftovers: string[] = [];

  beforeEach(async () => {
    stateDir = await tempDir();
  });
  afterEach(async () => {
    await t?.runner.stop();
    t = undefined;
    for (const file of leftovers.splice(0)) killAll(await readPids(file));
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('exit 194: state persisted, rebooter called once; after the restart the step runs again and the document goes on', async () => {
    const rebooter = recordingRebooter();
    const progress: CommandProgress[] = [];
    t = await openRunner(stateDir, { rebooter, onProgress: (update) => progress.push(update) });
    const marker = path.join(stateDir, 'rebooted-once');
    const command = makeCommand(
      document22([
        shellStep('install', [`if [ -f ${marker} ]; then echo "second run"; exit 0; fi`, `touch ${marker}`, 'echo "first run: reboot please"', 'exit 194']),
        shellStep('after', 'echo after'),
      ]),
    );
    await t.runner.accept(command);
    await waitFor('the reboot request', () => rebooter.calls === 1);
    await t.runner.idle();
    assert.equal(t.results.size, 0, 'no result: the command is not over');
    assert.deepEqual(await t.runner.pendingResults(), []);
    const record = await readJson<CommandRecord>(path.join(stateDir, 'commands', 'current', `${command.commandId}.json`));
    assert.equal(record.phase, 'rebooting');
    assert.equal(record.reboot?.stepIndex, 0);
    assert.deepEqual(record.steps.map((step) => [step.status, step.runs, step.responseCode]), [
      ['InProgress', 1, 194],
      ['Pending', 0, -1],
    ]);
    assert.match(record.steps[0]!.message!, /the host reboots and the step runs again after the restart \(run 1 of at most 15\)/);
    assert.equal(progress.at(-1)?.rebooting, true, 'the agent can tell the control plane before the host goes down');
    await t.runner.stop(); // the host goes down

    const afterReboot = recordingRebooter();
    t = await openRunner(stateDir, { rebooter: afterReboot }, false);
    const report = await t.runner.recover();
    assert.deepEqual(report.resumed, [command.commandId]);
    const result = await t.waitForResult(command.commandId);
    assert.equal(result.status, 'Success');
    const [install, after] = result.steps;
    assert.equal(install!.runs, 2);
    assert.equal(install!.responseCode, 0);
    assert.equal(install!.stdout.preview, 'first run: reboot please\nsecond run\n', 'both runs\' output is kept, in order');
    assert.equal(await fs.readFile(install!.stdout.file, 'utf8'), 'first run: reboot please\nsecond run\n');
    assert.equal(after!.status, 'Success');
    assert.equal(after!.runs, 1);
    assert.equal(rebooter.calls + afterReboot.calls, 1);
    assert.equal(await t.runner.accept(command), 'duplicate');
  });

  it('two runners sharing one rebootOnce rebooter (Run Command and the associations, as the agent wires them) asking at once make one reboot request', async () => {
    const recording = recordingRebooter();
    const rebooter = rebootOnce(recording);
    const otherDir = await tempDir();
    const other = await openRunner(otherDir, { rebooter });
    try {
      t = await openRunner(stateDir, { rebooter });
      const a = makeCommand(document22([shellStep('wants-reboot', 'exit 194')]));
      const b = makeCommand(document22([shellStep('wants-reboot-too', 'exit 194')]));
      await Promise.all([t.runner.accept(a), other.runner.accept(b)]);
      const phaseOf = (dir: string, commandId: string) => readJson<CommandRecord>(path.join(dir, 'commands', 'current', `${commandId}.json`)).then((record) => record.phase, () => undefined);
      await waitFor('both commands rebooting', async () => (await phaseOf(stateDir, a.commandId)) === 'rebooting' && (await phaseOf(otherDir, b.commandId)) === 'rebooting');
      await Promise.all([t.runner.idle(), other.runner.idle()]);
      assert.equal(recording.calls, 1, 'one request for the host');
    } finally {
      await other.runner.stop();
      await fs.rm(otherDir, { recursive: true, force: true });
    }
  });

  it('a step that always exits 194 fails after the run-count limit instead of rebooting forever', async () => {
    const rebooter = recordingRebooter();
    const command = makeCommand(document22([shellStep('loop', ['echo run', 'exit 194']), shellStep('after', 'echo after')]));
    let boots = 0;
    for (;;) {
      boots++;
      t = await openRunner(stateDir, { rebooter, maxStepRuns: 3 });
      if (boots === 1) await t.runner.accept(command);
      const calls = rebooter.calls;
      await waitFor('a reboot request or a result', () => rebooter.calls > calls || t!.results.has(command.commandId));
      await t.runner.idle();
      if (t.results.has(command.commandId)) break;
      await t.runner.stop();
      assert.ok(boots < 5, 'the limit holds');
    }
    const result = t.results.get(command.commandId)!;
    assert.equal(boots, 3);
    assert.equal(rebooter.calls, 2, 'runs 1 and 2 rebooted; run 3 failed instead');
    assert.equal(result.status, 'Failed');
    const [loop, after] = result.steps;
    assert.equal(loop!.status, 'Failed');
    assert.equal(loop!.responseCode, 194);
    assert.equal(loop!.runs, 3);
    assert.match(loop!.message!, /exited with 194 \(reboot and run the step again\) on each of its 3 runs; a step runs at most 3 times \(maxStepRuns\), so it has failed instead of rebooting the host again/);
    assert.equal(await fs.readFile(loop!.stdout.file, 'utf8'), 'run\nrun\nrun\n');
    assert.equal(after!.status, 'Success', 'the document goes on by its failure rules');
  });

  it('a reboot that cannot be requested fails the step with the reason, and the document goes on', async () => {
    t = await openRunner(stateDir, { rebooter: { reboot: async () => Promise.reject(new Error('shutdown: permission denied')) } });
    const result = await t.run(makeCommand(document22([shellStep('wants-reboot', 'exit 194'), shellStep('after', 'echo after')])));
    assert.equal(result.status, 'Failed');
    assert.equal(result.steps[0]!.status, 'Failed');
    assert.match(result.steps[0]!.message!, /exited with 194 to ask for a reboot, but the host could not be rebooted: shutdown: permission denied/);
    assert.equal(result.steps[1]!.status, 'Success');
  });

  it('a cancel while the command waits for its reboot ends it Cancelled', async () => {
    const rebooter = recordingRebooter();
    t = await openRunner(stateDir, { rebooter });
    const command = makeCommand(document22([shellStep('reboot', 'exit 194'), shellStep('after', 'echo after')]));
    await t.runner.accept(command);
    await waitFor('the reboot request', () => rebooter.calls === 1);
    await t.runner.idle();
    assert.equal(await t.runner.cancel(command.commandId), 'cancelled');
    const result = await t.waitForResult(command.commandId);
    assert.equal(result.status, 'Cancelled');
    assert.deepEqual(result.steps.map((step) => [step.status, step.responseCode]), [
      ['Cancelled', 194],
      ['Cancelled', -1],
    ]);
  });

  it('kill -9 of the agent mid-step: on restart the invocation is Failed with the reason, spooled, its processes gone', async () => {
    const pids = path.join(stateDir, 'pids');
    leftovers.push(pids);
    const command = makeCommand(
      document22([shellStep('first', 'echo first'), shellStep('sleeper', [`echo $$ >> ${pids}`, 'echo working', 'sleep 60 # spliced-in-value-7f3a']), shellStep('after', 'echo after')]),
    );
    const orchestration = path.join(stateDir, 'runs', command.commandId, 'sleeper', 'orchestration');
    const commandFile = path.join(stateDir, 'command.json');
    await fs.writeFile(commandFile, JSON.stringify(command));
    const child = nodeSpawn(process.execPath, [CRASH_CHILD, stateDir, commandFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (said += text));
    try {
      await waitFor('the child agent to accept the command', () => said === 'accepted\n', 15_000);
      await waitFor('the step to be running', async () => (await readPids(pids)).length === 1, 15_000);
      await waitFor('the step output', async () => (await fs.readFile(path.join(stateDir, 'runs', command.commandId, 'sleeper', 'stdout'), 'utf8').catch(() => '')) === 'working\n');
    } finally {
      child.kill('SIGKILL');
    }
    await once(child, 'exit');
    const [scriptPid] = await readPids(pids);
    assert.equal(await isRunning(scriptPid!), true, 'the killed agent left its step running (its own process group)');
    const before = await readJson<CommandRecord>(path.join(stateDir, 'commands', 'current', `${command.commandId}.json`));
    assert.equal(before.steps[1]!.status, 'InProgress');
    const scripts = await fs.readdir(orchestration);
    assert.ok((await Promise.all(scripts.map((name) => fs.readFile(path.join(orchestration, name), 'utf8')))).some((text) => text.includes('spliced-in-value-7f3a')), 'the running step\'s script is on disk');

    t = await openRunner(stateDir, {}, false);
    const report = await t.runner.recover();
    assert.deepEqual(report.ended.map((result) => result.commandId), [command.commandId]);
    const result = report.ended[0]!;
    assert.equal(result.status, 'Failed');
    assert.equal(result.statusDetails, 'Failed');
    assert.equal(result.message, INTERRUPTED_COMMAND_REASON);
    assert.equal(result.responseCode, -1);
    assert.deepEqual(result.steps.map((step) => [step.name, step.status, step.responseCode]), [
      ['first', 'Success', 0],
      ['sleeper', 'Failed', -1],
      ['after', 'Cancelled', -1],
    ]);
    const sleeper = result.steps[1]!;
    assert.equal(sleeper.message, INTERRUPTED_STEP_REASON);
    assert.equal(sleeper.stdout.preview, 'working\n', 'what the step printed before the crash is kept');
    assert.match(sleeper.stderr.preview, /agent stopped unexpectedly/);
    assert.deepEqual(await t.runner.pendingResults(), [result]);
    assert.equal(await exists(path.join(stateDir, 'commands', 'current', `${command.commandId}.json`)), false);
    assert.equal(await exists(orchestration), false, 'the interrupted step\'s script (which may hold an opened secret) is removed');
    if (process.platform === 'linux') await waitFor('the leftover step processes to be killed', async () => !(await isRunning(scriptPid!)));
    assert.equal(await t.runner.accept(command), 'duplicate', 'never run twice');
    await t.runner.idle();
    assert.deepEqual(t.results.size, 0);
  });

  it('a corrupt state file is moved to corrupt/ with a log line, and the command ends Failed (never a crash)', async () => {
    t = await openRunner(stateDir, {}, false);
    const pendingId = '11111111-1111-1111-1111-111111111111';
    const currentId = '22222222-2222-2222-2222-222222222222';
    await fs.writeFile(path.join(stateDir, 'commands', 'pending', `${pendingId}.json`), '{"version": 1, "command": {');
    await fs.writeFile(path.join(stateDir, 'commands', 'current', `${currentId}.json`), '{"version": 1, "phase": "running"}');
    const report = await t.runner.recover();
    assert.deepEqual(report.corrupt.sort(), [pendingId, currentId].sort());
    assert.deepEqual(report.ended.map((result) => [result.commandId, result.status]).sort(), [
      [pendingId, 'Failed'],
      [currentId, 'Failed'],
    ].sort());
    for (const result of report.ended) assert.match(result.message!, /could not be read.*moved to commands\/corrupt\//);
    assert.deepEqual((await fs.readdir(path.join(stateDir, 'commands', 'corrupt'))).sort(), [`${pendingId}.json`, `${currentId}.json`].sort());
    assert.equal(await fs.readFile(path.join(stateDir, 'commands', 'corrupt', `${pendingId}.json`), 'utf8'), '{"version": 1, "command": {', 'kept as it was');
    assert.ok(t.logger.lines.some((line) => line.level === 'error' && /corrupt/.test(line.message) && line.fields?.commandId === pendingId));
    assert.equal((await t.runner.pendingResults()).length, 2);
    assert.equal(await t.runner.accept(makeCommand(document22([shellStep('s', 'true')]), { commandId: pendingId })), 'duplicate');

    // A corrupt spool entry is moved aside and replaced by a Failed result that says so.
    const good = await t.run(makeCommand(document22([shellStep('s', 'echo fine')])));
    await fs.writeFile(path.join(stateDir, 'results', `${good.commandId}.json`), 'garbage');
    const replaced = (await t.runner.pendingResults()).find((result) => result.commandId === good.commandId)!;
    assert.equal(replaced.status, 'Failed');
    assert.match(replaced.message!, /saved result for this command could not be read/);
    assert.ok((await fs.readdir(path.join(stateDir, 'commands', 'corrupt'))).includes(`${good.commandId}.json`));
  });

  it('recovery resolves a crash in the middle of a move by keeping the later state', async () => {
    const commands = path.join(stateDir, 'commands');
    t = await openRunner(stateDir, {}, false);
    const out = path.join(stateDir, 'ran');
    // Crashed between writing current/ and removing pending/, before any step started: resumed, run once.
    const started = makeCommand(document22([shellStep('s', `echo started >> ${out}`)]));
    const record: CommandRecord = {
      version: 1,
      command: started,
      phase: 'running',
      startedAt: new Date().toISOString(),
      steps: [pendingStep('s', 'aws:runShellScript', path.join(stateDir, 'runs', started.commandId, 's'))],
      nextStep: 0,
      stopped: false,
    };
    await fs.writeFile(path.join(commands, 'pending', `${started.commandId}.json`), JSON.stringify({ version: 1, command: started }));
    await fs.writeFile(path.join(commands, 'current', `${started.commandId}.json`), JSON.stringify(record));
    // Crashed after the result was spooled, before current/ and pending/ were removed: nothing runs.
    const spooled = makeCommand(document22([shellStep('s', `echo spooled >> ${out}`)]));
    const spooledResult = { commandId: spooled.commandId, documentName: 'x', status: 'Success', statusDetails: 'Success', responseCode: 0, endedAt: new Date().toISOString(), steps: [] };
    await fs.writeFile(path.join(stateDir, 'results', `${spooled.commandId}.json`), JSON.stringify({ version: 1, result: spooledResult }));
    await fs.writeFile(path.join(commands, 'current', `${spooled.commandId}.json`), JSON.stringify({ ...record, command: spooled }));
    await fs.writeFile(path.join(commands, 'pending', `${spooled.commandId}.json`), JSON.stringify({ version: 1, command: spooled }));
    // Acknowledged long ago, and a stale copy in pending/ (however it got there): nothing runs.
    const done = makeCommand(document22([shellStep('s', `echo done >> ${out}`)]));
    await fs.writeFile(path.join(commands, 'completed', `${done.commandId}.json`), JSON.stringify({ version: 1, result: { ...spooledResult, commandId: done.commandId } }));
    await fs.writeFile(path.join(commands, 'pending', `${done.commandId}.json`), JSON.stringify({ version: 1, command: done }));
    // Accepted, never started: queued again.
    const waiting = makeCommand(document22([shellStep('s', `echo waiting >> ${out}`)]));
    await fs.writeFile(path.join(commands, 'pending', `${waiting.commandId}.json`), JSON.stringify({ version: 1, command: waiting }));

    const report = await t.runner.recover();
    assert.deepEqual(report.resumed, [started.commandId]);
    assert.deepEqual(report.requeued, [waiting.commandId]);
    assert.deepEqual(report.ended, []);
    await Promise.all([t.waitForResult(started.commandId), t.waitForResult(waiting.commandId)]);
    await t.runner.idle();
    assert.deepEqual((await fs.readFile(out, 'utf8')).split('\n').filter(Boolean).sort(), ['started', 'waiting']);
    for (const location of ['pending', 'current']) assert.deepEqual(await fs.readdir(path.join(commands, location)), [], `${location}/ is empty`);
    assert.deepEqual((await fs.readdir(path.join(stateDir, 'results'))).sort(), [started, spooled, waiting].map((c) => `${c.commandId}.json`).sort());
    assert.deepEqual(await fs.readdir(path.join(commands, 'completed')), [`${done.commandId}.json`]);
    for (const command of [started, done, spooled, waiting]) assert.equal(await t.runner.accept(command), 'duplicate');
  });
});

describe('agent runner: the rebooter', () => {
  it('runs the host\'s shutdown as SSM Agent does: a minute ahead', () => {
    assert.deepEqual(rebootCommand('linux', 60), { command: '/sbin/shutdown', args: ['-r', '+1'] });
    assert.deepEqual(rebootCommand('darwin', 0), { command: '/sbin/shutdown', args: ['-r', 'now'] });
    assert.deepEqual(rebootCommand('win32', 60, 'C:\\Windows'), { command: 'C:\\Windows\\System32\\shutdown.exe', args: ['/r', '/t', '60'] });
  });

  (unix ? it : it.skip)('reports a failing shutdown with its error output, and asks only once for several commands', async () => {
    const seen: string[][] = [];
    const failing = createSystemRebooter({
      platform: 'linux',
      spawn: (command, args, options) => {
        seen.push([command, ...args]);
        return nodeSpawn('/bin/sh', ['-c', 'echo "must be root" >&2; exit 1'], options);
      },
    });
    await assert.rejects(failing.reboot(), /\/sbin\/shutdown -r \+1 failed \(exit 1\): must be root/);
    assert.deepEqual(seen, [['/sbin/shutdown', '-r', '+1']]);

    let calls = 0;
    const once = rebootOnce({ reboot: async () => void calls++ });
    await Promise.all([once.reboot(), once.reboot(), once.reboot()]);
    assert.equal(calls, 1);
  });
});
