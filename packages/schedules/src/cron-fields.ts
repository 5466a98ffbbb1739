/**
 * The six fields of an SSM (EventBridge-style) cron expression, with their ranges, names and the special
 * characters each accepts. Source: AWS Systems Manager User Guide, "Reference: Cron and rate expressions for
 * Systems Manager" (supported values and wildcards tables) and the EventBridge cron reference.
 */
export interface CronFieldSpec {
  /** 1-based position, as error messages count. */
  index: number;
  name: 'minutes' | 'hours' | 'day-of-month' | 'month' | 'day-of-week' | 'year';
  min: number;
  max: number;
  /** Upper-case names accepted for values (JAN = 1, SUN = 1). */
  names?: readonly string[];
  /** Whether a range may wrap past the end (NOV-FEB, FRI-MON, 22-2). Years do not wrap. */
  wraps: boolean;
}

export const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
/** SSM numbers the days of the week 1-7 starting on Sunday. */
export const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

export const MINUTES: CronFieldSpec = { index: 1, name: 'minutes', min: 0, max: 59, wraps: true };
export const HOURS: CronFieldSpec = { index: 2, name: 'hours', min: 0, max: 23, wraps: true };
export const DAY_OF_MONTH: CronFieldSpec = { index: 3, name: 'day-of-month', min: 1, max: 31, wraps: true };
export const MONTH: CronFieldSpec = { index: 4, name: 'month', min: 1, max: 12, names: MONTH_NAMES, wraps: true };
export const DAY_OF_WEEK: CronFieldSpec = { index: 5, name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, wraps: true };
export const YEAR: CronFieldSpec = { index: 6, name: 'year', min: 1970, max: 2199, wraps: false };

export const CRON_FIELDS: readonly CronFieldSpec[] = [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR];
