/** Which of a cron expression's fields a problem is in (1-based, as the user counts them). */
export interface CronFieldPosition {
  index: number;
  name: string;
}

/**
 * A schedule expression (or a schedule setting such as ScheduleOffset) that cannot be used. The message is
 * complete on its own and names the bad field where there is one; the server maps it to SSM's InvalidSchedule.
 */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    message: string,
    /** The expression as given. */
    readonly expression: string,
    /** The cron field at fault, when the problem is inside one field. */
    readonly field?: CronFieldPosition,
  ) {
    super(message);
  }
}
