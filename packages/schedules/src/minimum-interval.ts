import { cronMatchesDay } from './cron-days.js';
import type { CronExpression } from './cron-model.js';
import type { Schedule } from './parse-schedule.js';

const MINUTES_PER_DAY = 24 * 60;
/** The calendar (leap years and weekdays together) repeats every 28 years between 1901 and 2099. */
const CALENDAR_CYCLE_YEARS = 28;

export interface ScheduleInterval {
  /**
   * The shortest time between two consecutive runs, in minutes; undefined for a schedule that runs once. For
   * a cron expression that runs once a day or less often this is 1440 (a day): the limits SSM sets are far
   * below that, so the exact number of days is not worked out.
   */
  minutes?: number;
  /** For cron: two consecutive run times (HH:MM, UTC wall clock) that are that close, for messages. */
  between?: [string, string];
}

/**
 * The shortest gap between consecutive runs of a schedule, worked out from the expression itself (not from a
 * sample of run times), so validating does not depend on today's date. For cron, the gap between the last run
 * of one day and the first of the next counts only if the day fields can select two consecutive days.
 * Daylight saving is ignored: SSM's limits on intervals concern the expression.
 */
export function minimumInterval(schedule: Schedule): ScheduleInterval {
  if (schedule.kind === 'at') return {};
  if (schedule.kind === 'rate') return { minutes: schedule.periodMs / 60_000 };
  return cronMinimumInterval(schedule);
}

function cronMinimumInterval(cron: CronExpression): ScheduleInterval {
  const times = cron.hours.flatMap((hour) => cron.minutes.map((minute) => hour * 60 + minute));
  let best: ScheduleInterval = {};
  const consider = (minutes: number, from: number, to: number) => {
    if (best.minutes === undefined || minutes < best.minutes) best = { minutes, between: [clock(from), clock(to)] };
  };
  for (let i = 1; i < times.length; i++) consider(times[i]! - times[i - 1]!, times[i - 1]!, times[i]!);
  if (times.length === 1) return { minutes: MINUTES_PER_DAY, between: [clock(times[0]!), clock(times[0]!)] };
  // Across midnight: only if it would be the closest pair, since scanning the calendar costs more.
  const acrossMidnight = times[0]! + MINUTES_PER_DAY - times[times.length - 1]!;
  if (acrossMidnight < best.minutes! && selectsConsecutiveDays(cron)) consider(acrossMidnight, times[times.length - 1]!, times[0]!);
  return best;
}

function selectsConsecutiveDays(cron: CronExpression): boolean {
  const firstYear = cron.years[0]!;
  let previousSelected = false;
  const day = new Date(Date.UTC(firstYear, 0, 1));
  const end = Date.UTC(firstYear + CALENDAR_CYCLE_YEARS + 1, 0, 1);
  for (; day.getTime() < end; day.setUTCDate(day.getUTCDate() + 1)) {
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const selected = cron.years.includes(y) && cron.months.includes(m) && cronMatchesDay(cron, y, m, d);
    if (selected && previousSelected) return true;
    previousSelected = selected;
  }
  return false;
}

function clock(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}
