import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ActionResult } from '@tender/plugin-api';
import { createShellScriptAction, type Spawner } from '../src/index.js';
import { isRunning, killAll, readPids, waitFor } from './processes.js';
import { stepFixture, type StepFixture } from '@tender/plugin-api/testing';

const unix = process.platform !== 'win32';

/**
 * A script that records the pid of every process it makes: two background sleeps, a grandchild behind a
 * subshell, the script's own shell, and a foreground sleep (a shell that writes its pid, then execs sleep).
 */
const treeScript = (pidFile: string, extraSetup: string[] = []): string[] => [
  ...extraSetup,
  `echo $$ >> '${pidFile}'`,
  `sleep 300 & echo $! >> '${pidFile}'`,
  `sleep 300 & echo $! >> '${pidFile}'`,
  `( sleep 300 & echo $! >> '${pidFile}'; wait ) &`,
  `sh -c 'echo $$ >> "$0"; exec sleep 300' '${pidFile}'`,
];
const TREE_SIZE = 5;

(unix ? describe : describe.skip)('action-script: stopping the whole process tree (real processes)', () => {
  let fixture: StepFixture | undefined;
  let pids: number[] = [];
  afterEach(async () => {
    killAll(pids); // only if a test failed: the tree should already be gone
    pids = [];
    await fixture?.cleanup();
    fixture = undefined;
  });

  const startTree = async (reason: string, options: { killGraceMs?: number; extraSetup?: string[] } = {}) => {
    fixture = await stepFixture({});
    const pidFile = path.join(fixture.root, 'pids');
    const action = createShellScriptAction({ killGraceMs: options.killGraceMs ?? 2000, pipeDrainMs: 300 });
    const running = action.run({ ...fixture.context, inputs: { runCommand: treeScript(pidFile, options.extraSetup), timeoutSeconds: '3600' } });
    await waitFor('the script to record its processes', async () => (await readPids(pidFile)).length === TREE_SIZE);
    pids = await readPids(pidFile);
    for (const pid of pids) assert.ok(await isRunning(pid), `pid ${pid} runs before the abort`);
    const abortedAt = Date.now();
    fixture.controller.abort(reason);
    const result = await running;
    return { result, elapsedMs: Date.now() - abortedAt };
  };

  const assertAllGone = async (): Promise<void> => {
    const alive: number[] = [];
    for (const pid of pids) if (await isRunning(pid)) alive.push(pid);
    assert.deepEqual(alive, [], 'no process of the tree is left running once run() has resolved');
  };

  it("cancellation ('cancel') kills the script, its background children and the foreground child: Cancelled, 137", async () => {
    const { result, elapsedMs } = await startTree('cancel');
    assert.deepEqual(result, { status: 'Cancelled', exitCode: 137, message: 'the step was cancelled; the script was stopped' });
    await assertAllGone();
    assert.ok(elapsedMs < 1500, `SIGTERM was enough, so no wait for the grace: ${elapsedMs} ms`);
  });

  it("timeout ('timeout') does the same and reports TimedOut, 137", async () => {
    const { result } = await startTree('timeout');
    assert.deepEqual(result, { status: 'TimedOut', exitCode: 137, message: 'the step timed out; the script was stopped' });
    await assertAllGone();
  });

  it('any other abort reason counts as a cancellation', async () => {
    const { result } = await startTree('agent shutting down');
    assert.equal(result.status, 'Cancelled');
    await assertAllGone();
  });

  it('processes that ignore SIGTERM are killed with SIGKILL after the grace', async () => {
    const { result, elapsedMs } = await startTree('cancel', { killGraceMs: 400, extraSetup: ["trap '' TERM"] });
    assert.equal(result.status, 'Cancelled');
    await assertAllGone();
    assert.ok(elapsedMs >= 400, `waited for the grace before SIGKILL: ${elapsedMs} ms`);
    assert.ok(elapsedMs < 3000, `and not much longer: ${elapsedMs} ms`);
  });

  it('a signal aborted before the step starts runs nothing', async () => {
    fixture = await stepFixture({ runCommand: 'echo should-not-run' });
    fixture.controller.abort('timeout');
    const result = await createShellScriptAction().run(fixture.context);
    assert.deepEqual(result, { status: 'TimedOut', exitCode: -1, message: 'the step timed out before the script started' });
    assert.equal(fixture.stdout.text(), '');
  });

  it('output printed before the abort is kept', async () => {
    fixture = await stepFixture({ runCommand: ['echo started', 'sleep 300'] });
    const running = createShellScriptAction().run(fixture.context);
    await waitFor('the first line', () => Promise.resolve(fixture?.stdout.text() === 'started\n'));
    fixture.controller.abort('cancel');
    assert.equal((await running).status, 'Cancelled');
    assert.equal(fixture.stdout.text(), 'started\n');
  });

  it('a background child that keeps stdout open does not hang the step; it is stopped after the drain wait', async () => {
    fixture = await stepFixture({});
    const pidFile = path.join(fixture.root, 'pids');
    const action = createShellScriptAction({ killGraceMs: 500, pipeDrainMs: 1000 });
    const startedAt = Date.now();
    const result = await action.run({
      ...fixture.context,
      inputs: {
        runCommand: [
          `sleep 300 & echo $! >> '${pidFile}'`,
          // Prints once the script's shell has ended (and been reaped), so inside the drain wait, whatever the load.
          `main=$$; (while kill -0 $main 2>/dev/null; do sleep 0.01; done; echo late; sleep 300) & echo $! >> '${pidFile}'`,
          'echo main done',
        ],
      },
    });
    pids = await readPids(pidFile);
    assert.deepEqual(result, { status: 'Success', exitCode: 0 }, 'the result is the script shell’s own exit');
    assert.ok(Date.now() - startedAt < 5000, `returned promptly: ${Date.now() - startedAt} ms`);
    assert.equal(fixture.stdout.text(), 'main done\nlate\n', 'output printed during the drain wait is kept');
    await assertAllGone();
    assert.ok(fixture.logs.some((entry) => entry.level === 'warn' && /still hold its output open/.test(entry.message)));
  });

  it('a background process that redirected its output (a daemon) is left running, as SSM does', async () => {
    fixture = await stepFixture({});
    const pidFile = path.join(fixture.root, 'pids');
    const result = await createShellScriptAction({ pipeDrainMs: 300 }).run({
      ...fixture.context,
      inputs: { runCommand: [`nohup sleep 300 >/dev/null 2>&1 & echo $! >> '${pidFile}'`, 'echo started'] },
    });
    pids = await readPids(pidFile);
    assert.deepEqual(result, { status: 'Success', exitCode: 0 });
    assert.equal(pids.length, 1);
    assert.ok(await isRunning(pids[0]!), 'the daemon still runs after the step');
  });

  it("a script that kills its own shell with a signal is Failed, not Cancelled or TimedOut, even with exit code 137", async () => {
    fixture = await stepFixture({ runCommand: ['echo going', 'kill -KILL $$'] });
    const result: ActionResult = await createShellScriptAction().run(fixture.context);
    assert.equal(result.status, 'Failed');
    // sh -c runs the script in a child (no #! line) and reports 128+9; had sh itself been killed it would be -1.
    assert.ok(result.exitCode === 137 || result.exitCode === -1, String(result.exitCode));
    assert.equal(fixture.stdout.text(), 'going\n');
  });

  it('an output sink that throws stops the tree and fails the step', async () => {
    fixture = await stepFixture({});
    const pidFile = path.join(fixture.root, 'pids');
    const stdout = { write: (): void => { throw new Error('disk full'); } };
    const result = await createShellScriptAction({ killGraceMs: 300 }).run({
      ...fixture.context,
      stdout,
      inputs: { runCommand: [`sleep 300 & echo $! >> '${pidFile}'`, 'sleep 0.2', 'echo boom', 'sleep 300'] },
    });
    pids = await readPids(pidFile);
    assert.equal(result.status, 'Failed');
    assert.match(result.message ?? '', /output could not be kept, so it was stopped: disk full/);
    await assertAllGone();
  });

  it('the spawner is injectable: processes go through it (here, to record their pids)', async () => {
    fixture = await stepFixture({ runCommand: 'echo $$' });
    const started: number[] = [];
    const recording: Spawner = (command, args, options) => {
      const child = spawn(command, args, options);
      if (child.pid !== undefined) started.push(child.pid);
      return child;
    };
    const result = await createShellScriptAction({ spawn: recording }).run(fixture.context);
    assert.equal(result.status, 'Success');
    assert.equal(started.length, 1);
    assert.equal(fixture.stdout.text().trim().length > 0, true);
  });

  it('a spawn failure is a Failed step with the reason', async () => {
    fixture = await stepFixture({ runCommand: 'echo hi' });
    const failing: Spawner = (_command, args, options) => spawn('/nonexistent/tender-shell', args, options);
    const result = await createShellScriptAction({ spawn: failing }).run(fixture.context);
    assert.equal(result.status, 'Failed');
    assert.equal(result.exitCode, -1);
    assert.match(result.message ?? '', /^aws:runShellScript: could not start the script: .*ENOENT/);
  });
});
