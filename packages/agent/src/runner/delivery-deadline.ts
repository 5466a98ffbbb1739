/**
 * SSM's delivery timeout on the agent's side (SendCommand's TimeoutSeconds: "If this time is reached and the
 * command hasn't already started running, it won't run"). The control plane ends invocations the agent never
 * accepted; only the agent knows whether an accepted command has started, so it refuses to start one whose
 * deadline has passed: it waited in the queue behind others, or the agent was offline and the broker delivered
 * it late, or it was accepted before a restart. The invocation ends TimedOut / DeliveryTimedOut, as SSM reports
 * an invocation that never started, with no steps run.
 */
import { isoTime, type Clock } from './clock.js';
import type { Command, CommandResult } from './command.js';
import type { CommandStore } from './command-store.js';
import { NO_RESPONSE_CODE } from './invocation-status.js';

/** Whether the command may no longer start: it has a deadline and the clock has reached it. */
export function deliveryDeadlinePassed(command: Command, clock: Clock): boolean {
  return command.deliverBy !== undefined && clock.now() >= Date.parse(command.deliverBy);
}

/** Ends a command that was not started by its deadline: TimedOut / DeliveryTimedOut, its result spooled. */
export async function endDeliveryTimedOut(store: CommandStore, command: Command, clock: Clock): Promise<CommandResult> {
  const result: CommandResult = {
    commandId: command.commandId,
    documentName: command.documentName,
    ...(command.documentVersion !== undefined ? { documentVersion: command.documentVersion } : {}),
    status: 'TimedOut',
    statusDetails: 'DeliveryTimedOut',
    responseCode: NO_RESPONSE_CODE,
    message: `The command was not run: it had not started by its delivery deadline ${command.deliverBy} (SendCommand's TimeoutSeconds after the request; it was received at ${command.receivedAt}).`,
    endedAt: isoTime(clock),
    steps: [],
  };
  await store.complete(result);
  return result;
}
