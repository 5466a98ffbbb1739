/**
 * When a maintenance window runs: its Schedule (cron, rate or at) read in its ScheduleTimezone, moved by its
 * ScheduleOffset, between its StartDate and EndDate. The expressions are @tender/schedules' (one parser, one
 * rule for daylight saving: a time the clock skips does not run that day, a time it shows twice runs once).
 */
import { checkTimeZone, formatInZone, minimumInterval, nextRuns, parseSchedule, ScheduleError, type Schedule } from '@tender/schedules';
import { invalidInput } from './window-errors.js';
import type { WindowRecord } from './window-records.js';

/** The schedule-related settings of a window. */
export type WindowScheduleSettings = Pick<WindowRecord, 'Schedule' | 'ScheduleTimezone' | 'ScheduleOffset' | 'StartDate' | 'EndDate'> & {
  /** Since when this schedule holds: rate schedules count from it, cron times before it do not run. */
  scheduleSince: string;
};

/**
 * Check a window's schedule settings together. SSM's rules: cron, rate or at expressions; cron in the six-field
 * form (no seconds); ScheduleOffset (1-6 days) only with cron; an IANA time zone; EndDate after StartDate and in
 * the future. Tender adds: a schedule with no run left between now and EndDate is refused (it would never fire).
 */
export function validateWindowSchedule(settings: WindowScheduleSettings, now: Date): Schedule {
  let schedule: Schedule;
  try {
    schedule = parseSchedule(settings.Schedule);
    if (settings.ScheduleTimezone !== undefined) checkTimeZone(settings.ScheduleTimezone);
  } catch (error) {
    if (error instanceof ScheduleError) throw invalidInput(`Schedule: ${error.message}`);
    throw error;
  }
  if (schedule.kind === 'cron' && schedule.second !== 0) {
    throw invalidInput(`Schedule ${settings.Schedule}: maintenance window cron expressions have six fields (minutes to year), without seconds`);
  }
  if (schedule.kind === 'rate' && (minimumInterval(schedule).minutes ?? 0) < 1) {
    throw invalidInput(`Schedule ${settings.Schedule}: runs less than a minute apart`);
  }
  if (settings.ScheduleOffset !== undefined && schedule.kind !== 'cron') {
    throw invalidInput(`ScheduleOffset applies only to cron schedules, not to ${settings.Schedule}`);
  }
  const start = dateOf(settings.StartDate, 'StartDate');
  const end = dateOf(settings.EndDate, 'EndDate');
  if (start !== undefined && end !== undefined && end <= start) throw invalidInput(`EndDate ${settings.EndDate} must be later than StartDate ${settings.StartDate}`);
  if (end !== undefined && end <= now.getTime()) throw invalidInput(`EndDate ${settings.EndDate} is not in the future: the window would never run`);
  if (windowRuns(settings, now, 1).length === 0) {
    const until = end !== undefined ? ` before its EndDate ${settings.EndDate}` : '';
    throw invalidInput(`Schedule ${settings.Schedule} has no run after ${now.toISOString()}${until}: the window would never run`);
  }
  return schedule;
}

/** SSM's StartDate / EndDate: ISO 8601 extended format. */
export function dateOf(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw invalidInput(`${field} ${JSON.stringify(text)} is not an ISO 8601 date and time, e.g. 2027-04-07T14:29:00-08:00`);
  return ms;
}

/** The window's next `count` run times strictly after `after` (fewer when the schedule or EndDate ends them). */
export function windowRuns(settings: WindowScheduleSettings, after: Date, count: number): Date[] {
  const schedule = parseSchedule(settings.Schedule);
  const start = dateOf(settings.StartDate, 'StartDate');
  const end = dateOf(settings.EndDate, 'EndDate');
  const since = start ?? Date.parse(settings.scheduleSince);
  const from = new Date(Math.max(after.getTime(), (start ?? Number.NEGATIVE_INFINITY) - 1));
  const runs = nextRuns(schedule, from, {
    count,
    timeZone: settings.ScheduleTimezone ?? 'UTC',
    ...(settings.ScheduleOffset ? { scheduleOffset: settings.ScheduleOffset } : {}),
    cronTimesAfter: new Date(Math.min(from.getTime(), since - 1)),
    rateAnchor: new Date(since),
  });
  return end === undefined ? runs : runs.filter((run) => run.getTime() <= end);
}

/** A run time as SSM's string date-times show it: ISO 8601 in the window's time zone, with its offset. */
export function formatRunTime(run: Date, timeZone: string | undefined): string {
  return formatInZone(run.getTime(), timeZone ?? 'UTC');
}
