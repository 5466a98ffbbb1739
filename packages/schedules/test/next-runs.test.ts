import assert from 'node:assert/strict';
import { formatInZone, nextRuns, parseSchedule, resolveWallTime } from '../src/index.js';

/** The next runs as ISO strings in the zone, so expectations read as the clock on the wall shows them. */
function runs(expression: string, from: string, count: number, timeZone = 'UTC', extra: { scheduleOffset?: number } = {}): string[] {
  return nextRuns(parseSchedule(expression), new Date(from), { count, timeZone, ...extra }).map((run) => formatInZone(run.getTime(), timeZone));
}

describe('nextRuns: calendar rules', () => {
  it('W picks the nearest weekday without leaving the month', () => {
    // 2026-08-01 is a Saturday: 1W moves forward to Monday the 3rd, not back into July.
    assert.deepEqual(runs('cron(0 9 1W * ? *)', '2026-07-15T00:00:00Z', 2), ['2026-08-03T09:00:00Z', '2026-09-01T09:00:00Z']);
    // 2026-05-31 is a Sunday: 31W moves back to Friday the 29th. 2026-02-15 is a Sunday: 15W is Monday the 16th.
    assert.deepEqual(runs('cron(0 9 31W * ? *)', '2026-05-01T00:00:00Z', 1), ['2026-05-29T09:00:00Z']);
    assert.deepEqual(runs('cron(0 9 15W * ? *)', '2026-02-01T00:00:00Z', 1), ['2026-02-16T09:00:00Z']);
    // A month without a 31st has no 31W.
    assert.deepEqual(runs('cron(0 9 31W * ? *)', '2026-06-01T00:00:00Z', 1), ['2026-07-31T09:00:00Z']);
    // LW: the last weekday. 2026-05-31 is a Sunday, so May's is Friday the 29th.
    assert.deepEqual(runs('cron(0 9 LW * ? *)', '2026-05-01T00:00:00Z', 2), ['2026-05-29T09:00:00Z', '2026-06-30T09:00:00Z']);
  });

  it('L in day-of-month follows month lengths and leap years', () => {
    assert.deepEqual(runs('cron(0 0 L 2 ? *)', '2027-01-01T00:00:00Z', 2), ['2027-02-28T00:00:00Z', '2028-02-29T00:00:00Z']);
  });

  it('# skips months without a fifth occurrence', () => {
    // Fifth Friday: January 2026 has one (30th), February none, March none, May one (29th).
    assert.deepEqual(runs('cron(0 12 ? * FRI#5 *)', '2026-01-01T00:00:00Z', 2), ['2026-01-30T12:00:00Z', '2026-05-29T12:00:00Z']);
  });

  it('a day of the month that some months lack is skipped there (no 31st in April)', () => {
    assert.deepEqual(runs('cron(0 0 31 * ? *)', '2026-03-31T12:00:00Z', 2), ['2026-05-31T00:00:00Z', '2026-07-31T00:00:00Z']);
  });

  it('stops when the year field ends, and returns nothing for a date that never comes', () => {
    assert.deepEqual(runs('cron(0 0 1 1 ? 2027-2028)', '2026-06-01T00:00:00Z', 5), ['2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z']);
    assert.deepEqual(runs('cron(0 0 30 2 ? *)', '2026-01-01T00:00:00Z', 1), []);
    assert.deepEqual(runs('at(2020-07-07T15:55:00)', '2021-01-01T00:00:00Z', 1), []);
  });

  it('is strictly after the given instant', () => {
    assert.deepEqual(runs('cron(0 10 * * ? *)', '2026-01-01T10:00:00Z', 1), ['2026-01-02T10:00:00Z']);
    assert.deepEqual(runs('cron(0 10 * * ? *)', '2026-01-01T09:59:59.999Z', 1), ['2026-01-01T10:00:00Z']);
  });

  it('a rate counts from its anchor, and a day is 24 hours whatever the clock does', () => {
    const rate = parseSchedule('rate(2 hours)');
    const anchored = nextRuns(rate, new Date('2026-01-01T05:00:00Z'), { count: 2, rateAnchor: new Date('2026-01-01T00:30:00Z') });
    assert.deepEqual(anchored.map((run) => run.toISOString()), ['2026-01-01T06:30:00.000Z', '2026-01-01T08:30:00.000Z']);
    // Across New York's spring change the wall time moves by an hour; the rate does not.
    assert.deepEqual(runs('rate(1 day)', '2026-03-07T12:00:00Z', 2, 'America/New_York'), ['2026-03-08T08:00:00-04:00', '2026-03-09T08:00:00-04:00']);
  });
});

