/**
 * From step results to the invocation's status, as SSM Agent aggregates plugin results
 * (contracts.DocumentResultAggregator): Failed outranks TimedOut, which outranks Cancelled; otherwise Success,
 * where Skipped counts as success. StatusDetails spell the API's values (a timed-out run is ExecutionTimedOut).
 *
 * SSM reports no response code for a whole invocation of several steps; Tender gives the deciding step's: the
 * first step with the winning status, or for Success the last step that ran (0 when every step was skipped).
 */
import type { CommandResult, CommandStatus, StatusDetails, StepResult, StepStatus } from './command.js';
import type { CommandRecord } from './command-record.js';

/** Where no exit status exists: nothing ran, or the process was killed (the convention of the script actions). */
export const NO_RESPONSE_CODE = -1;

const PRECEDENCE: readonly CommandStatus[] = ['Failed', 'TimedOut', 'Cancelled'];

export function statusDetailsOf(status: StepStatus | CommandStatus): StatusDetails {
  return status === 'TimedOut' ? 'ExecutionTimedOut' : status;
}

/**
 * @param decided set when the run was ended from outside rather than by its steps: a cancellation (Cancelled),
 * the command's execution timeout (TimedOut), the agent stopping (Failed). The control plane reports those
 * outcomes whatever earlier steps did ("the command was terminated before it was completed").
 */
export function aggregateStatus(
  steps: readonly StepResult[],
  decided?: CommandStatus,
): { status: CommandStatus; statusDetails: StatusDetails; responseCode: number } {
  if (decided) {
    const deciding = steps.find((step) => step.status === decided);
    return { status: decided, statusDetails: statusDetailsOf(decided), responseCode: deciding?.responseCode ?? NO_RESPONSE_CODE };
  }
  for (const status of PRECEDENCE) {
    const deciding = steps.find((step) => step.status === status);
    if (deciding) return { status, statusDetails: statusDetailsOf(status), responseCode: deciding.responseCode };
  }
  // A step still Pending or InProgress here is a runner bug; report it rather than claim success.
  if (steps.some((step) => step.status === 'Pending' || step.status === 'InProgress')) {
    return { status: 'Failed', statusDetails: 'Failed', responseCode: NO_RESPONSE_CODE };
  }
  const ran = steps.filter((step) => step.status === 'Success');
  return { status: 'Success', statusDetails: 'Success', responseCode: ran.at(-1)?.responseCode ?? 0 };
}

/** SSM Agent never reports a failed plugin with code 0 (contracts.prepareRuntimeStatus makes it 1). */
export function failedResponseCode(code: number): number {
  return code === 0 ? 1 : code;
}

/** The result of a command that ends now, from its record: how it ended, and the steps as they stand. */
export function commandResultOf(record: CommandRecord, how: { status?: CommandStatus; message?: string }, endedAt: string): CommandResult {
  const { command } = record;
  const result: CommandResult = {
    commandId: command.commandId,
    documentName: command.documentName,
    ...aggregateStatus(record.steps, how.status),
    endedAt,
    steps: record.steps,
  };
  if (command.documentVersion !== undefined) result.documentVersion = command.documentVersion;
  if (how.message !== undefined) result.message = how.message;
  // ExecutionStartDateTime is empty in SSM until something ran; a run whose steps were all skipped did run.
  if (record.steps.some((step) => step.runs > 0) || how.status === undefined) result.startedAt = record.startedAt;
  return result;
}
