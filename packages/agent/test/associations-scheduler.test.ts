import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AssociationStore, dueRun, InvalidAssociationsError, parseAssociationsBody, readAssociationState } from '../src/associations/index.js';
import { appendDocument, association, ManualClock, MINUTE, openScheduler, T0, type TestScheduler } from './fixtures/associations.js';
import { document22, recordingLogger, shellStep, tempDir, unix, waitFor } from './fixtures/runner/harness.js';

const lines = async (file: string): Promise<string[]> => (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('associations: when a run is due (due-runs.ts)', () => {
  const base = { associationId: 'a1', document: appendDocument('/dev/null') };

  it('a new version is applied at once (scheduledAt = changedAt), then follows its schedule from the last run', () => {
    const a = association(base);
    assert.deepEqual(dueRun(a, undefined, T0 + 5 * MINUTE), { kind: 'now', trigger: 'apply', scheduledAt: new Date(T0), folded: 1 });
    const progress = { version: '1', coveredUntil: new Date(T0 + 5 * MINUTE).toISOString() };
    assert.deepEqual(dueRun(a, progress, T0 + 6 * MINUTE), { kind: 'later', at: new Date(T0 + 30 * MINUTE) });
    // Version 2 of the same association is new again.
    assert.equal(dueRun({ ...a, associationVersion: '2' }, progress, T0 + 6 * MINUTE).kind, 'now');
  });

  it('ApplyOnlyAtCronInterval: no run on receipt, the first run at the next cron time', () => {
    const a = association({ ...base, scheduleExpression: 'cron(0 12 ? * * *)', applyOnlyAtCronInterval: true });
    assert.deepEqual(dueRun(a, undefined, T0 + MINUTE), { kind: 'later', at: new Date('2026-03-02T12:00:00.000Z') });
  });

  it('slots missed while the agent was stopped run once, for the latest of them, not once each', () => {
    const a = association(base);
    const progress = { version: '1', coveredUntil: new Date(T0).toISOString() };
    // Stopped for 10 h 10 min: 20 slots passed (T0+30min ... T0+10h).
    const due = dueRun(a, progress, T0 + 610 * MINUTE);
    assert.deepEqual(due, { kind: 'now', trigger: 'schedule', scheduledAt: new Date(T0 + 600 * MINUTE), folded: 20 });
  });

  it('catching up over months of rate(30 minutes) stays one run', () => {
    const a = association(base);
    const due = dueRun(a, { version: '1', coveredUntil: new Date(T0).toISOString() }, T0 + 90 * 24 * 60 * MINUTE + 1);
    assert.equal(due.kind, 'now');
    assert.equal(due.kind === 'now' && due.folded, 90 * 48);
  });

  it('no schedule: applied once, then never again; at(): once at its time', () => {
    const once = association({ ...base, scheduleExpression: undefined });
    assert.equal(dueRun(once, undefined, T0).kind, 'now');
    assert.deepEqual(dueRun(once, { version: '1', coveredUntil: new Date(T0).toISOString() }, T0 + MINUTE), { kind: 'never' });
    const at = association({ ...base, scheduleExpression: 'at(2026-03-02T11:00:00)' });
    assert.deepEqual(dueRun(at, undefined, T0), { kind: 'later', at: new Date('2026-03-02T11:00:00.000Z') });
  });
});

describe('associations: a set is checked whole before anything is stored (association-validation.ts)', () => {
  const good = association({ associationId: 'good', document: appendDocument('/dev/null') });

  it('accepts a well-formed set', () => {
    assert.equal(parseAssociationsBody({ revision: 3, associations: [good] }).associations.length, 1);
  });

  it('names the association and the field for a schedule that does not parse, a rate too short, a bad document, duplicates', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ revision: 1, associations: [{ ...good, associationId: 'bad-cron', scheduleExpression: 'cron(0 99 * * ? *)' }] }, /association bad-cron: its schedule is not usable: .*hours/],
      [{ revision: 1, associations: [{ ...good, associationId: 'fast', scheduleExpression: 'rate(5 minutes)' }] }, /association fast: .*30 minutes or more/],
      [{ revision: 1, associations: [{ ...good, associationId: 'doc', document: { schemaVersion: '2.2', mainSteps: 'no' } }] }, /association doc: its document Test-Association-Document is not usable/],
      [{ revision: 1, associations: [good, good] }, /association good appears twice/],
      [{ revision: 1, associations: [{ ...good, changedAt: 'yesterday' }] }, /association good: changedAt must be an ISO 8601 time/],
      [{ revision: -1, associations: [] }, /revision must be a whole number/],
      [{ revision: 1 }, /associations must be a list/],
      ['not an object', /the body is not an object/],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => parseAssociationsBody(body), (error: unknown) => error instanceof InvalidAssociationsError && message.test(error.message), String(message));
    }
  });
});

