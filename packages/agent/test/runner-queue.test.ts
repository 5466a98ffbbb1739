import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidCommandError } from '../src/runner/index.js';
import { document22, exists, isRunning, killAll, makeCommand, openRunner, readPids, shellStep, tempDir, unix, waitFor, type TestRunner } from './fixtures/runner/harness.js';

/** A step that records its own start and end times (ms, from the script itself) to `log`. */
function timedStep(log: string, sleepMs: number) {
  return shellStep('timed', [
    '#!/usr/bin/env node',
    "const fs = require('node:fs');",
    `fs.appendFileSync(${JSON.stringify(log)}, 'start ' + Date.now() + '\\n');`,
    `setTimeout(() => fs.appendFileSync(${JSON.stringify(log)}, 'end ' + Date.now() + '\\n'), ${sleepMs});`,
  ]);
}

/** The most intervals open at any one instant, from "start <ms>" and "end <ms>" lines. */
function maxOverlap(lines: string[]): number {
  const events = lines.map((line) => {
    const [kind, at] = line.split(' ');
    return { at: Number(at), delta: kind === 'start' ? 1 : -1 };
  });
  // At equal times count ends first: an interval that ends as another starts does not overlap it.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const event of events) {
    open += event.delta;
    most = Math.max(most, open);
  }
  return most;
}

