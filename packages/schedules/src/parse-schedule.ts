import { parseAt, type AtExpression } from './at-expression.js';
import type { CronExpression } from './cron-model.js';
import { parseCron } from './parse-cron.js';
import { parseRate, type RateExpression } from './rate-expression.js';
import { ScheduleError } from './schedule-error.js';

export type Schedule = CronExpression | RateExpression | AtExpression;

/** SSM's ScheduleExpression shape: 1-256 characters. */
export const MAX_SCHEDULE_EXPRESSION_LENGTH = 256;

/** Parse any SSM schedule expression: cron(...), rate(...) or at(...). */
export function parseSchedule(text: string): Schedule {
  if (typeof text !== 'string' || text.trim() === '') throw new ScheduleError('the schedule expression is empty', String(text));
  if (text.length > MAX_SCHEDULE_EXPRESSION_LENGTH) throw new ScheduleError(`the schedule expression is ${text.length} characters long; the limit is ${MAX_SCHEDULE_EXPRESSION_LENGTH}`, text);
  const trimmed = text.trim();
  if (trimmed.startsWith('cron(')) return parseCron(text);
  if (trimmed.startsWith('rate(')) return parseRate(text);
  if (trimmed.startsWith('at(')) return parseAt(text);
  throw new ScheduleError(`${text} is not a schedule expression: expected cron(...), rate(...) or at(...)`, text);
}
