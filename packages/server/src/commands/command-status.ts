/**
 * SSM's status rules for invocations and commands ("Understanding command statuses", Systems Manager User Guide).
 *
 * Invocation (Status / StatusDetails):
 *   Pending/Pending          not sent yet, or sent and not yet accepted by the agent
 *   Delayed/Delayed          due, but the instance is not connected; retried when it is, until the delivery timeout
 *   InProgress/InProgress    the agent accepted it (command-ack) or reported progress
 *   Cancelling/Cancelling    CancelCommand reached it on the host; waiting for the agent's answer
 *   Success, Failed, Cancelled / same, and TimedOut/ExecutionTimedOut: what the agent reported
 *   TimedOut/DeliveryTimedOut  not accepted by the host before RequestedDateTime + TimeoutSeconds, or no final
 *                            answer before ExpiresAfter (SSM's total timeout); does not count against MaxErrors
 *   Cancelled/Terminated     never sent because the command exceeded MaxErrors
 *   Failed/Undeliverable     the instance was deregistered before it could be sent; does not count against
 *                            MaxErrors
 *
 * Command, once every invocation is final (first rule that applies):
 *   no targets                              Failed / NoInstancesInTag
 *   CancelCommand for the whole command     Cancelled / Cancelled
 *   errors (Failed, ExecutionTimedOut) > MaxErrors    Failed / Failed (TimedOut / ExecutionTimedOut if those are most)
 *   DeliveryTimedOut > MaxErrors            TimedOut / DeliveryTimedOut
 *   every invocation Undeliverable (or InvalidPlatform, AccessDenied)   Failed / Failed
 *   every one Success (or one of those)     Success / Success
 *   the rest Success or Cancelled           Cancelled / Cancelled
 *   otherwise                               Success / Incomplete  ("not enough invocations failed for the status
 *                                           to be Failed": MaxErrors was not exceeded)
 */
import type { CommandStatus, InvocationRecord, InvocationStatus } from './command-records.js';

/** Failures that say the command never reached a host that could run it: they do not count against MaxErrors. */
const NOT_DELIVERED: ReadonlySet<string> = new Set(['Undeliverable', 'InvalidPlatform', 'AccessDenied']);

/** Failed and ExecutionTimedOut count against MaxErrors; delivery timeouts, cancellations and the rest do not. */
export function countsAgainstMaxErrors(invocation: Pick<InvocationRecord, 'Status' | 'StatusDetails'>): boolean {
  return (invocation.Status === 'Failed' && !NOT_DELIVERED.has(invocation.StatusDetails)) || invocation.StatusDetails === 'ExecutionTimedOut';
}

/** The final status of a command whose invocations are all final. */
export function finalCommandStatus(
  invocations: readonly InvocationRecord[],
  options: { maxErrors: number; cancelled: boolean },
): { Status: CommandStatus; StatusDetails: string } {
  if (invocations.length === 0) return { Status: 'Failed', StatusDetails: 'NoInstancesInTag' };
  if (options.cancelled) return { Status: 'Cancelled', StatusDetails: 'Cancelled' };
  let success = 0;
  let failed = 0;
  let executionTimedOut = 0;
  let deliveryTimedOut = 0;
  let undeliverable = 0;
  let cancelled = 0;
  for (const invocation of invocations) {
    if (invocation.Status === 'Success') success += 1;
    else if (invocation.StatusDetails === 'ExecutionTimedOut') executionTimedOut += 1;
    else if (invocation.StatusDetails === 'DeliveryTimedOut') deliveryTimedOut += 1;
    else if (NOT_DELIVERED.has(invocation.StatusDetails)) undeliverable += 1;
    else if (invocation.Status === 'Failed') failed += 1;
    else if (invocation.Status === 'Cancelled' && invocation.StatusDetails === 'Cancelled') cancelled += 1;
  }
  const total = invocations.length;
  if (failed + executionTimedOut > options.maxErrors) {
    return executionTimedOut > failed ? { Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut' } : { Status: 'Failed', StatusDetails: 'Failed' };
  }
  if (deliveryTimedOut > options.maxErrors) return { Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut' };
  if (undeliverable === total) return { Status: 'Failed', StatusDetails: 'Failed' };
  if (success + undeliverable === total) return { Status: 'Success', StatusDetails: 'Success' };
  if (cancelled > 0 && success + undeliverable + cancelled === total) return { Status: 'Cancelled', StatusDetails: 'Cancelled' };
  return { Status: 'Success', StatusDetails: 'Incomplete' };
}

const AGENT_FINAL_STATUSES: ReadonlySet<string> = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const KNOWN_DETAILS: ReadonlySet<string> = new Set([
  'Success',
  'Failed',
  'Cancelled',
  'ExecutionTimedOut',
  'DeliveryTimedOut',
  'Undeliverable',
  'InvalidPlatform',
  'AccessDenied',
  'Terminated',
]);

/**
 * The invocation status for an agent's `command-result`. The agent says Success, Failed, Cancelled or TimedOut,
 * with SSM's detail (ExecutionTimedOut, InvalidPlatform, ...); anything else is recorded as a failure whose
 * detail names what the agent sent, so it is visible instead of silently mapped.
 */
export function statusFromAgentResult(status: string, statusDetails: string | undefined): { Status: InvocationStatus; StatusDetails: string } {
  if (!AGENT_FINAL_STATUSES.has(status)) {
    return { Status: 'Failed', StatusDetails: `Failed: agent reported unknown status ${JSON.stringify(status).slice(0, 60)}` };
  }
  const details = statusDetails !== undefined && KNOWN_DETAILS.has(statusDetails) ? statusDetails : undefined;
  if (status === 'TimedOut') return { Status: 'TimedOut', StatusDetails: details === 'DeliveryTimedOut' ? 'DeliveryTimedOut' : 'ExecutionTimedOut' };
  if (status === 'Failed') return { Status: 'Failed', StatusDetails: details === 'InvalidPlatform' || details === 'AccessDenied' || details === 'Undeliverable' ? details : 'Failed' };
  return { Status: status as InvocationStatus, StatusDetails: status };
}
