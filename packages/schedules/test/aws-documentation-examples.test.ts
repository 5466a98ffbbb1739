import assert from 'node:assert/strict';
import { associationRuns, nextRuns, parseSchedule, ScheduleError, validateAssociationSchedule } from '../src/index.js';

/**
 * Every example expression in AWS's documentation of SSM schedules, with the run times its stated meaning
 * implies. Sources:
 * - AWS Systems Manager User Guide, "Reference: Cron and rate expressions for Systems Manager"
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html,
 *   as published in github.com/awsdocs/aws-systems-manager-user-guide doc_source/reference-cron-and-rate-expressions.md):
 *   "Cron expression examples", "Cron examples for associations", "Rate examples for associations",
 *   "Cron examples for maintenance windows", "Rate examples for maintenance windows", the CLI examples at the
 *   top of the page, and the ScheduleOffset examples of the current page.
 * - The SSM API reference for CreateAssociation, ScheduleOffset: cron(0 0 ? * THU#2 *) with offset 3 runs "each
 *   Sunday after the second Thursday of the month".
 * The runs are computed from Thursday 2026-01-01T00:00:00Z unless a row says otherwise.
 */
interface Row {
  expression: string;
  meaning: string;
  runs: string[];
  from?: string;
  timeZone?: string;
  scheduleOffset?: number;
  association?: boolean;
}

const FROM = '2026-01-01T00:00:00Z';

