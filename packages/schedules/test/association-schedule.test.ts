import assert from 'node:assert/strict';
import { appliesImmediately, associationRuns, minimumInterval, parseSchedule, ScheduleError, validateAssociationSchedule } from '../src/index.js';

function refusal(settings: Parameters<typeof validateAssociationSchedule>[0]): string {
  try {
    validateAssociationSchedule(settings);
  } catch (error) {
    assert.ok(error instanceof ScheduleError, String(error));
    return error.message;
  }
  return assert.fail(`expected ${JSON.stringify(settings)} to be refused`);
}

describe('association schedule rules (State Manager)', () => {
  it('accepts schedules whose runs are 30 minutes or more apart', () => {
    for (const expression of ['cron(0/30 * * * ? *)', 'cron(0,30 * * * ? *)', 'cron(10,50 0,23 ? * MON *)', 'cron(0 0 ? * THU#2 *)', 'rate(30 minutes)', 'rate(30 days)', 'rate(743 hours)', 'at(2030-01-01T00:00:00)']) {
      assert.doesNotThrow(() => validateAssociationSchedule({ ScheduleExpression: expression }), expression);
    }
  });

  it('refuses cron expressions with runs closer than 30 minutes, naming the closest pair', () => {
    assert.match(refusal({ ScheduleExpression: 'cron(0/15 * * * ? *)' }), /runs 15 minutes apart \(00:00 and 00:15 UTC\); State Manager associations run at most every 30 minutes/);
    assert.match(refusal({ ScheduleExpression: 'cron(0,20 * * * ? *)' }), /runs 20 minutes apart/);
    // Across midnight only: 23:50 one day and 00:10 the next.
    assert.match(refusal({ ScheduleExpression: 'cron(10,50 0,23 * * ? *)' }), /runs 20 minutes apart \(23:50 and 00:10 UTC\)/);
    assert.match(refusal({ ScheduleExpression: 'cron(5 0 0 * * ? *)' }), /the leading seconds field can only be 0/);
  });

  it('refuses rate expressions under 30 minutes or of 31 days and more', () => {
    for (const expression of ['rate(29 minutes)', 'rate(1 minute)', 'rate(31 days)', 'rate(744 hours)']) {
      assert.match(refusal({ ScheduleExpression: expression }), /must be 30 minutes or more and less than 31 days/, expression);
    }
  });

  it('ApplyOnlyAtCronInterval and ScheduleOffset: cron only, offset 1-6 and only with ApplyOnlyAtCronInterval', () => {
    assert.match(refusal({ ScheduleExpression: 'rate(1 hour)', ApplyOnlyAtCronInterval: true }), /ApplyOnlyAtCronInterval applies only to cron expressions, not to rate\(1 hour\)/);
    assert.match(refusal({ ApplyOnlyAtCronInterval: true }), /needs a cron ScheduleExpression/);
    assert.match(refusal({ ScheduleExpression: 'cron(0 0 ? * THU#2 *)', ScheduleOffset: 3 }), /ScheduleOffset needs ApplyOnlyAtCronInterval/);
    assert.match(refusal({ ScheduleExpression: 'cron(0 0 ? * THU#2 *)', ScheduleOffset: 7, ApplyOnlyAtCronInterval: true }), /ScheduleOffset 7 is out of range 1-6/);
    assert.match(refusal({ ScheduleExpression: 'rate(1 day)', ScheduleOffset: 2 }), /ScheduleOffset applies only to cron expressions/);
    assert.equal(validateAssociationSchedule({ ScheduleExpression: 'cron(0 0 ? * THU#2 *)', ScheduleOffset: 3, ApplyOnlyAtCronInterval: true })?.kind, 'cron');
    assert.equal(validateAssociationSchedule({}), undefined);
  });

  it('with the current time, refuses a cron expression that never fires again and an at() time gone by', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    assert.throws(() => validateAssociationSchedule({ ScheduleExpression: 'cron(0 0 30 2 ? *)' }, { now }), /cron\(0 0 30 2 \? \*\) has no run after 2026-06-01T00:00:00.000Z: it never fires/);
    assert.throws(() => validateAssociationSchedule({ ScheduleExpression: 'cron(0 0 1 1 ? 2020-2025)' }, { now }), /never fires/);
    assert.doesNotThrow(() => validateAssociationSchedule({ ScheduleExpression: 'cron(0 0 29 2 ? *)' }, { now }));
    assert.throws(() => validateAssociationSchedule({ ScheduleExpression: 'at(2026-05-31T23:59:59)' }, { now }), /is not after 2026-06-01T00:00:00.000Z: a one-time association would never run/);
    assert.doesNotThrow(() => validateAssociationSchedule({ ScheduleExpression: 'at(2026-06-01T00:00:01)' }, { now }));
  });

  it('minimumInterval works from the expression, not from today', () => {
    assert.deepEqual(minimumInterval(parseSchedule('cron(0 8,20 * * ? *)')), { minutes: 720, between: ['08:00', '20:00'] });
    assert.equal(minimumInterval(parseSchedule('rate(2 hours)')).minutes, 120);
    assert.equal(minimumInterval(parseSchedule('at(2030-01-01T00:00:00)')).minutes, undefined);
  });
});

