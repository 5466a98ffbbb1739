import assert from 'node:assert/strict';
import { parseCron, parseSchedule, ScheduleError, checkTimeZone } from '../src/index.js';

function refusal(expression: string): ScheduleError {
  try {
    parseSchedule(expression);
  } catch (error) {
    assert.ok(error instanceof ScheduleError, String(error));
    return error;
  }
  return assert.fail(`expected ${expression} to be refused`);
}

describe('parseSchedule: cron grammar', () => {
  it('expands lists, ranges, increments and names', () => {
    const cron = parseCron('cron(5,10-12,50/5 1-3/2 ? jan,MAR-apr/1 mon-wed,FRI 2026-2030/2)');
    assert.deepEqual(cron.minutes, [5, 10, 11, 12, 50, 55]);
    assert.deepEqual(cron.hours, [1, 3]);
    assert.deepEqual(cron.months, [1, 3, 4]);
    assert.deepEqual(cron.dayOfWeek, { kind: 'days', days: [2, 3, 4, 6] });
    assert.equal(cron.dayOfMonth, undefined);
    assert.deepEqual(cron.years, [2026, 2028, 2030]);
  });

  it('wraps ranges that run past the end of a field (NOV-FEB, FRI-MON, 22-1)', () => {
    const cron = parseCron('cron(0 22-1 ? NOV-FEB FRI-MON *)');
    assert.deepEqual(cron.hours, [0, 1, 22, 23]);
    assert.deepEqual(cron.months, [1, 2, 11, 12]);
    assert.deepEqual(cron.dayOfWeek, { kind: 'days', days: [1, 2, 6, 7] });
  });

  it('reads the day specials: L, LW, nW in day-of-month; L, nL, n#k in day-of-week', () => {
    assert.deepEqual(parseCron('cron(0 0 L * ? *)').dayOfMonth, { kind: 'last' });
    assert.deepEqual(parseCron('cron(0 0 LW * ? *)').dayOfMonth, { kind: 'last-weekday' });
    assert.deepEqual(parseCron('cron(0 0 15W * ? *)').dayOfMonth, { kind: 'nearest-weekday', day: 15 });
    assert.deepEqual(parseCron('cron(0 0 ? * L *)').dayOfWeek, { kind: 'days', days: [7] });
    assert.deepEqual(parseCron('cron(0 0 ? * 6L *)').dayOfWeek, { kind: 'last-of-month', weekday: 6 });
    assert.deepEqual(parseCron('cron(0 0 ? * FRIL *)').dayOfWeek, { kind: 'last-of-month', weekday: 6 });
    assert.deepEqual(parseCron('cron(0 0 ? * THU#3 *)').dayOfWeek, { kind: 'nth-of-month', weekday: 5, nth: 3 });
    assert.deepEqual(parseCron('cron(0 0 ? * 2#1 *)').dayOfWeek, { kind: 'nth-of-month', weekday: 2, nth: 1 });
  });

  it('accepts the seven-field form with a leading seconds value', () => {
    assert.equal(parseCron('cron(24 30 09 ? * * *)').second, 24);
    assert.equal(parseCron('cron(30 09 ? * * *)').second, 0);
  });

  // Each refusal names the field at fault, with its position and the rule broken.
  const REFUSALS: Array<[string, string, number | undefined]> = [
    ['cron(0 2 ? * MON-FRI)', 'cron(0 2 ? * MON-FRI) has 5 fields, expected 6', undefined],
    ['cron()', 'has 0 fields, expected 6', undefined],
    ['cron(0 0 0 0 0 ? * * *)', 'has 9 fields, expected 6', undefined],
    ['cron(60 2 * * ? *)', 'field 1 (minutes) "60" is out of range 0-59', 1],
    ['cron(0 24 * * ? *)', 'field 2 (hours) "24" is out of range 0-23', 2],
    ['cron(0 2 32 * ? *)', 'field 3 (day-of-month) "32" is out of range 1-31', 3],
    ['cron(0 2 0 * ? *)', 'field 3 (day-of-month) "0" is out of range 1-31', 3],
    ['cron(0 2 1 13 ? *)', 'field 4 (month) "13" is out of range 1-12', 4],
    ['cron(0 2 1 JUNE ? *)', 'field 4 (month) "JUNE" is not a valid value (expected 1-12 or JAN-DEC)', 4],
    ['cron(0 2 ? * 8 *)', 'field 5 (day-of-week) "8" is out of range 1-7', 5],
    ['cron(0 2 ? * 0 *)', 'field 5 (day-of-week) "0" is out of range 1-7', 5],
    ['cron(0 2 ? * FUNDAY *)', 'field 5 (day-of-week) "FUNDAY" is not a valid value (expected 1-7 or SUN-SAT)', 5],
    ['cron(0 2 * * ? 1969)', 'field 6 (year) "1969" is out of range 1970-2199', 6],
    ['cron(0 2 * * ? 2200)', 'field 6 (year) "2200" is out of range 1970-2199', 6],
    ['cron(0 2 * * ? 2030-2025)', 'field 6 (year) "2030-2025": the range runs backwards', 6],
    ['cron(0 2 ? * ? *)', 'are both "?"; one of them must name days', 3],
    ['cron(0 2 * * * *)', 'day-of-month (field 3) "*" and day-of-week (field 5) "*" are both set; one of them must be "?"', 5],
    ['cron(0 2 1 * MON *)', 'are both set; one of them must be "?"', 5],
    ['cron(? 2 1 * ? *)', 'field 1 (minutes) "?" is only allowed in day-of-month and day-of-week', 1],
    ['cron(0/0 2 1 * ? *)', 'field 1 (minutes) "0/0": the increment 0 is out of range 1-60', 1],
    ['cron(0/61 2 1 * ? *)', 'field 1 (minutes) "0/61": the increment 61 is out of range 1-60', 1],
    ['cron(0/x 2 1 * ? *)', 'field 1 (minutes) "0/x": the increment after "/" must be a number', 1],
    ['cron(1/2/3 2 1 * ? *)', 'field 1 (minutes) "1/2/3" has more than one "/"', 1],
    ['cron(5- 2 1 * ? *)', 'field 1 (minutes) has an empty value', 1],
    ['cron(1,,2 2 1 * ? *)', 'field 1 (minutes) "1,,2" has an empty list element', 1],
    ['cron(1-2-3 2 1 * ? *)', 'field 1 (minutes) "1-2-3" is not a value, a range (a-b) or an increment (a/n)', 1],
    ['cron(0 2 L,15 * ? *)', 'field 3 (day-of-month) "L,15": the day-of-month specials are L, LW and nW (e.g. 15W), each alone in the field', 3],
    ['cron(0 2 L-3 * ? *)', 'field 3 (day-of-month) "L-3": the day-of-month specials are L, LW and nW', 3],
    ['cron(0 2 32W * ? *)', 'field 3 (day-of-month) "32" is out of range 1-31', 3],
    ['cron(0 2 1 5W ? *)', 'field 4 (month) "5W" is not a valid value', 4],
    ['cron(0 2 ? * THU#6 *)', 'field 5 (day-of-week) "THU#6": the occurrence after # must be 1-5', 5],
    ['cron(0 2 ? * MON#1,FRI *)', 'field 5 (day-of-week) "MON#1,FRI": nL (e.g. 6L) and n#k (e.g. THU#3) stand alone', 5],
    ['cron(0 2 ? * 8L *)', 'field 5 (day-of-week) "8" is out of range 1-7', 5],
    ['cron(60 0 2 ? * SUN *)', 'the leading seconds field "60" must be a single number 0-59', 0],
  ];
  for (const [expression, message, field] of REFUSALS) {
    it(`refuses ${expression}: ${message}`, () => {
      const error = refusal(expression);
      assert.ok(error.message.includes(message), `${error.message}\n  does not include\n${message}`);
      assert.equal(error.field?.index, field);
      assert.equal(error.expression, expression);
    });
  }
});

