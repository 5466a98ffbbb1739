/**
 * Building and ending StepResults for steps that do not run to completion under an action: not started yet,
 * skipped, failed before anything ran, or never reached because the run stopped. A step that ran gets its
 * result in document-runner.ts from what its action returned.
 */
import path from 'node:path';
import type { OutputSummary, StepResult, StepStatus } from './command.js';
import { NO_RESPONSE_CODE, statusDetailsOf } from './invocation-status.js';
import { STDERR_PREVIEW_CHARACTERS, STDOUT_PREVIEW_CHARACTERS, withNotes } from './output-preview.js';

function emptyOutput(file: string): OutputSummary {
  return { preview: '', bytes: 0, file, truncated: false };
}

/** A step not started yet; its files will be `<stepDir>/stdout` and `<stepDir>/stderr`. */
export function pendingStep(name: string, action: string, stepDir: string): StepResult {
  return {
    name,
    action,
    status: 'Pending',
    statusDetails: 'Pending',
    responseCode: NO_RESPONSE_CODE,
    runs: 0,
    stdout: emptyOutput(path.join(stepDir, 'stdout')),
    stderr: emptyOutput(path.join(stepDir, 'stderr')),
  };
}

/** Skipped (precondition not met, or an earlier step stopped the document): code 0, the reason as its output. */
export function skipStep(step: StepResult, reason: string, at: string): void {
  Object.assign(step, { status: 'Skipped', statusDetails: 'Skipped', responseCode: 0, message: reason, endedAt: at });
  step.stdout = { ...step.stdout, preview: withNotes(step.stdout.preview, [reason], STDOUT_PREVIEW_CHARACTERS) };
}

/** Ended without its action running (or without it running again): the reason as its error output. */
export function endWithoutRunning(step: StepResult, status: Exclude<StepStatus, 'Pending' | 'InProgress' | 'Skipped' | 'Success'>, reason: string, at: string): void {
  step.status = status;
  step.statusDetails = statusDetailsOf(status);
  step.message = reason;
  step.endedAt = at;
  // A step that was running (and is now ended by someone else) keeps the code it had; one that never ran has none.
  if (step.runs === 0) step.responseCode = NO_RESPONSE_CODE;
  step.stderr = { ...step.stderr, preview: withNotes(step.stderr.preview, [reason], STDERR_PREVIEW_CHARACTERS) };
}

/** Why steps after `from` did not run when a run ends early. */
export type RunEnding = 'cancel' | 'shutdown' | 'timeout' | 'interrupted';

export function endUnreachedSteps(steps: StepResult[], from: number, ending: RunEnding, at: string, executionTimeoutSeconds?: number): void {
  for (const step of steps.slice(from)) {
    if (step.status !== 'Pending' && step.status !== 'InProgress') continue;
    switch (ending) {
      case 'cancel':
        endWithoutRunning(step, 'Cancelled', 'Step not run: the command was cancelled.', at);
        break;
      case 'shutdown':
        // SSM Agent marks the plugins a shutdown never reached Cancelled (iohandler.MarkAsShutdown).
        endWithoutRunning(step, 'Cancelled', 'Step not run: the agent was stopped.', at);
        break;
      case 'timeout':
        endWithoutRunning(step, 'TimedOut', `Step not run: the command's execution timeout (${executionTimeoutSeconds ?? '?'} s) expired.`, at);
        break;
      case 'interrupted':
        endWithoutRunning(step, 'Cancelled', 'Step not run: the agent stopped unexpectedly during an earlier step.', at);
        break;
    }
  }
}
