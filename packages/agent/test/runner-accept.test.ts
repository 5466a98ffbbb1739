import assert from 'node:assert/strict';
import { watch, promises as fs } from 'node:fs';
import path from 'node:path';
import { document22, killAll, makeCommand, openRunner, readPids, shellStep, tempDir, unix, waitFor, type TestRunner } from './fixtures/runner/harness.js';

/**
 * A command that starts at once (a worker free, nothing waiting) is not written to pending/: its run's record in
 * current/ is its first durable state, and accept() resolves (the agent acknowledges) only once that is on disk.
 */
(unix ? describe : describe.skip)('agent runner: accepting a command that starts at once', function () {
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

  it('is on disk in current/, its step InProgress, when accept resolves; pending/ is never written; a second delivery is a duplicate', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const pids = path.join(stateDir, 'pids');
    leftovers.push(pids);
    const pendingDir = path.join(stateDir, 'commands', 'pending');
    const touched: string[] = [];
    const watcher = watch(pendingDir, (_event, name) => touched.push(String(name)));
    try {
      const command = makeCommand(document22([shellStep('block', [`echo $$ >> ${pids}`, 'sleep 60'])]));
      // Both deliveries in one tick: the second must not be acknowledged before the first is on disk.
      const [first, second] = await Promise.all([t.runner.accept(command), t.runner.accept(command)]);
      assert.deepEqual([first, second], ['accepted', 'duplicate']);
      const record = JSON.parse(await fs.readFile(path.join(stateDir, 'commands', 'current', `${command.commandId}.json`), 'utf8')) as { steps: Array<{ status: string; runs: number }> };
      assert.equal(record.steps[0]?.status, 'InProgress', 'the step is recorded as started before it runs');
      assert.equal(record.steps[0]?.runs, 1);
      await waitFor('the step to run', async () => (await readPids(pids)).length === 1);

      // A command that has to wait still goes to pending/, and is acknowledged once it is there.
      const waiting = makeCommand(document22([shellStep('s', 'true')]));
      assert.equal(await t.runner.accept(waiting), 'accepted');
      assert.deepEqual(await fs.readdir(pendingDir), [`${waiting.commandId}.json`]);
      await waitFor('the watcher to see the waiting command written', () => touched.some((name) => name.includes(waiting.commandId)));
      assert.deepEqual(
        touched.filter((name) => name.includes(command.commandId)),
        [],
        'nothing of the command that started at once was written to pending/',
      );

      assert.equal(await t.runner.cancel(command.commandId), 'cancelling');
      assert.equal((await t.waitForResult(command.commandId)).status, 'Cancelled');
      assert.equal((await t.waitForResult(waiting.commandId)).status, 'Success');
      assert.equal((await readPids(pids)).length, 1, 'the command ran once');
    } finally {
      watcher.close();
    }
  });

  it('when nothing of the command could be saved, accept rejects (no acknowledgement) and a redelivery is taken anew', async () => {
    t = await openRunner(stateDir, { concurrency: 1 });
    const out = path.join(stateDir, 'ran');
    const command = makeCommand(document22([shellStep('s', `echo once >> ${out}`)]));
    // current/ and results/ become files: neither the record nor a result can be written.
    const blocked = ['current', 'results'].map((name) => (name === 'current' ? path.join(stateDir, 'commands', name) : path.join(stateDir, name)));
    for (const dir of blocked) {
      await fs.rm(dir, { recursive: true });
      await fs.writeFile(dir, 'not a folder');
    }
    await assert.rejects(t.runner.accept(command), /could not save or read this command's state/);
    assert.equal(await fs.readFile(out, 'utf8').catch(() => 'not run'), 'not run', 'the step did not run');

    for (const dir of blocked) {
      await fs.rm(dir);
      await fs.mkdir(dir, { mode: 0o700 });
    }
    assert.equal(await t.runner.accept(command), 'accepted', 'the control plane resends it, and this time it is taken');
    assert.equal((await t.waitForResult(command.commandId)).status, 'Success');
    assert.equal(await fs.readFile(out, 'utf8'), 'once\n');
  });
});
