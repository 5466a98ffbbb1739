/** A parsed cron(...) expression. Value lists are sorted and free of duplicates. */
export interface CronExpression {
  kind: 'cron';
  /** The expression as given. */
  text: string;
  /** The optional leading seconds field (seven-field form); 0 in the usual six-field form. */
  second: number;
  minutes: readonly number[];
  hours: readonly number[];
  /** Undefined when the field is `?`. Exactly one of dayOfMonth and dayOfWeek is defined. */
  dayOfMonth?: DayOfMonthRule;
  months: readonly number[];
  dayOfWeek?: DayOfWeekRule;
  years: readonly number[];
}

export type DayOfMonthRule =
  | { kind: 'days'; days: readonly number[] }
  /** `L`: the last day of the month. */
  | { kind: 'last' }
  /** `LW`: the last weekday (Monday to Friday) of the month. */
  | { kind: 'last-weekday' }
  /** `15W`: the weekday nearest the 15th, without leaving the month. */
  | { kind: 'nearest-weekday'; day: number };

export type DayOfWeekRule =
  /** 1 = Sunday ... 7 = Saturday. `L` alone means 7, the last day of the week. */
  | { kind: 'days'; days: readonly number[] }
  /** `6L`: the last Friday of the month. */
  | { kind: 'last-of-month'; weekday: number }
  /** `THU#3`: the third Thursday of the month. */
  | { kind: 'nth-of-month'; weekday: number; nth: number };
