/**
 * How long the control plane keeps each history. SSM keeps Run Command history and maintenance-window
 * executions for 30 days; inventory history in SSM lives in AWS Config, whose shortest retention period is 30
 * days, so 30 is the default there too: it answers "what changed on this host last month" while keeping the
 * per-host diffs (which can be large for a fleet's application lists) from growing without bound. Each is a
 * setting (`retentionCommandDays`, ... in the config file, TENDER_RETENTION_COMMAND_DAYS, ... in the
 * environment) for operators who need longer.
 */
export const DEFAULT_RETENTION_DAYS = 30;
/** A century: any longer and a cutoff date stops being a date worth computing. */
export const MAX_RETENTION_DAYS = 36_500;

export interface RetentionDays {
  inventoryHistory: number;
  maintenanceWindowExecutions: number;
  commands: number;
}

/**
 * Why `value` is not a retention period, naming `setting`; undefined when it is one. Zero or a negative number
 * would mean "keep nothing" (or, read the other way, "keep forever"): both are refused rather than guessed at.
 */
export function retentionDaysProblem(setting: string, value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_RETENTION_DAYS) return undefined;
  return `${setting} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS} (how long history is kept), got ${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))}`;
}

/** The cutoff for a retention of `days` at `now`: what ended before it goes. */
export function cutoffFor(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
