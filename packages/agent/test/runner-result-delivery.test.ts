import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { CommandResult } from '../src/runner/index.js';
import { document22, makeCommand, openRunner, shellStep, tempDir, unix, type TestRunner } from './fixtures/runner/harness.js';

/**
 * A run's result can be published as the run ends (onEnding), just before its durable write to the spool, so it
 * travels while the disk syncs; the write is done before the event loop handles anything else (the control plane's
 * acknowledgement, say). Each result is published once. Without onEnding, onResult sees results once spooled.
 */
(unix ? describe : describe.skip)('agent runner: publishing a result', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner | undefined;

  beforeEach(async () => {
    stateDir = await tempDir();
  });
  afterEach(async () => {
    await t?.runner.stop();
    t = undefined;
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('goes to onEnding once per command, before its spool write, which is done before any other event is handled', async () => {
    const seen: Array<{ result: CommandResult; fileAtCall: boolean; fileNext: Promise<boolean> }> = [];
    const ended = new Map<string, () => void>();
    const endOf = (commandId: string) => new Promise<void>((resolve) => ended.set(commandId, resolve));
    const late: string[] = [];
    const spoolFile = (commandId: string) => path.join(stateDir, 'results', `${commandId}.json`);
    t = await openRunner(stateDir, {
      concurrency: 1,
      onEnding: (result) => {
        // The next thing to run after this listener, at the earliest: an I/O event such as an acknowledgement.
        const fileNext = new Promise<boolean>((resolve) => setImmediate(() => resolve(existsSync(spoolFile(result.commandId)))));
        seen.push({ result, fileAtCall: existsSync(spoolFile(result.commandId)), fileNext });
        ended.get(result.commandId)?.();
      },
      onResult: (result) => late.push(result.commandId),
    });
    const ran = makeCommand(document22([shellStep('s', 'echo hi')]));
    const blocker = makeCommand(document22([shellStep('block', 'sleep 30')]));
    const queued = makeCommand(document22([shellStep('q', 'echo never')]));
    const ranEnded = endOf(ran.commandId);
    assert.equal(await t.runner.accept(ran), 'accepted');
    await ranEnded;
    await t.runner.idle();
    // A command cancelled while it waits in the queue ends without running: its result goes out the same way.
    assert.equal(await t.runner.accept(blocker), 'accepted');
    assert.equal(await t.runner.accept(queued), 'accepted');
    assert.equal(await t.runner.cancel(queued.commandId), 'cancelled');
    assert.equal(await t.runner.cancel(blocker.commandId), 'cancelling');
    await t.runner.idle();
    await new Promise((resolve) => setTimeout(resolve, 50)); // room for a second, duplicate publication

    assert.deepEqual(seen.map((s) => [s.result.commandId, s.result.status]), [
      [ran.commandId, 'Success'],
      [queued.commandId, 'Cancelled'],
      [blocker.commandId, 'Cancelled'],
    ]);
    assert.deepEqual(late, [], 'none of them went to onResult again');
    for (const { result, fileAtCall, fileNext } of seen) {
      assert.equal(fileAtCall, false, `${result.commandId}: published before its spool write`);
      assert.equal(await fileNext, true, `${result.commandId}: in the spool before the next event`);
      assert.equal(t.runner.store.isSpooled(result.commandId), true);
    }
    assert.deepEqual((await t.runner.pendingResults()).map((r) => r.commandId).sort(), seen.map((s) => s.result.commandId).sort());
    await t.runner.ackResult(ran.commandId);
    assert.equal(existsSync(spoolFile(ran.commandId)), false, 'an acknowledged result leaves the spool');
  });

  it('without onEnding, goes to onResult once the result is in the spool', async () => {
    const atCall: boolean[] = [];
    t = await openRunner(stateDir, { onResult: (result) => atCall.push(existsSync(path.join(stateDir, 'results', `${result.commandId}.json`))) });
    assert.equal((await t.run(makeCommand(document22([shellStep('s', 'echo hi')])))).status, 'Success');
    assert.deepEqual(atCall, [true]);
  });
});
