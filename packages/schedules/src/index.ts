/**
 * @tender/schedules: SSM schedule expressions. cron(...) (six fields, or seven with seconds), rate(...), at(...),
 * ScheduleOffset, IANA time zones with daylight saving, the next run times, and State Manager's association
 * rules. Pure: no clocks are read; callers pass instants in.
 */
export { ScheduleError } from './schedule-error.js';
export type { CronFieldPosition } from './schedule-error.js';
export { parseSchedule, MAX_SCHEDULE_EXPRESSION_LENGTH } from './parse-schedule.js';
export type { Schedule } from './parse-schedule.js';
export { parseCron } from './parse-cron.js';
export type { CronExpression, DayOfMonthRule, DayOfWeekRule } from './cron-model.js';
export { CRON_FIELDS, DAY_NAMES, MONTH_NAMES } from './cron-fields.js';
export type { CronFieldSpec } from './cron-fields.js';
export { parseRate } from './rate-expression.js';
export type { RateExpression, RateUnit } from './rate-expression.js';
export { parseAt } from './at-expression.js';
export type { AtExpression } from './at-expression.js';
export { nextRuns } from './next-runs.js';
export type { NextRunsOptions } from './next-runs.js';
export { minimumInterval } from './minimum-interval.js';
export type { ScheduleInterval } from './minimum-interval.js';
export { checkTimeZone, formatInZone, offsetAt, resolveWallTime, wallAt } from './zoned-time.js';
export type { ResolvedWallTime } from './zoned-time.js';
export {
  ASSOCIATION_MINIMUM_INTERVAL_MINUTES,
  ASSOCIATION_RATE_LIMIT_DAYS,
  SCHEDULE_OFFSET_MAX,
  SCHEDULE_OFFSET_MIN,
  appliesImmediately,
  associationRuns,
  validateAssociationSchedule,
} from './association-schedule.js';
export type { AssociationRun, AssociationScheduleSettings } from './association-schedule.js';
