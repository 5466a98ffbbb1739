import type { ActionResult } from '@tender/plugin-api';
import { NO_EXIT_CODE, stoppedExitCode } from './exit-codes.js';
import type { ProcessOutcome } from './script-process.js';

/**
 * Turns how the process ended into the step's result, with SSM's statuses and exit codes. One deliberate
 * difference: SSM decides Cancelled/TimedOut from the exit code 137 alone, so a script that merely exits 137
 * (a child killed by the OOM killer, say) is reported as timed out. Here only an actual abort gives those
 * statuses; an exit code is always the script's own.
 */
export function resultFromOutcome(action: string, outcome: ProcessOutcome, platform: NodeJS.Platform): ActionResult {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code === 0
        ? { status: 'Success', exitCode: 0 }
        : { status: 'Failed', exitCode: outcome.code, message: `failed to run commands: exit status ${outcome.code}` };
    case 'signalled':
      return { status: 'Failed', exitCode: NO_EXIT_CODE, message: `failed to run commands: the script was killed by ${outcome.signal}` };
    case 'aborted': {
      const exitCode = outcome.started ? stoppedExitCode(platform) : NO_EXIT_CODE;
      return outcome.reason === 'timeout'
        ? { status: 'TimedOut', exitCode, message: outcome.started ? 'the step timed out; the script was stopped' : 'the step timed out before the script started' }
        : { status: 'Cancelled', exitCode, message: outcome.started ? 'the step was cancelled; the script was stopped' : 'the step was cancelled before the script started' };
    }
    case 'spawn-failed':
      return { status: 'Failed', exitCode: NO_EXIT_CODE, message: `${action}: could not start the script: ${outcome.error.message}` };
    case 'sink-failed':
      return { status: 'Failed', exitCode: NO_EXIT_CODE, message: `${action}: the script's output could not be kept, so it was stopped: ${outcome.error.message}` };
  }
}
