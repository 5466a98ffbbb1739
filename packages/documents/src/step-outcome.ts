/**
 * What a step's exit code and the document's control-flow inputs mean for the rest of the run, as SSM Agent
 * decides it (contracts.ExitWithSuccess/ExitWithFailure, runpluginutil.RunPlugins):
 *
 *   168   the step succeeded; the remaining steps are skipped ("exit and succeed")
 *   169   the step failed; the remaining steps are skipped ("exit and fail")
 *   194   (Linux, macOS) / 3010 (Windows): reboot the host, then run this step again
 *
 * together with the shared inputs (shared-inputs.ts): a failed step with onFailure exit stops the document, with
 * onFailure successAndExit it is reported successful with exit code 168 and stops it, a successful step with
 * onSuccess exit stops it. Skipped steps are reported Skipped with SSM's sentence; a last step with
 * finallyStep runs anyway.
 */
import type { Step } from './document-model.js';

export const EXIT_CODE_SUCCEED_AND_STOP = 168;
export const EXIT_CODE_FAIL_AND_STOP = 169;
export const EXIT_CODE_REBOOT_UNIX = 194;
export const EXIT_CODE_REBOOT_WINDOWS = 3010;

export interface StepResult {
  succeeded: boolean;
  exitCode: number;
}

export interface AfterStep {
  /** The status to report for the step; may differ from the plugin's (168 is success whatever it said). */
  succeeded: boolean;
  exitCode: number;
  /** Skip every later step except a last step with finallyStep. */
  stopDocument: boolean;
  /** SSM Agent's sentence, appended to the step's output (and to its error output on failure). */
  note?: string;
}

export function decideAfterStep(step: Step, result: StepResult): AfterStep {
  if (result.exitCode === EXIT_CODE_SUCCEED_AND_STOP) {
    return {
      succeeded: true,
      exitCode: result.exitCode,
      stopDocument: true,
      note: 'Step exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped.',
    };
  }
  if (result.exitCode === EXIT_CODE_FAIL_AND_STOP) {
    return {
      succeeded: false,
      exitCode: result.exitCode,
      stopDocument: true,
      note: 'Step exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped.',
    };
  }
  if (!result.succeeded && step.onFailure) {
    const note = 'Step was found to have onFailure property. Further document steps will be skipped.';
    if (step.onFailure === 'successAndExit') return { succeeded: true, exitCode: EXIT_CODE_SUCCEED_AND_STOP, stopDocument: true, note };
    return { succeeded: false, exitCode: result.exitCode, stopDocument: true, note };
  }
  return { succeeded: result.succeeded, exitCode: result.exitCode, stopDocument: result.succeeded && step.onSuccess === 'exit' };
}

/** Whether the step at `index` runs after an earlier step stopped the document. */
export function runsAfterStop(steps: readonly Step[], index: number): boolean {
  return index === steps.length - 1 && steps[index]?.finallyStep === true;
}

/** SSM Agent's output for a step skipped because an earlier one stopped the document. */
export function skippedAfterStopReason(step: Step): string {
  return `Plugin with name ${step.action} and id ${step.name} skipped due to prior step with an exit condition`;
}