describe('associationRuns: when an association applies (the ApplyOnlyAtCronInterval contract)', () => {
  const created = new Date('2026-01-01T10:07:00Z');
  const iso = (runs: Array<{ at: Date; reason: string }>) => runs.map((run) => `${run.reason} ${run.at.toISOString()}`);

  it('runs on creation, then on its schedule', () => {
    assert.deepEqual(iso(associationRuns({ ScheduleExpression: 'rate(30 minutes)' }, created, { count: 3 })), [
      'applied 2026-01-01T10:07:00.000Z',
      'scheduled 2026-01-01T10:37:00.000Z',
      'scheduled 2026-01-01T11:07:00.000Z',
    ]);
    assert.deepEqual(iso(associationRuns({ ScheduleExpression: 'cron(0 0/4 * * ? *)' }, created, { count: 2 })), ['applied 2026-01-01T10:07:00.000Z', 'scheduled 2026-01-01T12:00:00.000Z']);
  });

  it('with ApplyOnlyAtCronInterval, waits for the next cron time', () => {
    const settings = { ScheduleExpression: 'cron(0 0/4 * * ? *)', ApplyOnlyAtCronInterval: true };
    assert.equal(appliesImmediately(settings), false);
    assert.deepEqual(iso(associationRuns(settings, created, { count: 2 })), ['scheduled 2026-01-01T12:00:00.000Z', 'scheduled 2026-01-01T16:00:00.000Z']);
  });

  it('without a schedule, runs once when applied; an at() association runs only at its time', () => {
    assert.deepEqual(iso(associationRuns({}, created, { count: 3 })), ['applied 2026-01-01T10:07:00.000Z']);
    assert.equal(appliesImmediately({ ScheduleExpression: 'at(2026-02-01T00:00:00)' }), false);
    assert.deepEqual(iso(associationRuns({ ScheduleExpression: 'at(2026-02-01T00:00:00)' }, created, { count: 3 })), ['scheduled 2026-02-01T00:00:00.000Z']);
  });

  it('in steady state (after the creation), gives the runs after the given instant on the same grid', () => {
    assert.deepEqual(iso(associationRuns({ ScheduleExpression: 'rate(1 hour)' }, created, { after: new Date('2026-01-02T00:00:00Z'), count: 2 })), [
      'scheduled 2026-01-02T00:07:00.000Z',
      'scheduled 2026-01-02T01:07:00.000Z',
    ]);
    // An offset run whose cron time came after the creation still runs although `after` is past that cron time.
    const offset = { ScheduleExpression: 'cron(0 0 ? * THU#2 *)', ScheduleOffset: 3, ApplyOnlyAtCronInterval: true };
    assert.deepEqual(iso(associationRuns(offset, created, { after: new Date('2026-01-09T00:00:00Z'), count: 1 })), ['scheduled 2026-01-11T00:00:00.000Z']);
  });
});
