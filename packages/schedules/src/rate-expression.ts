import { ScheduleError } from './schedule-error.js';

export type RateUnit = 'minutes' | 'hours' | 'days';

/** `rate(N unit)`: every N minutes, hours or days of elapsed time (a day is 24 hours, whatever the clock does). */
export interface RateExpression {
  kind: 'rate';
  text: string;
  value: number;
  unit: RateUnit;
  /** The period in milliseconds. */
  periodMs: number;
}

const UNIT_MS: Record<RateUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/**
 * Parse `rate(value unit)`. SSM: the value is a positive number; the unit is singular for 1 (`rate(1 hour)`) and
 * plural otherwise (`rate(5 hours)`); `rate(1 hours)` and `rate(5 hour)` are refused.
 */
export function parseRate(text: string): RateExpression {
  const match = /^rate\((.*)\)$/s.exec(text.trim());
  if (!match) throw new ScheduleError(`${text} is not a rate expression: expected rate(value unit), e.g. rate(30 minutes)`, text);
  const parts = match[1]!.trim().split(/\s+/);
  if (parts.length !== 2) throw new ScheduleError(`${text}: expected two fields, a value and a unit (minute(s), hour(s) or day(s))`, text);
  const [count, unitText] = parts as [string, string];
  if (!/^\d+$/.test(count) || Number(count) < 1) throw new ScheduleError(`${text}: the value "${count}" must be a positive whole number`, text);
  const value = Number(count);
  const singular = /^(minute|hour|day)$/.exec(unitText);
  const plural = /^(minute|hour|day)s$/.exec(unitText);
  if (!singular && !plural) throw new ScheduleError(`${text}: the unit "${unitText}" must be minute(s), hour(s) or day(s)`, text);
  if (value === 1 && plural) throw new ScheduleError(`${text}: with the value 1 the unit is singular: rate(1 ${plural[1]})`, text);
  if (value !== 1 && singular) throw new ScheduleError(`${text}: with the value ${value} the unit is plural: rate(${value} ${singular[1]}s)`, text);
  const unit = `${(singular ?? plural)![1]}s` as RateUnit;
  return { kind: 'rate', text, value, unit, periodMs: value * UNIT_MS[unit] };
}