const TABLE: Row[] = [
  // "Cron expression examples" (general information)
  { expression: 'cron(0 10 * * ? *)', meaning: 'Run at 10:00 am (UTC) every day', runs: ['2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z', '2026-01-03T10:00:00Z'] },
  { expression: 'cron(15 12 * * ? *)', meaning: 'Run at 12:15 PM (UTC) every day', runs: ['2026-01-01T12:15:00Z', '2026-01-02T12:15:00Z', '2026-01-03T12:15:00Z'] },
  { expression: 'cron(0 18 ? * MON-FRI *)', meaning: 'Run at 6:00 PM (UTC) every Monday through Friday', runs: ['2026-01-01T18:00:00Z', '2026-01-02T18:00:00Z', '2026-01-05T18:00:00Z'] },
  { expression: 'cron(0 8 1 * ? *)', meaning: 'Run at 8:00 AM (UTC) every 1st day of the month', runs: ['2026-01-01T08:00:00Z', '2026-02-01T08:00:00Z', '2026-03-01T08:00:00Z'] },
  { expression: 'cron(0/15 * * * ? *)', meaning: 'Run every 15 minutes', runs: ['2026-01-01T00:15:00Z', '2026-01-01T00:30:00Z', '2026-01-01T00:45:00Z'] },
  { expression: 'cron(0/10 * ? * MON-FRI *)', meaning: 'Run every 10 minutes Monday through Friday', from: '2026-01-02T23:45:00Z', runs: ['2026-01-02T23:50:00Z', '2026-01-05T00:00:00Z', '2026-01-05T00:10:00Z'] },
  { expression: 'cron(0/5 8-17 ? * MON-FRI *)', meaning: 'Run every 5 minutes Monday through Friday between 8:00 AM and 5:55 PM (UTC)', from: '2026-01-02T17:50:00Z', runs: ['2026-01-02T17:55:00Z', '2026-01-05T08:00:00Z', '2026-01-05T08:05:00Z'] },
  // "Cron examples for associations"
  { expression: 'cron(0/30 * * * ? *)', meaning: 'Every 30 minutes', association: true, runs: ['2026-01-01T00:30:00Z', '2026-01-01T01:00:00Z', '2026-01-01T01:30:00Z'] },
  { expression: 'cron(0 0/1 * * ? *)', meaning: 'Every hour', association: true, runs: ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z'] },
  { expression: 'cron(0 0/2 * * ? *)', meaning: 'Every 2 hours', association: true, runs: ['2026-01-01T02:00:00Z', '2026-01-01T04:00:00Z', '2026-01-01T06:00:00Z'] },
  { expression: 'cron(0 0/4 * * ? *)', meaning: 'Every 4 hours', association: true, runs: ['2026-01-01T04:00:00Z', '2026-01-01T08:00:00Z', '2026-01-01T12:00:00Z'] },
  { expression: 'cron(0 0/8 * * ? *)', meaning: 'Every 8 hours', association: true, runs: ['2026-01-01T08:00:00Z', '2026-01-01T16:00:00Z', '2026-01-02T00:00:00Z'] },
  { expression: 'cron(0 0/12 * * ? *)', meaning: 'Every 12 hours', association: true, runs: ['2026-01-01T12:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T12:00:00Z'] },
  { expression: 'cron(15 13 ? * * *)', meaning: 'Every day at 1:15 PM', association: true, runs: ['2026-01-01T13:15:00Z', '2026-01-02T13:15:00Z', '2026-01-03T13:15:00Z'] },
  { expression: 'cron(15 13 ? * MON *)', meaning: 'Every Monday at 1:15 PM', association: true, runs: ['2026-01-05T13:15:00Z', '2026-01-12T13:15:00Z', '2026-01-19T13:15:00Z'] },
  { expression: 'cron(0 */30 * * * ? *)', meaning: 'the optional Seconds field can only be 0 for associations (every 30 minutes)', association: true, runs: ['2026-01-01T00:30:00Z', '2026-01-01T01:00:00Z', '2026-01-01T01:30:00Z'] },
  // "Rate examples for associations"
  { expression: 'rate(30 minutes)', meaning: 'Every 30 minutes', association: true, runs: ['2026-01-01T00:30:00Z', '2026-01-01T01:00:00Z', '2026-01-01T01:30:00Z'] },
  { expression: 'rate(1 hour)', meaning: 'Every hour', association: true, runs: ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z'] },
  { expression: 'rate(5 hours)', meaning: 'Every 5 hours', association: true, runs: ['2026-01-01T05:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T15:00:00Z'] },
  { expression: 'rate(15 days)', meaning: 'Every 15 days', association: true, runs: ['2026-01-16T00:00:00Z', '2026-01-31T00:00:00Z', '2026-02-15T00:00:00Z'] },
  // CLI examples at the top of the page
  { expression: 'cron(0 0 2 ? * SUN *)', meaning: 'My-Cron-Association (seven fields: 02:00 every Sunday)', association: true, runs: ['2026-01-04T02:00:00Z', '2026-01-11T02:00:00Z', '2026-01-18T02:00:00Z'] },
  { expression: 'rate(7 days)', meaning: 'My-Rate-Association / My-Rate-Maintenance-Window', association: true, runs: ['2026-01-08T00:00:00Z', '2026-01-15T00:00:00Z', '2026-01-22T00:00:00Z'] },
  { expression: 'cron(0 16 ? * TUE *)', meaning: 'My-Cron-Maintenance-Window: 4 PM every Tuesday, America/Los_Angeles', timeZone: 'America/Los_Angeles', runs: ['2026-01-07T00:00:00Z', '2026-01-14T00:00:00Z', '2026-01-21T00:00:00Z'] },
  { expression: 'at(2019-07-07T13:15:30)', meaning: 'My-TimeStamp-Maintenance-Window, America/Los_Angeles (PDT in July)', from: '2019-01-01T00:00:00Z', timeZone: 'America/Los_Angeles', runs: ['2019-07-07T20:15:30Z'] },
  { expression: 'at(2020-07-07T15:55:00)', meaning: 'Single-run schedule in UTC', from: '2020-01-01T00:00:00Z', runs: ['2020-07-07T15:55:00Z'] },
  // "Cron examples for maintenance windows"
  { expression: 'cron(0 2 ? * THU#3 *)', meaning: '02:00 AM the third Thursday of every month', runs: ['2026-01-15T02:00:00Z', '2026-02-19T02:00:00Z', '2026-03-19T02:00:00Z'] },
  { expression: 'cron(15 10 ? * * *)', meaning: '10:15 AM every day', runs: ['2026-01-01T10:15:00Z', '2026-01-02T10:15:00Z', '2026-01-03T10:15:00Z'] },
  { expression: 'cron(15 10 ? * MON-FRI *)', meaning: '10:15 AM every Monday, Tuesday, Wednesday, Thursday and Friday', runs: ['2026-01-01T10:15:00Z', '2026-01-02T10:15:00Z', '2026-01-05T10:15:00Z'] },
  { expression: 'cron(0 2 L * ? *)', meaning: '02:00 AM on the last day of every month', runs: ['2026-01-31T02:00:00Z', '2026-02-28T02:00:00Z', '2026-03-31T02:00:00Z'] },
  { expression: 'cron(15 10 ? * 6L *)', meaning: '10:15 AM on the last Friday of every month', runs: ['2026-01-30T10:15:00Z', '2026-02-27T10:15:00Z', '2026-03-27T10:15:00Z'] },
  { expression: 'cron(30 09 ? * * *)', meaning: 'maintenance window at 9:30 AM every day', runs: ['2026-01-01T09:30:00Z', '2026-01-02T09:30:00Z', '2026-01-03T09:30:00Z'] },
  { expression: 'cron(24 30 09 ? * * *)', meaning: 'seven fields: 9:30:24 AM every day', runs: ['2026-01-01T09:30:24Z', '2026-01-02T09:30:24Z', '2026-01-03T09:30:24Z'] },
  // "Rate examples for maintenance windows"
  { expression: 'rate(25 days)', meaning: 'Every 25 days', runs: ['2026-01-26T00:00:00Z', '2026-02-20T00:00:00Z', '2026-03-17T00:00:00Z'] },
  { expression: 'rate(2 days)', meaning: 'every other day (older edition of the page)', runs: ['2026-01-03T00:00:00Z', '2026-01-05T00:00:00Z', '2026-01-07T00:00:00Z'] },
  // Schedule offsets
  { expression: 'cron(30 23 ? * TUE#3 *)', scheduleOffset: 2, meaning: 'third Tuesday 11:30 PM, offset 2: 11:30 PM two days later', runs: ['2026-01-22T23:30:00Z', '2026-02-19T23:30:00Z', '2026-03-19T23:30:00Z'] },
  { expression: 'cron(0 0 ? * THU#2 *)', scheduleOffset: 3, meaning: 'second Thursday, offset 3: the Sunday after', association: true, runs: ['2026-01-11T00:00:00Z', '2026-02-15T00:00:00Z', '2026-03-15T00:00:00Z'] },
];

describe('the schedule examples in AWS documentation', () => {
  for (const row of TABLE) {
    it(`${row.expression}${row.scheduleOffset ? ` offset ${row.scheduleOffset}` : ''}${row.timeZone ? ` in ${row.timeZone}` : ''}: ${row.meaning}`, () => {
      const schedule = parseSchedule(row.expression);
      const runs = nextRuns(schedule, new Date(row.from ?? FROM), {
        count: row.runs.length,
        ...(row.timeZone ? { timeZone: row.timeZone } : {}),
        ...(row.scheduleOffset ? { scheduleOffset: row.scheduleOffset } : {}),
      });
      assert.deepEqual(runs.map((run) => run.toISOString().replace('.000Z', 'Z')), row.runs);
      if (row.association) {
        assert.doesNotThrow(() => validateAssociationSchedule({ ScheduleExpression: row.expression, ...(row.scheduleOffset ? { ScheduleOffset: row.scheduleOffset, ApplyOnlyAtCronInterval: true } : {}) }));
      }
    });
  }

  it('rate(1 hours) and rate(5 hour) are refused; rate(1 hour) and rate(5 hours) are accepted', () => {
    for (const bad of ['rate(1 hours)', 'rate(5 hour)']) assert.throws(() => parseSchedule(bad), ScheduleError, bad);
    for (const good of ['rate(1 hour)', 'rate(5 hours)']) assert.equal(parseSchedule(good).kind, 'rate');
  });

  it('an offset run whose cron time passed before creation does not run ("would have run yesterday, offset 2: not tomorrow")', () => {
    // Created on Thursday 2026-01-08; the weekly Wednesday cron time was yesterday, so Friday the 9th is skipped.
    const runs = nextRuns(parseSchedule('cron(0 12 ? * WED *)'), new Date('2026-01-08T09:00:00Z'), { count: 2, scheduleOffset: 2 });
    assert.deepEqual(runs.map((run) => run.toISOString()), ['2026-01-16T12:00:00.000Z', '2026-01-23T12:00:00.000Z']);
  });

  it('the association example (cron(0 0 ? * THU#2 *), offset 3, apply only at cron interval) does not run on creation', () => {
    const settings = { ScheduleExpression: 'cron(0 0 ? * THU#2 *)', ScheduleOffset: 3, ApplyOnlyAtCronInterval: true };
    const runs = associationRuns(settings, new Date(FROM), { count: 2 });
    assert.deepEqual(runs, [
      { at: new Date('2026-01-11T00:00:00Z'), reason: 'scheduled' },
      { at: new Date('2026-02-15T00:00:00Z'), reason: 'scheduled' },
    ]);
  });
});
