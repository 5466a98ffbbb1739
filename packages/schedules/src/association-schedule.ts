import { minimumInterval } from './minimum-interval.js';
import { nextRuns } from './next-runs.js';
import { parseSchedule, type Schedule } from './parse-schedule.js';
import { ScheduleError } from './schedule-error.js';

/**
 * State Manager's limits on association schedules, from AWS's "Reference: Cron and rate expressions for
 * Systems Manager" (section "Cron and rate expressions for associations"): runs at least 30 minutes apart;
 * rate expressions of 30 minutes or more and less than 31 days; in the seven-field cron form the seconds field
 * can only be 0.
 */
export const ASSOCIATION_MINIMUM_INTERVAL_MINUTES = 30;
export const ASSOCIATION_RATE_LIMIT_DAYS = 31;
/** CreateAssociation's ScheduleOffset shape: 1-6 days. */
export const SCHEDULE_OFFSET_MIN = 1;
export const SCHEDULE_OFFSET_MAX = 6;

/** The schedule-related settings of an association (CreateAssociation / UpdateAssociation fields). */
export interface AssociationScheduleSettings {
  ScheduleExpression?: string;
  ApplyOnlyAtCronInterval?: boolean;
  ScheduleOffset?: number;
}

/**
 * Check an association's schedule settings together, the way CreateAssociation does. Returns the parsed
 * schedule (undefined when there is none: such an association runs when created, changed, or when a node joins
 * its targets). With `now`, a cron expression with no run left, or an at() time already past, is refused too. Throws ScheduleError with a
 * message that says what to change.
 */
export function validateAssociationSchedule(settings: AssociationScheduleSettings, options: { now?: Date } = {}): Schedule | undefined {
  const text = settings.ScheduleExpression;
  const schedule = text === undefined ? undefined : parseSchedule(text);
  if (schedule?.kind === 'cron') {
    // A cron expression with no time left (30 February, a year gone by) would sit there never running.
    if (options.now && nextRuns(schedule, options.now).length === 0) {
      throw new ScheduleError(`${text} has no run after ${options.now.toISOString()}: it never fires`, text!);
    }
    if (schedule.second !== 0) throw new ScheduleError(`${text}: for associations the leading seconds field can only be 0`, text!, { index: 0, name: 'seconds' });
    const interval = minimumInterval(schedule);
    if (interval.minutes !== undefined && interval.minutes < ASSOCIATION_MINIMUM_INTERVAL_MINUTES) {
      throw new ScheduleError(
        `${text} runs ${interval.minutes} minute${interval.minutes === 1 ? '' : 's'} apart (${interval.between!.join(' and ')} UTC); State Manager associations run at most every ${ASSOCIATION_MINIMUM_INTERVAL_MINUTES} minutes`,
        text!,
      );
    }
  }
  if (schedule?.kind === 'at' && options.now && nextRuns(schedule, options.now).length === 0) {
    throw new ScheduleError(`${text} is not after ${options.now.toISOString()}: a one-time association would never run`, text!);
  }
  if (schedule?.kind === 'rate') {
    const minutes = schedule.periodMs / 60_000;
    if (minutes < ASSOCIATION_MINIMUM_INTERVAL_MINUTES || minutes >= ASSOCIATION_RATE_LIMIT_DAYS * 24 * 60) {
      throw new ScheduleError(`${text}: association rate expressions must be ${ASSOCIATION_MINIMUM_INTERVAL_MINUTES} minutes or more and less than ${ASSOCIATION_RATE_LIMIT_DAYS} days`, text!);
    }
  }
  if (settings.ApplyOnlyAtCronInterval && schedule?.kind !== 'cron') {
    throw new ScheduleError(
      schedule ? `ApplyOnlyAtCronInterval applies only to cron expressions, not to ${text}` : 'ApplyOnlyAtCronInterval needs a cron ScheduleExpression',
      text ?? '',
    );
  }
  const offset = settings.ScheduleOffset;
  if (offset !== undefined && offset !== null) {
    if (!Number.isInteger(offset) || offset < SCHEDULE_OFFSET_MIN || offset > SCHEDULE_OFFSET_MAX) {
      throw new ScheduleError(`ScheduleOffset ${offset} is out of range ${SCHEDULE_OFFSET_MIN}-${SCHEDULE_OFFSET_MAX} (days)`, text ?? '');
    }
    if (schedule?.kind !== 'cron') throw new ScheduleError(`ScheduleOffset applies only to cron expressions${text ? `, not to ${text}` : ''}`, text ?? '');
    if (!settings.ApplyOnlyAtCronInterval) throw new ScheduleError('ScheduleOffset needs ApplyOnlyAtCronInterval set to true (the association must not run when created)', text ?? '');
  }
  return schedule;
}

/**
 * Whether an association runs straight away when it is created, when it is updated (a new version), and on a
 * node that comes to match its targets. SSM: yes, unless ApplyOnlyAtCronInterval is true, in which case it
 * waits for the next cron time. Tender's decision where SSM is silent: an at() association runs only at its
 * time (running it at creation too would defeat a one-time schedule).
 */
export function appliesImmediately(settings: AssociationScheduleSettings): boolean {
  if (settings.ApplyOnlyAtCronInterval) return false;
  return !settings.ScheduleExpression?.trim().startsWith('at(');
}

export interface AssociationRun {
  at: Date;
  /** applied: the run on creation or change; scheduled: a run of the schedule. */
  reason: 'applied' | 'scheduled';
}

/**
 * The contract the association scheduler follows: the runs of an association version that took effect at
 * `changedAt` (its creation or its latest update), strictly after `after` (default: just before `changedAt`,
 * so the run on creation is included), at most `count`.
 *
 * - The applied run is at `changedAt` when appliesImmediately(settings).
 * - cron: the cron times after `changedAt`, each moved by ScheduleOffset days (a cron time already past when
 *   the association changed never runs, even when its offset day is still ahead).
 * - rate: `changedAt` + k * period, k >= 1.
 * - at: its time, if after `changedAt`.
 * - no schedule: only the applied run.
 * Associations have no time zone in SSM: cron and at times are UTC. The settings must have passed
 * validateAssociationSchedule (done when the association is created or updated).
 */
export function associationRuns(settings: AssociationScheduleSettings, changedAt: Date, options: { after?: Date; count?: number } = {}): AssociationRun[] {
  const count = options.count ?? 1;
  const after = options.after ?? new Date(changedAt.getTime() - 1);
  // Settings were validated when the association was stored; parsing alone keeps a scheduler tick cheap.
  const schedule = settings.ScheduleExpression === undefined ? undefined : parseSchedule(settings.ScheduleExpression);
  const runs: AssociationRun[] = [];
  if (appliesImmediately(settings) && changedAt > after) runs.push({ at: changedAt, reason: 'applied' });
  if (schedule && runs.length < count) {
    const scheduled = nextRuns(schedule, after > changedAt ? after : changedAt, {
      count: count - runs.length,
      ...(settings.ScheduleOffset ? { scheduleOffset: settings.ScheduleOffset } : {}),
      cronTimesAfter: changedAt,
      rateAnchor: changedAt,
    });
    runs.push(...scheduled.map((at) => ({ at, reason: 'scheduled' as const })));
  }
  return runs.slice(0, count);
}
