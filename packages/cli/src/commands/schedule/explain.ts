import { Args, Command, Flags } from '@oclif/core';
import { formatInZone, minimumInterval, nextRuns, parseSchedule, ScheduleError, validateAssociationSchedule, type Schedule } from '@tender/schedules';
import { EXIT } from '../../client/exit-codes.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Works offline: it reads the expression, not the control plane. */
export default class ScheduleExplain extends Command {
  static override summary = 'Check an SSM schedule expression and print its next run times.';
  static override description =
    'Reads cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss) as State Manager and maintenance windows do, and prints the next runs. Times are read in --timezone (an IANA zone, default UTC): a time the clock skips in spring does not run that day, a time it shows twice in autumn runs once. An invalid expression is refused with the field at fault (exit code 2).';
  static override examples = [
    '<%= config.bin %> schedule explain "cron(0 2 ? * SUN *)"',
    '<%= config.bin %> schedule explain "cron(30 23 ? * TUE#3 *)" --schedule-offset 2 --timezone Europe/Paris --count 3',
    '<%= config.bin %> schedule explain "rate(30 minutes)" --association --json',
  ];
  static override args = {
    expression: Args.string({ description: 'the schedule expression, quoted: "cron(...)", "rate(...)" or "at(...)"', required: true }),
  };
  static override flags = {
    count: Flags.integer({ char: 'n', description: 'how many runs to print', default: 5, min: 1, max: 1000 }),
    timezone: Flags.string({ description: 'IANA time zone the expression is read in (maintenance windows\' ScheduleTimezone)', default: 'UTC' }),
    'schedule-offset': Flags.integer({ description: 'days to wait after each cron time (ScheduleOffset, 1-6)', min: 1, max: 6 }),
    after: Flags.string({ description: 'list runs after this instant (ISO 8601; default: now)' }),
    association: Flags.boolean({ description: 'also apply State Manager\'s association rules (30 minutes between runs at least, UTC)', default: false }),
    json: Flags.boolean({ description: 'print machine-readable JSON', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ScheduleExplain);
    const after = flags.after === undefined ? new Date() : new Date(flags.after);
    if (Number.isNaN(after.getTime())) this.error(`--after ${flags.after} is not an ISO 8601 date and time`, { exit: EXIT.usage });
    const offset = flags['schedule-offset'];
    let schedule: Schedule;
    let runs: Date[];
    const skipped: string[] = [];
    try {
      schedule = parseSchedule(args.expression);
      if (flags.association) {
        if (flags.timezone !== 'UTC') throw new ScheduleError('associations have no time zone: their schedules are UTC (leave out --timezone)', args.expression);
        validateAssociationSchedule({ ScheduleExpression: args.expression, ...(offset ? { ScheduleOffset: offset, ApplyOnlyAtCronInterval: true } : {}) }, { now: after });
      }
      runs = nextRuns(schedule, after, { count: flags.count, timeZone: flags.timezone, ...(offset ? { scheduleOffset: offset } : {}), onSkippedTime: (wall) => skipped.push(wall) });
    } catch (error) {
      if (error instanceof ScheduleError) this.error(error.message, { exit: EXIT.usage });
      throw error;
    }

    const interval = minimumInterval(schedule);
    const rows = runs.map((run) => ({ time: run.toISOString(), local: formatInZone(run.getTime(), flags.timezone) }));
    if (flags.json) {
      this.log(JSON.stringify({
        expression: args.expression,
        kind: schedule.kind,
        timeZone: flags.timezone,
        ...(offset ? { scheduleOffset: offset } : {}),
        after: after.toISOString(),
        ...(interval.minutes !== undefined ? { minimumIntervalMinutes: interval.minutes } : {}),
        runs: rows,
        ...(skipped.length > 0 ? { skippedByDaylightSaving: skipped } : {}),
      }, null, 2));
      return;
    }
    const heading = [`${args.expression}`, flags.timezone === 'UTC' ? 'UTC' : flags.timezone, offset ? `offset ${offset} day${offset === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    this.log(heading);
    if (rows.length === 0) {
      this.log(`no runs after ${after.toISOString()}: the schedule has ended or never fires`);
      return;
    }
    this.log(`next ${rows.length} run${rows.length === 1 ? '' : 's'} after ${after.toISOString()}:`);
    rows.forEach((row, i) => {
      const weekday = WEEKDAYS[new Date(row.local.slice(0, 10)).getUTCDay()];
      const utc = flags.timezone === 'UTC' ? '' : `  (${row.time.replace('.000Z', 'Z')})`;
      this.log(`${String(i + 1).padStart(4)}  ${weekday} ${row.local}${utc}`);
    });
    for (const wall of skipped) this.log(`skipped: ${wall} does not exist in ${flags.timezone} (the clock jumps over it)`);
    if (runs.length < flags.count) this.log(`(the schedule has no more runs)`);
  }
}
