import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../src/runner/index.js';
import { document22, exists, makeCommand, openRunner, shellStep, tempDir, unix, waitFor, type TestRunner } from './fixtures/runner/harness.js';

/** The runner's clock, moved by the test; timers (step timeouts) still run on real time. */
class ShiftedClock implements Clock {
  private offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
  setTimer = systemClock.setTimer;
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

/** A step that waits until `gate` exists, so a test decides when the command holding the queue ends. */
const waitForGate = (gate: string) => shellStep('hold', `while [ ! -e ${gate} ]; do sleep 0.05; done`);

(unix ? describe : describe.skip)('agent runner: the delivery deadline (SendCommand TimeoutSeconds)', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner | undefined;
  let clock: ShiftedClock;

  beforeEach(async () => {
    stateDir = await tempDir();
    clock = new ShiftedClock();
  });
  afterEach(async () => {
    await fs.writeFile(path.join(stateDir, 'gate'), '').catch(() => undefined);
    await t?.runner.stop();
    t = undefined;
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  const deadlineIn = (seconds: number): string => new Date(clock.now() + seconds * 1000).toISOString();

  it('a command still queued behind another at its deadline is not run: TimedOut / DeliveryTimedOut', async () => {
    t = await openRunner(stateDir, { concurrency: 1, clock });
    const gate = path.join(stateDir, 'gate');
    const marker = path.join(stateDir, 'ran');
    const holder = makeCommand(document22([waitForGate(gate)]));
    const late = makeCommand(document22([shellStep('s', `touch ${marker}`)]), { deliverBy: deadlineIn(60) });
    const onTime = makeCommand(document22([shellStep('s', 'echo on time')]), { deliverBy: deadlineIn(600) });
    for (const command of [holder, late, onTime]) assert.equal(await t.runner.accept(command), 'accepted');

    clock.advance(61);
    await fs.writeFile(gate, '');
    const result = await t.waitForResult(late.commandId);
    assert.equal(result.status, 'TimedOut');
    assert.equal(result.statusDetails, 'DeliveryTimedOut');
    assert.equal(result.responseCode, -1);
    assert.equal(result.startedAt, undefined, 'it never started');
    assert.deepEqual(result.steps, []);
    assert.match(result.message ?? '', /not run: it had not started by its delivery deadline/);
    assert.equal(await exists(marker), false, 'its step did not run');

    assert.equal((await t.waitForResult(onTime.commandId)).status, 'Success', 'a command within its deadline still runs');
    assert.equal((await t.waitForResult(holder.commandId)).status, 'Success');
    assert.ok((await t.runner.pendingResults()).some((spooled) => spooled.commandId === late.commandId), 'the result is spooled until acknowledged');
    assert.equal(await t.runner.accept(late), 'duplicate', 'a redelivery is recognised and not run');
  });

  it('a command delivered after its deadline (the agent was offline) is acknowledged but not run', async () => {
    t = await openRunner(stateDir, { clock });
    const marker = path.join(stateDir, 'ran');
    const command = makeCommand(document22([shellStep('s', `touch ${marker}`)]), { deliverBy: deadlineIn(-1) });
    const result = await t.run(command);
    assert.equal(result.status, 'TimedOut');
    assert.equal(result.statusDetails, 'DeliveryTimedOut');
    assert.equal(await exists(marker), false);
    assert.ok(t.logger.lines.some((line) => line.level === 'warn' && /after its delivery deadline/.test(line.message) && line.fields?.commandId === command.commandId));
  });

  it('an accepted command whose deadline passes while the agent is down is not run after the restart', async () => {
    t = await openRunner(stateDir, { concurrency: 1, clock });
    const gate = path.join(stateDir, 'gate');
    const marker = path.join(stateDir, 'ran');
    const holder = makeCommand(document22([waitForGate(gate)]));
    const waiting = makeCommand(document22([shellStep('s', `touch ${marker}`)]), { deliverBy: deadlineIn(60) });
    await t.runner.accept(holder);
    await t.runner.accept(waiting);
    await waitFor('the holder to start', () => exists(path.join(stateDir, 'commands', 'current', `${holder.commandId}.json`)));
    await t.runner.stop(); // the waiting command stays accepted, on disk
    t = undefined;

    clock.advance(120);
    t = await openRunner(stateDir, { concurrency: 1, clock });
    const result = await t.waitForResult(waiting.commandId);
    assert.equal(result.statusDetails, 'DeliveryTimedOut');
    assert.equal(await exists(marker), false);
  });
});