describe('parseSchedule: rate and at', () => {
  it('reads rate(N unit) into a period', () => {
    assert.deepEqual(parseSchedule('rate(1 minute)'), { kind: 'rate', text: 'rate(1 minute)', value: 1, unit: 'minutes', periodMs: 60_000 });
    assert.equal(parseSchedule('rate(12 hours)').kind === 'rate' && (parseSchedule('rate(12 hours)') as { periodMs: number }).periodMs, 12 * 3_600_000);
    assert.equal((parseSchedule('rate(3 days)') as { periodMs: number }).periodMs, 3 * 86_400_000);
  });

  const RATE_REFUSALS: Array<[string, string]> = [
    ['rate(0 minutes)', 'the value "0" must be a positive whole number'],
    ['rate(-1 minutes)', 'the value "-1" must be a positive whole number'],
    ['rate(1.5 hours)', 'the value "1.5" must be a positive whole number'],
    ['rate(5 weeks)', 'the unit "weeks" must be minute(s), hour(s) or day(s)'],
    ['rate(5)', 'expected two fields'],
    ['rate(1 days)', 'with the value 1 the unit is singular: rate(1 day)'],
    ['rate(2 minute)', 'with the value 2 the unit is plural: rate(2 minutes)'],
  ];
  for (const [expression, message] of RATE_REFUSALS) {
    it(`refuses ${expression}`, () => assert.ok(refusal(expression).message.includes(message), refusal(expression).message));
  }

  it('reads at(yyyy-mm-ddThh:mm:ss) and refuses dates that do not exist or other shapes', () => {
    assert.deepEqual(parseSchedule('at(2024-02-29T23:59:59)'), { kind: 'at', text: 'at(2024-02-29T23:59:59)', year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59 });
    assert.match(refusal('at(2023-02-29T00:00:00)').message, /is not a real date and time/);
    assert.match(refusal('at(2023-01-01T24:00:00)').message, /is not a real date and time/);
    assert.match(refusal('at(2023-01-01 10:00:00)').message, /expected at\(yyyy-mm-ddThh:mm:ss\)/);
    assert.match(refusal('at(2023-01-01T10:00:00Z)').message, /expected at\(yyyy-mm-ddThh:mm:ss\)/);
  });

  it('refuses what is none of the three, empty or longer than SSM allows', () => {
    assert.match(refusal('every day at noon').message, /expected cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/);
    assert.match(refusal('  ').message, /empty/);
    assert.match(refusal(`cron(0 0 ${'1,'.repeat(130)}1 * ? *)`).message, /the limit is 256/);
  });

  it('knows IANA time zones and refuses names that are not', () => {
    assert.doesNotThrow(() => checkTimeZone('America/Los_Angeles'));
    assert.doesNotThrow(() => checkTimeZone('UTC'));
    assert.throws(() => checkTimeZone('Mars/Olympus_Mons'), /"Mars\/Olympus_Mons" is not a known IANA time zone/);
  });
});