describe('nextRuns: time zones and daylight saving', () => {
  it('skips a cron time the clock jumps over in spring (New York, 2026-03-08 02:00 -> 03:00)', () => {
    assert.deepEqual(runs('cron(30 2 * * ? *)', '2026-03-06T12:00:00Z', 3, 'America/New_York'), [
      '2026-03-07T02:30:00-05:00',
      '2026-03-09T02:30:00-04:00',
      '2026-03-10T02:30:00-04:00',
    ]);
    const skipped: string[] = [];
    nextRuns(parseSchedule('cron(30 2 * * ? *)'), new Date('2026-03-06T12:00:00Z'), { count: 3, timeZone: 'America/New_York', onSkippedTime: (wall) => skipped.push(wall) });
    assert.deepEqual(skipped, ['2026-03-08T02:30:00']);
    // Every 30 minutes: 02:00 and 02:30 do not exist that night, 03:00 comes 30 minutes after 01:30.
    assert.deepEqual(runs('cron(0/30 * * * ? *)', '2026-03-08T06:15:00Z', 3, 'America/New_York'), [
      '2026-03-08T01:30:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T03:30:00-04:00',
    ]);
  });

  it('runs a cron time the clock shows twice in autumn once, at its first occurrence (New York, 2026-11-01)', () => {
    assert.deepEqual(runs('cron(30 1 * * ? *)', '2026-10-31T00:00:00Z', 3, 'America/New_York'), [
      '2026-10-31T01:30:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
    ]);
    assert.deepEqual(runs('cron(0/30 * * * ? *)', '2026-11-01T04:45:00Z', 4, 'America/New_York'), [
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T02:00:00-05:00',
      '2026-11-01T02:30:00-05:00',
    ]);
  });

  it('Europe/London: the repeated 01:00-02:00 hour runs once', () => {
    assert.deepEqual(runs('cron(30 1 * * ? *)', '2026-10-24T00:00:00Z', 3, 'Europe/London'), [
      '2026-10-24T01:30:00+01:00',
      '2026-10-25T01:30:00+01:00',
      '2026-10-26T01:30:00+00:00',
    ]);
  });

  it('Africa/Cairo: the day whose midnight does not exist still runs its later times (2025-04-25 00:00 -> 01:00)', () => {
    assert.deepEqual(runs('cron(0 0 * * ? *)', '2025-04-23T12:00:00Z', 2, 'Africa/Cairo'), ['2025-04-24T00:00:00+02:00', '2025-04-26T00:00:00+03:00']);
    assert.deepEqual(runs('cron(0 0/2 * * ? *)', '2025-04-24T19:00:00Z', 3, 'Africa/Cairo'), [
      '2025-04-24T22:00:00+02:00',
      '2025-04-25T02:00:00+03:00',
      '2025-04-25T04:00:00+03:00',
    ]);
  });

  it('Pacific/Apia: a calendar day that never happened (2011-12-30) is skipped, the next one runs', () => {
    assert.deepEqual(runs('cron(0 12 * * ? *)', '2011-12-28T00:00:00Z', 3, 'Pacific/Apia'), [
      '2011-12-28T12:00:00-10:00',
      '2011-12-29T12:00:00-10:00',
      '2011-12-31T12:00:00+14:00',
    ]);
  });

  it('Australia/Lord_Howe: a half-hour daylight saving shift', () => {
    // 2026-10-04 02:00 -> 02:30, so 02:15 does not exist that day.
    assert.deepEqual(runs('cron(15 2 * * ? *)', '2026-10-03T00:00:00Z', 2, 'Australia/Lord_Howe'), ['2026-10-05T02:15:00+11:00', '2026-10-06T02:15:00+11:00']);
  });

  it('a schedule offset keeps the wall-clock time across a change of offset', () => {
    // The first Friday of March 2026 is the 6th (EST); two days later is Sunday the 8th, after New York's change
    // at 02:00 that day: 12:00 is EDT, and 02:30 does not exist, so that offset run is skipped.
    assert.deepEqual(runs('cron(0 12 ? * FRI#1 *)', '2026-03-01T00:00:00Z', 2, 'America/New_York', { scheduleOffset: 2 }), ['2026-03-08T12:00:00-04:00', '2026-04-05T12:00:00-04:00']);
    assert.deepEqual(runs('cron(30 2 ? * FRI#1 *)', '2026-03-01T00:00:00Z', 1, 'America/New_York', { scheduleOffset: 2 }), ['2026-04-05T02:30:00-04:00']);
  });

  it('at() in a gap runs when the clock has moved past it; in an overlap, at the first occurrence', () => {
    assert.deepEqual(runs('at(2026-03-08T02:30:00)', '2026-01-01T00:00:00Z', 1, 'America/New_York'), ['2026-03-08T03:30:00-04:00']);
    assert.deepEqual(runs('at(2026-11-01T01:30:00)', '2026-01-01T00:00:00Z', 1, 'America/New_York'), ['2026-11-01T01:30:00-04:00']);
  });

  it('resolveWallTime says which wall times are gaps and overlaps', () => {
    assert.equal(resolveWallTime(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York').kind, 'gap');
    assert.equal(resolveWallTime(Date.UTC(2026, 10, 1, 1, 30), 'America/New_York').kind, 'overlap');
    assert.deepEqual(resolveWallTime(Date.UTC(2026, 6, 1, 12, 0), 'Asia/Kolkata'), { instantMs: Date.UTC(2026, 6, 1, 6, 30), kind: 'exact' });
  });

  it('refuses an offset on anything but cron, and an unknown zone', () => {
    assert.throws(() => nextRuns(parseSchedule('rate(1 day)'), new Date(), { scheduleOffset: 2 }), /applies only to cron expressions/);
    assert.throws(() => nextRuns(parseSchedule('cron(0 0 * * ? *)'), new Date(), { timeZone: 'Nowhere/Land' }), /not a known IANA time zone/);
  });
});
