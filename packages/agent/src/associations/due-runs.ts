/**
 * When an association runs next, from what the agent holds: the association (its version, schedule and
 * changedAt) and where its schedule stands (ScheduleProgress). Pure: the caller passes `now`.
 *
 * The rules (State Manager's where it has them, @tender/schedules' associationRuns() for the times):
 *   - a version the agent has not run yet is applied at once (trigger 'apply', scheduledAt = its changedAt),
 *     unless ApplyOnlyAtCronInterval (or an at() schedule) says to wait for the schedule;
 *   - then it runs at each slot of its schedule (trigger 'schedule', scheduledAt = the slot);
 *   - slots missed while the agent was stopped (or busy running this association) are not run one by one: the
 *     latest missed slot runs once, at once, and stands for the others (SSM Agent runs a missed association once
 *     at the next start, not once per missed slot). A run covers every slot up to the instant it started.
 */
import type { AssociationBody } from '@tender/protocol';
import { associationRuns, type AssociationScheduleSettings } from '@tender/schedules';
import type { ScheduleProgress } from './association-store.js';

export type DueRun =
  | { kind: 'now'; trigger: 'apply' | 'schedule'; scheduledAt: Date; /** The slots this run stands for: 1, or more when slots were missed. */ folded: number }
  | { kind: 'later'; at: Date }
  | { kind: 'never' };

/** How many slots one associationRuns() call returns while catching up (a month of rate(30 minutes) is 1,440). */
const CATCH_UP_BATCH = 512;

export function scheduleSettings(association: AssociationBody): AssociationScheduleSettings {
  return {
    ...(association.scheduleExpression !== undefined ? { ScheduleExpression: association.scheduleExpression } : {}),
    ApplyOnlyAtCronInterval: association.applyOnlyAtCronInterval,
    ...(association.scheduleOffset !== undefined ? { ScheduleOffset: association.scheduleOffset } : {}),
  };
}

/** Whether the agent has started a run of this association version yet (apply or schedule). */
export function isNewVersion(association: AssociationBody, progress: ScheduleProgress | undefined): boolean {
  return progress?.version !== association.associationVersion;
}

export function dueRun(association: AssociationBody, progress: ScheduleProgress | undefined, now: number): DueRun {
  const settings = scheduleSettings(association);
  const changedAt = new Date(association.changedAt);
  // For a new version: everything from its changedAt on (the applied run included); otherwise after the last run.
  const after = isNewVersion(association, progress) ? new Date(changedAt.getTime() - 1) : new Date(progress!.coveredUntil);
  const [first] = associationRuns(settings, changedAt, { after, count: 1 });
  if (!first) return { kind: 'never' };
  // The applied run is due on receipt, even when the control plane's clock is ahead of this host's.
  if (first.reason === 'applied') return { kind: 'now', trigger: 'apply', scheduledAt: first.at, folded: 1 };
  if (first.at.getTime() > now) return { kind: 'later', at: first.at };
  let latest = first.at;
  let folded = 1;
  for (;;) {
    const batch = associationRuns(settings, changedAt, { after: latest, count: CATCH_UP_BATCH });
    const past = batch.filter((run) => run.at.getTime() <= now);
    if (past.length === 0) break;
    folded += past.length;
    latest = past[past.length - 1]!.at;
    if (past.length < batch.length || batch.length < CATCH_UP_BATCH) break;
  }
  return { kind: 'now', trigger: 'schedule', scheduledAt: latest, folded };
}

/** The next instant the association will run, for status: now when due, undefined when it never runs again. */
export function nextRunAt(association: AssociationBody, progress: ScheduleProgress | undefined, now: number): Date | undefined {
  const due = dueRun(association, progress, now);
  if (due.kind === 'never') return undefined;
  return due.kind === 'later' ? due.at : new Date(now);
}
