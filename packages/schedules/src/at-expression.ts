import { ScheduleError } from './schedule-error.js';

/** `at(yyyy-mm-ddThh:mm:ss)`: one run at that wall-clock time in the schedule's time zone (UTC by default). */
export interface AtExpression {
  kind: 'at';
  text: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function parseAt(text: string): AtExpression {
  const match = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text.trim());
  if (!match) throw new ScheduleError(`${text} is not an at expression: expected at(yyyy-mm-ddThh:mm:ss), e.g. at(2020-07-07T15:55:00)`, text);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2021-02-30 over into March; a date that does not survive the round trip does not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleError(`${text}: ${match.slice(1, 4).join('-')}T${match.slice(4).join(':')} is not a real date and time`, text);
  }
  return { kind: 'at', text, year, month, day, hour, minute, second };
}
