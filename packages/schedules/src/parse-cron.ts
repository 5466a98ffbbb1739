import { DAY_OF_MONTH, DAY_OF_WEEK, HOURS, MINUTES, MONTH, YEAR, type CronFieldSpec } from './cron-fields.js';
import type { CronExpression, DayOfMonthRule, DayOfWeekRule } from './cron-model.js';
import { ScheduleError } from './schedule-error.js';

const NUMBER = /^\d+$/;

/**
 * Parse `cron(minutes hours day-of-month month day-of-week year)` the way SSM documents it: six fields, or seven
 * with a leading seconds field; `, - * /` everywhere, `?` `L` `W` in day-of-month, `?` `L` `#` in day-of-week,
 * names of months and days; one of day-of-month and day-of-week must be `?`. Throws ScheduleError naming the
 * field at fault.
 */
export function parseCron(text: string): CronExpression {
  const match = /^cron\((.*)\)$/s.exec(text.trim());
  if (!match) throw new ScheduleError(`${text} is not a cron expression: expected cron(minutes hours day-of-month month day-of-week year)`, text);
  const body = match[1]!.trim();
  const fields = body === '' ? [] : body.split(/\s+/);
  if (fields.length !== 6 && fields.length !== 7) {
    throw new ScheduleError(`${text} has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected 6 (minutes hours day-of-month month day-of-week year)`, text);
  }
  let second = 0;
  if (fields.length === 7) {
    const seconds = fields.shift()!;
    // The seven-field form's seconds field takes one plain value (AWS: "Seconds field (the first ...) is optional").
    if (!NUMBER.test(seconds) || Number(seconds) > 59) {
      throw new ScheduleError(`${text}: the leading seconds field "${seconds}" must be a single number 0-59`, text, { index: 0, name: 'seconds' });
    }
    second = Number(seconds);
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  const fail = (spec: CronFieldSpec, problem: string): never => {
    throw new ScheduleError(`${text}: field ${spec.index} (${spec.name}) ${problem}`, text, { index: spec.index, name: spec.name });
  };

  const dom = dayOfMonth === '?' ? undefined : parseDayOfMonth(dayOfMonth.toUpperCase(), (p) => fail(DAY_OF_MONTH, p));
  const dow = dayOfWeek === '?' ? undefined : parseDayOfWeek(dayOfWeek.toUpperCase(), (p) => fail(DAY_OF_WEEK, p));
  if (dom === undefined && dow === undefined) {
    throw new ScheduleError(`${text}: day-of-month (field 3) and day-of-week (field 5) are both "?"; one of them must name days`, text, { index: 3, name: DAY_OF_MONTH.name });
  }
  if (dom !== undefined && dow !== undefined) {
    throw new ScheduleError(`${text}: day-of-month (field 3) "${dayOfMonth}" and day-of-week (field 5) "${dayOfWeek}" are both set; one of them must be "?"`, text, { index: 5, name: DAY_OF_WEEK.name });
  }
  return {
    kind: 'cron',
    text,
    second,
    minutes: parseValues(minutes, MINUTES, (p) => fail(MINUTES, p)),
    hours: parseValues(hours, HOURS, (p) => fail(HOURS, p)),
    ...(dom ? { dayOfMonth: dom } : {}),
    months: parseValues(month.toUpperCase(), MONTH, (p) => fail(MONTH, p)),
    ...(dow ? { dayOfWeek: dow } : {}),
    years: parseValues(year, YEAR, (p) => fail(YEAR, p)),
  };
}

type Fail = (problem: string) => never;

function parseDayOfMonth(field: string, fail: Fail): DayOfMonthRule {
  if (field === 'L') return { kind: 'last' };
  if (field === 'LW') return { kind: 'last-weekday' };
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) return { kind: 'nearest-weekday', day: value(weekday[1]!, DAY_OF_MONTH, fail) };
  if (/[LW]/.test(field)) fail(`"${field}": the day-of-month specials are L, LW and nW (e.g. 15W), each alone in the field (no lists, ranges or offsets)`);
  return { kind: 'days', days: parseValues(field, DAY_OF_MONTH, fail) };
}