(unix ? describe : describe.skip)('agent runner: queue, concurrency, cancellation, duplicates and the result spool', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner;
  const leftovers: string[] = [];

  beforeEach(async () => {
    stateDir = await tempDir();
  });
  afterEach(async () => {
    await t?.runner.stop();
    for (const file of leftovers.splice(0)) killAll(await readPids(file));
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('never runs more than `concurrency` commands at once, by the scripts\' own clocks, and runs them all', async () => {
    t = await openRunner(stateDir, { concurrency: 3 });
    const log = path.join(stateDir, 'times');
    const commands = Array.from({ length: 10 }, () => makeCommand(document22([timedStep(log, 300)])));
    for (const command of commands) assert.equal(await t.runner.accept(command), 'accepted');
    const results = await Promise.all(commands.map((command) => t.waitForResult(command.commandId)));
    assert.ok(results.every((result) => result.status === 'Success'), JSON.stringify(results.map((r) => r.steps[0]?.stderr.preview)));
    const lines = (await fs.readFile(log, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 20);
    assert.equal(maxOverlap(lines), 3, 'the limit is used, and never exceeded');
  });

  it('runs waiting commands in arrival order', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const order = path.join(stateDir, 'order');
    const commands = ['a', 'b', 'c', 'd'].map((name) => makeCommand(document22([shellStep('s', `echo ${name} >> ${order}`)])));
    for (const command of commands) await t.runner.accept(command);
    await Promise.all(commands.map((command) => t.waitForResult(command.commandId)));
    assert.equal(await fs.readFile(order, 'utf8'), 'a\nb\nc\nd\n');
  });

  it('cancel of a running command stops its step and its process tree; the rest is Cancelled, finallyStep too', async () => {
    t = await openRunner(stateDir);
    const pids = path.join(stateDir, 'pids');
    leftovers.push(pids);
    const marker = path.join(stateDir, 'not-run');
    const command = makeCommand(
      document22([
        shellStep('first', 'echo first'),
        shellStep('long', [`sleep 60 & echo $! >> ${pids}`, `echo $$ >> ${pids}`, 'echo started', 'sleep 60']),
        shellStep('after', `touch ${marker}`),
        shellStep('finally', `touch ${marker}`, { finallyStep: true }),
      ]),
    );
    await t.runner.accept(command);
    await waitFor('the long step to start its processes', async () => (await readPids(pids)).length === 2);
    const startedAt = Date.now();
    assert.equal(await t.runner.cancel(command.commandId), 'cancelling');
    const result = await t.waitForResult(command.commandId);
    assert.ok(Date.now() - startedAt < 5_000);
    assert.equal(result.status, 'Cancelled');
    assert.equal(result.statusDetails, 'Cancelled');
    assert.equal(result.message, 'The command was cancelled.');
    assert.deepEqual(result.steps.map((step) => [step.name, step.status, step.responseCode]), [
      ['first', 'Success', 0],
      ['long', 'Cancelled', 137],
      ['after', 'Cancelled', -1],
      ['finally', 'Cancelled', -1],
    ]);
    assert.equal(result.responseCode, 137);
    assert.equal(result.steps[1]!.stdout.preview, 'started\n');
    assert.equal(result.steps[2]!.message, 'Step not run: the command was cancelled.');
    for (const pid of await readPids(pids)) assert.equal(await isRunning(pid), false, `process ${pid} is gone`);
    assert.equal(await exists(marker), false);
    assert.equal(await t.runner.cancel(command.commandId), 'finished');
  });

  it('cancel of a queued command removes it: Cancelled without running', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const pids = path.join(stateDir, 'pids');
    leftovers.push(pids);
    const marker = path.join(stateDir, 'queued-ran');
    const blocker = makeCommand(document22([shellStep('block', [`echo $$ >> ${pids}`, 'sleep 60'])]));
    const queued = makeCommand(document22([shellStep('one', `touch ${marker}`), shellStep('two', `touch ${marker}`)]));
    await t.runner.accept(blocker);
    await t.runner.accept(queued);
    await waitFor('the blocker to run', async () => (await readPids(pids)).length === 1);
    assert.equal(await t.runner.cancel(queued.commandId), 'cancelled');
    const result = await t.waitForResult(queued.commandId);
    assert.equal(result.status, 'Cancelled');
    assert.equal(result.startedAt, undefined, 'it never started');
    assert.deepEqual(result.steps.map((step) => [step.status, step.responseCode, step.runs]), [
      ['Cancelled', -1, 0],
      ['Cancelled', -1, 0],
    ]);
    assert.equal(await t.runner.cancel(blocker.commandId), 'cancelling');
    assert.equal((await t.waitForResult(blocker.commandId)).status, 'Cancelled');
    await t.runner.idle();
    assert.equal(await exists(marker), false, 'the queued command never ran');
    assert.equal(await t.runner.cancel('00000000-0000-0000-0000-000000000000'), 'unknown');
  });

  it('a duplicate commandId is recognised and not run twice: queued, running, finished, and after a restart', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const runs = path.join(stateDir, 'runs-count');
    const command = makeCommand(document22([shellStep('count', [`echo run >> ${runs}`, 'sleep 0.3'])]));
    const [first, second] = await Promise.all([t.runner.accept(command), t.runner.accept({ ...command })]);
    assert.deepEqual([first, second].sort(), ['accepted', 'duplicate'], 'two deliveries racing: one is accepted');
    await waitFor('the command to run', () => exists(runs));
    assert.equal(await t.runner.accept(command), 'duplicate', 'while running');
    await t.waitForResult(command.commandId);
    assert.equal(await t.runner.accept(command), 'duplicate', 'once finished');
    await t.runner.ackResult(command.commandId);
    assert.equal(await t.runner.accept(command), 'duplicate', 'once its result is acknowledged');
    await t.runner.stop();
    t = await openRunner(stateDir);
    assert.equal(await t.runner.accept(command), 'duplicate', 'after the agent restarts');
    await t.runner.idle();
    assert.equal(await fs.readFile(runs, 'utf8'), 'run\n');
  });

  it('accept persists before it resolves; an invalid command is refused and nothing is written', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const pids = path.join(stateDir, 'pids');
    leftovers.push(pids);
    await t.runner.accept(makeCommand(document22([shellStep('block', [`echo $$ >> ${pids}`, 'sleep 60'])])));
    await waitFor('the blocker to run (and leave pending/)', async () => (await readPids(pids)).length === 1);
    const waiting = makeCommand(document22([shellStep('s', 'true')]));
    await t.runner.accept(waiting);
    const saved = JSON.parse(await fs.readFile(path.join(stateDir, 'commands', 'pending', `${waiting.commandId}.json`), 'utf8')) as { command: unknown };
    assert.deepEqual(saved.command, waiting);
    await assert.rejects(t.runner.accept(makeCommand(document22([]), { commandId: '../escape' })), (error: unknown) => {
      assert.ok(error instanceof InvalidCommandError);
      assert.match(error.message, /commandId must be/);
      return true;
    });
    await assert.rejects(t.runner.accept({ ...waiting, commandId: 'x', receivedAt: 'yesterday' }), /receivedAt must be an ISO 8601 time/);
    assert.deepEqual((await fs.readdir(path.join(stateDir, 'commands', 'pending'))).sort(), [`${waiting.commandId}.json`]);
  });

  it('results stay in the spool until acknowledged, for redelivery after a reconnect or restart', async () => {
    t = await openRunner(stateDir);
    const one = await t.run(makeCommand(document22([shellStep('s', 'echo one')])));
    const two = await t.run(makeCommand(document22([shellStep('s', 'exit 2')])));
    assert.deepEqual((await t.runner.pendingResults()).map((result) => result.commandId), [one.commandId, two.commandId]);
    await t.runner.ackResult(one.commandId);
    assert.deepEqual((await t.runner.pendingResults()).map((result) => [result.commandId, result.status]), [[two.commandId, 'Failed']]);
    await t.runner.stop();
    t = await openRunner(stateDir);
    assert.deepEqual(await t.runner.pendingResults(), [two], 'the spool survives a restart unchanged');
    await t.runner.ackResult(two.commandId);
    assert.deepEqual(await t.runner.pendingResults(), []);
  });

  it('stopping the agent stops running commands (Failed, as SSM on shutdown) and leaves waiting ones for the next start', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const pids = path.join(stateDir, 'pids');
    leftovers.push(pids);
    const running = makeCommand(document22([shellStep('long', [`echo $$ >> ${pids}`, 'sleep 60']), shellStep('next', 'true')]));
    const waiting = makeCommand(document22([shellStep('later', 'echo later')]));
    await t.runner.accept(running);
    await t.runner.accept(waiting);
    await waitFor('the long step to start', async () => (await readPids(pids)).length === 1);
    await t.runner.stop();
    const stopped = t.results.get(running.commandId)!;
    assert.equal(stopped.status, 'Failed');
    assert.deepEqual(stopped.steps.map((step) => step.status), ['Failed', 'Cancelled']);
    assert.match(stopped.steps[0]!.message!, /agent was stopped while this step was running/);
    for (const pid of await readPids(pids)) assert.equal(await isRunning(pid), false);
    assert.equal(t.results.has(waiting.commandId), false);
    await assert.rejects(t.runner.accept(makeCommand(document22([shellStep('s', 'true')]))), /stopping/);

    t = await openRunner(stateDir);
    assert.equal((await t.waitForResult(waiting.commandId)).steps[0]!.stdout.preview, 'later\n');
  });
});