(unix ? describe : describe.skip)('associations: the scheduler runs them on the agent\'s clock (fake clock, real runs)', function () {
  this.timeout(60_000);
  let stateDir: string;
  let clock: ManualClock;
  let t: TestScheduler | undefined;
  let out: string;

  beforeEach(async () => {
    stateDir = await tempDir('tender-associations-');
    clock = new ManualClock(T0 + MINUTE);
    out = path.join(stateDir, 'side-effect');
  });
  afterEach(async () => {
    await t?.scheduler.stop();
    t = undefined;
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('applies a new association at once, then runs it at each slot; every run is a spooled report', async () => {
    t = await openScheduler(stateDir, clock);
    const outcome = t.scheduler.applySet({ revision: 1, associations: [association({ associationId: 'a1', document: appendDocument(out) })] });
    assert.deepEqual(outcome, { stored: true, added: ['a1'], changed: [], removed: [] });
    await t.untilReports(1);
    clock.advanceTo(T0 + 30 * MINUTE);
    await t.untilReports(2);
    clock.advanceTo(T0 + 61 * MINUTE);
    const reports = await t.untilReports(3);
    assert.deepEqual(await lines(out), ['ran', 'ran', 'ran']);
    assert.deepEqual(reports.map((r) => [r.trigger, r.scheduledAt, r.status]), [
      ['apply', new Date(T0).toISOString(), 'Success'],
      ['schedule', new Date(T0 + 30 * MINUTE).toISOString(), 'Success'],
      ['schedule', new Date(T0 + 60 * MINUTE).toISOString(), 'Success'],
    ]);
    assert.equal(reports[0]!.steps[0]!.name, 'append');
    assert.deepEqual(t.scheduler.spool.pending().map((r) => r.runId), reports.map((r) => r.runId), 'all three wait in the spool');
    assert.equal(await t.scheduler.acknowledge([reports[0]!.runId, reports[1]!.runId, 'unknown-run']), 2);
    assert.deepEqual(t.scheduler.spool.pending().map((r) => r.runId), [reports[2]!.runId]);
  });

  it('a restart keeps the set and the spool, does not re-run a slot already run, and runs missed slots once', async () => {
    t = await openScheduler(stateDir, clock);
    t.scheduler.applySet({ revision: 4, associations: [association({ associationId: 'a1', document: appendDocument(out) })] });
    const [applied] = await t.untilReports(1);
    await t.scheduler.stop();

    // Started again at once: the same version, no slot due yet: nothing runs.
    t = await openScheduler(stateDir, clock);
    assert.equal(t.scheduler.revision, 4);
    assert.deepEqual(t.scheduler.associations.map((a) => a.associationId), ['a1']);
    assert.deepEqual(t.scheduler.spool.pending().map((r) => r.runId), [applied!.runId], 'the unacknowledged report survived');
    await t.scheduler.idle();
    assert.equal(t.reports.length, 0);
    assert.equal(clock.pendingTimers, 1, 'one timer: the next slot');
    await t.scheduler.stop();

    // Stopped across five slots: one run, for the latest.
    clock.advanceTo(T0 + 155 * MINUTE);
    t = await openScheduler(stateDir, clock);
    const [caughtUp] = await t.untilReports(1);
    assert.equal(caughtUp!.trigger, 'schedule');
    assert.equal(caughtUp!.scheduledAt, new Date(T0 + 150 * MINUTE).toISOString());
    assert.match(t.logger.lines.map((l) => `${l.message} ${JSON.stringify(l.fields)}`).join('\n'), /slots were missed .*"missed":5/);
    assert.deepEqual(await lines(out), ['ran', 'ran']);
  });

  it('a new version is applied again; an association removed from the set stops running', async () => {
    t = await openScheduler(stateDir, clock);
    const a1 = association({ associationId: 'a1', document: appendDocument(out, 'v1') });
    const a2 = association({ associationId: 'a2', document: appendDocument(out, 'other') });
    t.scheduler.applySet({ revision: 1, associations: [a1, a2] });
    await t.untilReports(2);
    clock.advanceTo(T0 + 10 * MINUTE);
    const outcome = t.scheduler.applySet({ revision: 2, associations: [{ ...a1, associationVersion: '2', document: appendDocument(out, 'v2'), changedAt: new Date(T0 + 10 * MINUTE).toISOString() }] });
    assert.deepEqual(outcome, { stored: true, added: [], changed: ['a1'], removed: ['a2'] });
    const reports = await t.untilReports(3);
    assert.deepEqual([reports[2]!.associationId, reports[2]!.associationVersion, reports[2]!.trigger], ['a1', '2', 'apply']);
    clock.advanceTo(T0 + 45 * MINUTE);
    await t.untilReports(4);
    await waitFor('the next slot\'s timer', () => clock.pendingTimers === 1);
    clock.advanceTo(T0 + 200 * MINUTE); // the slot at T0+70, then (after it) one run for the slots missed meanwhile
    await t.untilReports(6);
    const ran = await lines(out);
    assert.deepEqual(ran.filter((l) => l === 'other'), ['other'], 'a2 never ran again after it was removed');
    assert.deepEqual(t.reports.slice(3).map((r) => r.scheduledAt), [T0 + 40 * MINUTE, T0 + 70 * MINUTE, T0 + 190 * MINUTE].map((ms) => new Date(ms).toISOString()), 'v2 runs on its own schedule, from its changedAt');
    assert.deepEqual(ran.slice(-4), ['v2', 'v2', 'v2', 'v2']);
    // An older (or the same) revision is ignored.
    assert.deepEqual(t.scheduler.applySet({ revision: 1, associations: [] }), { stored: false, reason: 'older', held: 2 });
    assert.deepEqual(t.scheduler.associations.map((a) => a.associationVersion), ['2']);
  });

  it('runs of one association never overlap: slots passing during a long run fold into one run after it', async () => {
    t = await openScheduler(stateDir, clock);
    const gate = path.join(stateDir, 'gate');
    const document = document22([shellStep('hold', [`echo start >> ${out}`, `while [ ! -e ${gate} ]; do sleep 0.05; done`, `rm -f ${gate}`])]);
    t.scheduler.applySet({ revision: 1, associations: [association({ associationId: 'slow', document })] });
    await (async () => {
      for (let i = 0; i < 200 && (await lines(out)).length < 1; i++) await new Promise((r) => setTimeout(r, 25));
    })();
    clock.advanceTo(T0 + 95 * MINUTE); // three slots pass while the first run holds
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await lines(out), ['start'], 'no second run while the first one runs');
    await fs.writeFile(gate, '');
    await t.untilReports(1);
    await (async () => {
      for (let i = 0; i < 200 && (await lines(out)).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    })();
    await fs.writeFile(gate, '');
    const reports = await t.untilReports(2);
    assert.equal(reports[1]!.scheduledAt, new Date(T0 + 90 * MINUTE).toISOString(), 'one run for the latest slot that passed');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await lines(out), ['start', 'start']);
  });

  it('run-now: runs at once with its execution id (trigger run-now), leaves the schedule as it was; unknown association: Skipped report', async () => {
    t = await openScheduler(stateDir, clock);
    t.scheduler.applySet({ revision: 1, associations: [association({ associationId: 'a1', document: appendDocument(out) })] });
    await t.untilReports(1);
    assert.equal(t.scheduler.runNow('a1', 'exec-1'), 'started');
    const [, now] = await t.untilReports(2);
    assert.deepEqual([now!.trigger, now!.executionId, now!.status], ['run-now', 'exec-1', 'Success']);
    assert.equal(t.scheduler.runNow('a1', 'exec-1'), 'duplicate', 'the same execution is not run twice while its report is unacknowledged');
    assert.equal(t.scheduler.runNow('nope', 'exec-2'), 'unknown');
    const [, , skipped] = await t.untilReports(3);
    assert.deepEqual([skipped!.status, skipped!.executionId], ['Skipped', 'exec-2']);
    assert.match(skipped!.detailedStatus, /does not hold association nope/);
    clock.advanceTo(T0 + 30 * MINUTE);
    const reports = await t.untilReports(4);
    assert.equal(reports[3]!.scheduledAt, new Date(T0 + 30 * MINUTE).toISOString(), 'the schedule did not move');
  });

  it('drift: a document that manages a file undoes a manual edit at the next run', async () => {
    t = await openScheduler(stateDir, clock);
    const managed = path.join(stateDir, 'motd');
    const script = [`want='managed by tender'`, `if [ "$(cat ${managed} 2>/dev/null)" != "$want" ]; then echo "$want" > ${managed}; echo corrected; else echo compliant; fi`];
    t.scheduler.applySet({ revision: 1, associations: [association({ associationId: 'motd', document: document22([shellStep('enforce', script)]) })] });
    const [first] = await t.untilReports(1);
    assert.equal(await fs.readFile(managed, 'utf8'), 'managed by tender\n');
    assert.match(first!.steps[0]!.stdout.preview, /corrected/);
    await fs.writeFile(managed, 'edited by hand\n');
    clock.advanceTo(T0 + 30 * MINUTE);
    const [, second] = await t.untilReports(2);
    assert.equal(await fs.readFile(managed, 'utf8'), 'managed by tender\n');
    assert.match(second!.steps[0]!.stdout.preview, /corrected/);
    clock.advanceTo(T0 + 60 * MINUTE);
    const [, , third] = await t.untilReports(3);
    assert.match(third!.steps[0]!.stdout.preview, /compliant/);
  });

  it('a run recorded just before a crash (never handed to the runner) runs at the next start, under its run id', async () => {
    const store = await AssociationStore.open(stateDir, recordingLogger());
    const a1 = association({ associationId: 'a1', document: appendDocument(out) });
    store.replaceSet({ revision: 1, associations: [a1] }, new Date(T0).toISOString());
    const run = { runId: 'run-before-crash', associationId: 'a1', associationVersion: '1', trigger: 'apply' as const, scheduledAt: new Date(T0).toISOString() };
    store.startRun(run, { version: '1', coveredUntil: new Date(T0 + MINUTE).toISOString(), lastRun: { ...run, startedAt: new Date(T0).toISOString() } });
    t = await openScheduler(stateDir, clock);
    const [report] = await t.untilReports(1);
    assert.deepEqual([report!.runId, report!.trigger, report!.status], ['run-before-crash', 'apply', 'Success']);
    await t.scheduler.idle();
    assert.deepEqual(await lines(out), ['ran'], 'once: the apply run was not started a second time');
  });

  it('a run cut short by the agent stopping is reported Failed after the restart, and its slot is not run again', async () => {
    t = await openScheduler(stateDir, clock);
    t.scheduler.applySet({ revision: 1, associations: [association({ associationId: 'slow', document: document22([shellStep('hold', [`echo start >> ${out}`, 'sleep 30'])]) })] });
    await waitFor('the run to start', async () => (await lines(out)).length === 1);
    await t.scheduler.stop();
    t = await openScheduler(stateDir, clock);
    await waitFor('the interrupted run in the spool', () => t!.scheduler.spool.pending().length === 1);
    const [report] = t.scheduler.spool.pending();
    assert.deepEqual([report!.trigger, report!.status], ['apply', 'Failed']);
    await t.scheduler.idle();
    assert.deepEqual(await lines(out), ['start'], 'the apply run is not started again');
    assert.deepEqual((await readAssociationState(stateDir))?.inFlight, {});
  });

  it('a run that fails is reported Failed with its exit code; the state file says how the last run went', async () => {
    t = await openScheduler(stateDir, clock);
    t.scheduler.applySet({ revision: 1, associations: [association({ associationId: 'fails', document: document22([shellStep('boom', 'exit 7')]) })] });
    const [report] = await t.untilReports(1);
    assert.deepEqual([report!.status, report!.detailedStatus, report!.responseCode], ['Failed', 'Failed', 7]);
    const state = await readAssociationState(stateDir);
    assert.equal(state?.progress.fails?.lastRun?.status, 'Failed');
    assert.deepEqual(state?.inFlight, {});
  });
});

describe('associations: the test-only fast clock (test-clock.ts)', () => {
  const base = { now: () => 1_000_000, setTimer: (_callback: () => void, ms: number) => () => void ms };

  it('is refused unless test hooks are enabled explicitly, and malformed settings are refused', async () => {
    const { testClockFromEnvironment, TestClockError } = await import('../src/associations/index.js');
    assert.equal(testClockFromEnvironment({}), undefined);
    assert.throws(() => testClockFromEnvironment({ TENDER_AGENT_TEST_CLOCK: 'anchor=0,scale=60' }), (error: unknown) => error instanceof TestClockError && /test-only setting and is refused unless TENDER_AGENT_ENABLE_TEST_HOOKS=1/.test(error.message));
    for (const bad of ['scale=60', 'anchor=0,scale=0', 'anchor=0,scale=60,speed=2', 'anchor=99999999999999,scale=2']) {
      assert.throws(() => testClockFromEnvironment({ TENDER_AGENT_TEST_CLOCK: bad, TENDER_AGENT_ENABLE_TEST_HOOKS: '1' }), /must be "anchor=<epoch ms, not in the future>,scale=<1 to 100000>"/, bad);
    }
  });

  it('runs `scale` times faster from its anchor; timers shrink to match', async () => {
    const { scaledClock } = await import('../src/associations/index.js');
    let real = 1_000_000;
    const delays: number[] = [];
    const clock = scaledClock(400_000, 60, { now: () => real, setTimer: (_callback, ms) => (delays.push(ms), () => undefined) });
    assert.equal(clock.now(), 400_000 + 600_000 * 60);
    real += 1000;
    assert.equal(clock.now(), 400_000 + 601_000 * 60);
    clock.setTimer(() => undefined, 30 * MINUTE);
    assert.deepEqual(delays, [30_000]);
    void base;
  });
});

describe('associations: the built-in inventory schedule stands down for an association (inventory-schedule.ts)', () => {
  it('stops gathering while told to stand down, and gathers again (at once) when the association goes', async () => {
    const { InventorySchedule } = await import('../src/inventory/index.js');
    const { recordingLogger } = await import('./fixtures/runner/harness.js');
    let gathers = 0;
    const schedule = new InventorySchedule({
      action: { run: async () => (gathers++, { status: 'Success', exitCode: 0 }) },
      services: {} as never,
      stateDir: await tempDir('tender-inventory-standdown-'),
      instance: { instanceId: 'mi-0123456789abcdef0', region: 'eu-west-1' },
      platform: 'linux',
      logger: recordingLogger(),
      intervalMinutes: 30,
    });
    schedule.standDown(true);
    schedule.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(gathers, 0, 'no gather at start while an association gathers');
    schedule.standDown(false);
    await schedule.runOnce();
    assert.equal(gathers, 1, 'the built-in schedule took over, with a gather at once');
    await schedule.stop();
  });
});
