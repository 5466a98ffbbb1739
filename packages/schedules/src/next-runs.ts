import type { AtExpression } from './at-expression.js';
import { cronMatchesDay, daysInMonth } from './cron-days.js';
import type { CronExpression } from './cron-model.js';
import type { Schedule } from './parse-schedule.js';
import type { RateExpression } from './rate-expression.js';
import { ScheduleError } from './schedule-error.js';
import { checkTimeZone, resolveWallTime, wallAt } from './zoned-time.js';

const DAY_MS = 86_400_000;

export interface NextRunsOptions {
  /** How many runs to return (at most). Default 1. */
  count?: number;
  /** IANA zone the cron and at wall times are read in. Default UTC. Rate expressions ignore it. */
  timeZone?: string;
  /**
   * ScheduleOffset: days to wait after each cron time (1-6 in SSM; cron only). The offset moves the wall-clock
   * date and keeps the time of day, so "23:30 on the third Tuesday, offset 2" is 23:30 on the Thursday.
   */
  scheduleOffset?: number;
  /**
   * Only cron times after this instant count (default: `after`). SSM: a cron time that has already passed when
   * the schedule was created does not run even if its offset run lies in the future, so a scheduler asking for
   * runs of an existing schedule passes the schedule's creation time here.
   */
  cronTimesAfter?: Date;
  /**
   * Where a rate schedule counts from: runs are anchor + k * period, k >= 1. Default `after` (so the first run
   * is one period after it).
   */
  rateAnchor?: Date;
  /**
   * Told of each cron time skipped because the clock jumps over it (daylight saving starts), with the wall
   * time as `yyyy-mm-ddThh:mm:ss`; for explanations to people.
   */
  onSkippedTime?: (wallTime: string) => void;
}

/**
 * The next runs of a schedule strictly after `after`, in order.
 *
 * Time zones and daylight saving (the rules of AWS EventBridge Scheduler): a cron time the clock skips in
 * spring does not run that day; a cron time the clock shows twice in autumn runs once, at its first
 * occurrence. A one-time at() time that falls into a gap runs when the clock has moved past it. Rate schedules
 * count elapsed time and ignore the zone. Returns fewer than `count` runs when the schedule ends (the year
 * field, or at()).
 */
export function nextRuns(schedule: Schedule, after: Date, options: NextRunsOptions = {}): Date[] {
  const count = options.count ?? 1;
  const timeZone = options.timeZone ?? 'UTC';
  checkTimeZone(timeZone);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, not ${count}`);
  if (options.scheduleOffset && schedule.kind !== 'cron') {
    throw new ScheduleError(`a schedule offset applies only to cron expressions, not to ${schedule.text}`, schedule.text);
  }
  switch (schedule.kind) {
    case 'cron':
      return cronRuns(schedule, after.getTime(), count, timeZone, options.scheduleOffset ?? 0, (options.cronTimesAfter ?? after).getTime(), options.onSkippedTime);
    case 'rate':
      return rateRuns(schedule, after.getTime(), count, (options.rateAnchor ?? after).getTime());
    case 'at':
      return atRuns(schedule, after.getTime(), count, timeZone);
  }
}

function rateRuns(rate: RateExpression, after: number, count: number, anchor: number): Date[] {
  const first = after < anchor ? 1 : Math.floor((after - anchor) / rate.periodMs) + 1;
  return Array.from({ length: count }, (_, i) => new Date(anchor + (first + i) * rate.periodMs));
}

function atRuns(at: AtExpression, after: number, count: number, timeZone: string): Date[] {
  const { instantMs } = resolveWallTime(Date.UTC(at.year, at.month - 1, at.day, at.hour, at.minute, at.second), timeZone);
  return count > 0 && instantMs > after ? [new Date(instantMs)] : [];
}

function cronRuns(
  cron: CronExpression,
  after: number,
  count: number,
  timeZone: string,
  offsetDays: number,
  cronTimesAfter: number,
  onSkippedTime?: (wallTime: string) => void,
): Date[] {
  const runs: Date[] = [];
  if (count === 0) return runs;
  // Start from the calendar day (in the zone) of the earliest cron time that could still give a run after
  // `after`: offset days plus one day of slack for daylight saving earlier.
  const from = Math.max(cronTimesAfter, after - (offsetDays + 1) * DAY_MS);
  const start = new Date(wallAt(from, timeZone));
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  const lastYear = cron.years[cron.years.length - 1]!;

  while (year <= lastYear) {
    if (!cron.years.includes(year)) {
      [year, month, day] = [year + 1, 1, 1];
      continue;
    }
    if (!cron.months.includes(month)) {
      [year, month, day] = month === 12 ? [year + 1, 1, 1] : [year, month + 1, 1];
      continue;
    }
    if (cronMatchesDay(cron, year, month, day)) {
      for (const hour of cron.hours) {
        for (const minute of cron.minutes) {
          const base = resolveWallTime(Date.UTC(year, month - 1, day, hour, minute, cron.second), timeZone);
          if (base.instantMs <= cronTimesAfter) continue;
          const wall = Date.UTC(year, month - 1, day + offsetDays, hour, minute, cron.second);
          const run = offsetDays === 0 ? base : resolveWallTime(wall, timeZone);
          if (run.instantMs <= after) continue;
          if (run.kind === 'gap') {
            onSkippedTime?.(new Date(wall).toISOString().slice(0, 19));
            continue;
          }
          runs.push(new Date(run.instantMs));
          if (runs.length === count) return runs;
        }
      }
    }
    if (day < daysInMonth(year, month)) day += 1;
    else [year, month, day] = month === 12 ? [year + 1, 1, 1] : [year, month + 1, 1];
  }
  return runs;
}
