/**
 * What the commands service keeps in the store: one CommandRecord per SendCommand and one InvocationRecord per
 * (command, instance). Field names in PascalCase are SSM's (they go out on the API as they are); camelCase ones
 * are Tender's bookkeeping.
 *
 * Durability rule: an invocation is written with `dispatchedAt` set BEFORE its first `command` message leaves,
 * so after a restart every invocation is either never sent (dispatch it) or possibly sent (resend the same
 * commandId, which the agent deduplicates); none is ever sent as new twice.
 */
import type { CommandBody, Sealed, StepResultBody } from '@tender/protocol';

/** SSM's CommandInvocationStatus. */
export type InvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

/** SSM's CommandStatus. */
export type CommandStatus = 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut' | 'Cancelling';

/** SSM's Target. */
export interface Target {
  Key: string;
  Values: string[];
}

export interface InvocationRecord {
  CommandId: string;
  InstanceId: string;
  /** Position in the command's dispatch order (0-based). */
  seq: number;
  Status: InvocationStatus;
  /** SSM's detailed status: Pending, Delayed, InProgress, Success, Failed, DeliveryTimedOut, ExecutionTimedOut, ... */
  StatusDetails: string;
  /** Written before the first `command` message is sent; from then on the invocation holds a concurrency slot. */
  dispatchedAt?: string;
  /** When a `command` message was last handed to the gateway (first send or a resend). */
  lastSentAt?: string;
  /** How many `command` messages were handed to the gateway (resends of the same commandId included). */
  sendCount: number;
  /** The agent persisted the command (`command-ack`). */
  ackedAt?: string;
  /** CancelCommand reached this invocation while it was on the host; a `cancel` message went out. */
  cancelRequestedAt?: string;
  /** The agent's exit code for the whole invocation; -1 until it reports one. */
  ResponseCode: number;
  /** From the agent. */
  startedAt?: string;
  endedAt?: string;
  /** When the control plane recorded the terminal status. */
  finishedAt?: string;
  /** What the agent last said of each step. */
  steps: StepResultBody[];
  /**
   * The command's `{{ssm-secure:...}}` values sealed to this instance's box key (only this agent can open them),
   * kept so that a resend after a restart carries them; removed once the agent has accepted the command or the
   * invocation has ended. Never shown by the API.
   */
  secrets?: Record<string, Sealed>;
}

/** A step of the command's document, in document order: the plugins an invocation reports. */
export interface DocumentStepRef {
  name: string;
  action: string;
}

export interface CommandRecord {
  CommandId: string;
  DocumentName: string;
  DocumentVersion: string;
  Comment: string;
  RequestedDateTime: string;
  /** RequestedDateTime + TimeoutSeconds + the execution timeout: SSM's total timeout. */
  ExpiresAfter: string;
  /** RequestedDateTime + TimeoutSeconds: an invocation the host has not accepted by then will not run. */
  deliverBy: string;
  /** As the caller gave them (SSM returns these, not the defaults). */
  Parameters: Record<string, string[]>;
  InstanceIds: string[];
  Targets: Target[];
  MaxConcurrency: string;
  MaxErrors: string;
  TimeoutSeconds: number;
  /** MaxConcurrency and MaxErrors as numbers of invocations, percentages applied to TargetCount. */
  maxConcurrency: number;
  maxErrors: number;
  executionTimeoutSeconds: number;
  TargetCount: number;
  CompletedCount: number;
  ErrorCount: number;
  DeliveryTimedOutCount: number;
  Status: CommandStatus;
  StatusDetails: string;
  steps: DocumentStepRef[];
  /** The `command` message body, fixed at SendCommand so that a resend after a restart is byte-for-byte the same run. */
  body: CommandBody;
  /** CancelCommand without InstanceIds. */
  cancelRequestedAt?: string;
  /** The error count exceeded MaxErrors: nothing more is dispatched. */
  stoppedAt?: string;
  finishedAt?: string;
}

export const COMMANDS_TABLE = 'commands';
export const INVOCATIONS_TABLE = 'command-invocations';

export function invocationKey(commandId: string, instanceId: string): string {
  return `${commandId}/${instanceId}`;
}

const TERMINAL_INVOCATION: ReadonlySet<InvocationStatus> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);
const TERMINAL_COMMAND: ReadonlySet<CommandStatus> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export function isTerminalInvocation(status: InvocationStatus): boolean {
  return TERMINAL_INVOCATION.has(status);
}

export function isTerminalCommand(status: CommandStatus): boolean {
  return TERMINAL_COMMAND.has(status);
}

/** Sent and not finished: holds one of the command's MaxConcurrency slots. */
export function isInFlight(invocation: InvocationRecord): boolean {
  return invocation.dispatchedAt !== undefined && !isTerminalInvocation(invocation.Status);
}
