import type { ActionResult } from '@tender/plugin-api';
import { abortReasonOf } from '@tender/plugin-api';

/** No process runs in these actions: every result that is not Success has this exit code, as in action-script. */
export const NO_EXIT_CODE = -1;

export const failed = (message: string): ActionResult => ({ status: 'Failed', exitCode: NO_EXIT_CODE, message });

/** The step's signal was aborted: TimedOut for the runner's timeout, Cancelled otherwise; `what` says what became of the work. */
export function aborted(signal: AbortSignal, what: string): ActionResult {
  return abortReasonOf(signal) === 'timeout'
    ? { status: 'TimedOut', exitCode: NO_EXIT_CODE, message: `the step timed out; ${what}` }
    : { status: 'Cancelled', exitCode: NO_EXIT_CODE, message: `the step was cancelled; ${what}` };
}

/** Settles with `work`, or rejects with the abort as soon as `signal` is aborted (the work itself cannot be stopped). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
