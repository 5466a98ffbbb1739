import type { CronExpression, DayOfMonthRule, DayOfWeekRule } from './cron-model.js';

/** Days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday, as SSM numbers days. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** Whether a calendar day is one the expression's day-of-month or day-of-week field selects. */
export function cronMatchesDay(cron: CronExpression, year: number, month: number, day: number): boolean {
  if (cron.dayOfMonth) return dayOfMonthMatches(cron.dayOfMonth, year, month, day);
  if (cron.dayOfWeek) return dayOfWeekMatches(cron.dayOfWeek, year, month, day);
  return false;
}

function dayOfMonthMatches(rule: DayOfMonthRule, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case 'days':
      return rule.days.includes(day);
    case 'last':
      return day === last;
    case 'last-weekday':
      return day === nearestWeekday(year, month, last);
    case 'nearest-weekday':
      // A day the month does not have (31W in April) selects nothing, as with a plain 31.
      return rule.day <= last && day === nearestWeekday(year, month, rule.day);
  }
}

/**
 * The weekday (Monday-Friday) nearest `target` without leaving the month: a Saturday moves to the Friday
 * before, a Sunday to the Monday after, except that 1W on a Saturday is Monday the 3rd and a last day on a
 * Sunday is the Friday before (the Quartz rules EventBridge follows).
 */
function nearestWeekday(year: number, month: number, target: number): number {
  const weekday = weekdayOf(year, month, target);
  const last = daysInMonth(year, month);
  if (weekday === 7) return target === 1 ? 3 : target - 1;
  if (weekday === 1) return target === last ? target - 2 : target + 1;
  return target;
}

function dayOfWeekMatches(rule: DayOfWeekRule, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  switch (rule.kind) {
    case 'days':
      return rule.days.includes(weekday);
    case 'last-of-month':
      return weekday === rule.weekday && day + 7 > daysInMonth(year, month);
    case 'nth-of-month':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.nth;
  }
}