function parseDayOfWeek(field: string, fail: Fail): DayOfWeekRule {
  if (field === 'L') return { kind: 'days', days: [7] };
  const last = /^([A-Z]{3}|\d+)L$/.exec(field);
  if (last) return { kind: 'last-of-month', weekday: value(last[1]!, DAY_OF_WEEK, fail) };
  const nth = /^([A-Z]{3}|\d+)#(\d+)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(`"${field}": the occurrence after # must be 1-5`);
    return { kind: 'nth-of-month', weekday: value(nth[1]!, DAY_OF_WEEK, fail), nth: n };
  }
  if (/[L#]/.test(field)) fail(`"${field}": nL (e.g. 6L) and n#k (e.g. THU#3) stand alone; they cannot be combined with lists or ranges`);
  return { kind: 'days', days: parseValues(field, DAY_OF_WEEK, fail) };
}

/**
 * Expanded fields, shared between expressions: a fleet's associations repeat the same few fields (`*` in the
 * year field alone is 230 values), so sharing one frozen list saves memory and parsing time.
 */
const expandedFields = new Map<string, readonly number[]>();
const MAX_CACHED_FIELDS = 4096;

/** One field's `, - * /` grammar, expanded to the sorted list of values it selects. */
function parseValues(field: string, spec: CronFieldSpec, fail: Fail): readonly number[] {
  const key = `${spec.index} ${field}`;
  const cached = expandedFields.get(key);
  if (cached) return cached;
  const values = Object.freeze(expandValues(field, spec, fail));
  if (expandedFields.size >= MAX_CACHED_FIELDS) expandedFields.clear();
  expandedFields.set(key, values);
  return values;
}

function expandValues(field: string, spec: CronFieldSpec, fail: Fail): number[] {
  if (field === '?') fail(`"?" is only allowed in day-of-month and day-of-week`);
  const span = spec.max - spec.min + 1;
  // One flag per value of the field: the values come out sorted and without duplicates, with no sort.
  const selected = new Uint8Array(span);
  for (const element of field.split(',')) {
    if (element === '') fail(`"${field}" has an empty list element`);
    const [rangePart, stepPart, extra] = element.split('/');
    if (extra !== undefined) fail(`"${element}" has more than one "/"`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!NUMBER.test(stepPart)) fail(`"${element}": the increment after "/" must be a number`);
      step = Number(stepPart);
      if (step < 1 || step > span) fail(`"${element}": the increment ${stepPart} is out of range 1-${span}`);
    }
    let from: number;
    let to: number;
    if (rangePart === '*') {
      from = spec.min;
      to = spec.max;
    } else {
      const bounds = rangePart!.split('-');
      if (bounds.length > 2) fail(`"${element}" is not a value, a range (a-b) or an increment (a/n)`);
      from = value(bounds[0]!, spec, fail);
      // `a/n` runs from a to the end of the field; `a-b/n` and `a-b` stop at b.
      to = bounds.length === 2 ? value(bounds[1]!, spec, fail) : stepPart !== undefined ? spec.max : from;
      if (to < from && !spec.wraps) fail(`"${element}": the range runs backwards`);
    }
    const length = to >= from ? to - from + 1 : to - from + 1 + span;
    for (let i = 0; i < length; i += step) selected[(from - spec.min + i) % span] = 1;
  }
  const values: number[] = [];
  for (let i = 0; i < span; i++) if (selected[i]) values.push(i + spec.min);
  return values;
}

function value(token: string, spec: CronFieldSpec, fail: Fail): number {
  if (token === '') fail(`has an empty value`);
  if (NUMBER.test(token)) {
    const number = Number(token);
    if (number < spec.min || number > spec.max) fail(`"${token}" is out of range ${spec.min}-${spec.max}`);
    return number;
  }
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  const expected = spec.names ? `${spec.min}-${spec.max} or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : `${spec.min}-${spec.max}`;
  return fail(`"${token}" is not a valid value (expected ${expected})`);
}

