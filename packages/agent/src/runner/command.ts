/**
 * What the document runner is given (one Run Command invocation for this instance) and what it hands back.
 * Status names and StatusDetails values are SSM's, as GetCommandInvocation and ListCommandInvocations report
 * them, so the control plane can pass them through unchanged.
 */
import type { JsonObject } from '@tender/documents';
import type { Sealed } from '@tender/protocol';

/** One command for this instance, as the control plane dispatched it. */
export interface Command {
  /** SSM's CommandId (a UUID). Names the command's files, so it is checked: see isValidCommandId. */
  commandId: string;
  documentName: string;
  documentVersion?: string;
  /** The document's content: its JSON object as GetDocument returns it, or its text (JSON or YAML). */
  document: JsonObject | string;
  /**
   * Values by parameter name, already resolved by the control plane (defaults applied, `{{ssm:...}}`
   * substituted). Either natural JSON values or SSM's API shape (`Record<string, string[]>`).
   */
  parameters: Readonly<Record<string, unknown>>;
  /**
   * The `{{ssm-secure:...}}` values the document uses, by reference (`ssm-secure:db/password`), each sealed to
   * this agent's box key. They stay sealed in the command's files; see secret-references.ts.
   */
  secrets?: Readonly<Record<string, Sealed>>;
  /**
   * A bound on the whole document's run, in seconds; when it passes, the running step is stopped and the
   * invocation ends TimedOut (ExecutionTimedOut). Steps have their own timeouts as well (timeoutSeconds).
   */
  executionTimeoutSeconds?: number;
  /**
   * The delivery deadline (ISO 8601, the control plane's RequestedDateTime + TimeoutSeconds): a command not
   * started by then is not run; it ends TimedOut / DeliveryTimedOut (see delivery-deadline.ts).
   */
  deliverBy?: string;
  comment?: string;
  /** When the agent received it (ISO 8601). */
  receivedAt: string;
}

/** A final invocation status: SSM's CommandInvocationStatus values that end an invocation on the agent. */
export type CommandStatus = 'Success' | 'Failed' | 'Cancelled' | 'TimedOut';

/**
 * SSM's StatusDetails values (API spelling, no spaces). The agent produces Success, Failed, Cancelled,
 * ExecutionTimedOut and DeliveryTimedOut (a command not started by its deadline); Pending, InProgress, Delayed, DeliveryTimedOut, Undeliverable and Terminated are the
 * control plane's (delivery and MaxErrors), listed so both halves share one type.
 */
export type StatusDetails =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Failed'
  | 'Cancelled'
  | 'ExecutionTimedOut'
  | 'DeliveryTimedOut'
  | 'Undeliverable'
  | 'Terminated'
  | 'Skipped';

/**
 * A step's status, as SSM Agent reports a plugin's: Pending (not started), InProgress, then one of Success,
 * Failed, Cancelled, TimedOut or Skipped (a precondition was not met, or an earlier step stopped the document).
 */
export type StepStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'Cancelled' | 'TimedOut' | 'Skipped';

/** One output stream of a step: all of it in a file, the beginning of it inline. */
export interface OutputSummary {
  /**
   * The first characters of the output (24,000 for stdout, 8,000 for stderr, as GetCommandInvocation's
   * StandardOutputContent and StandardErrorContent), decoded as UTF-8 with U+FFFD for invalid bytes, followed
   * by the runner's own notes (SSM's "Step exited with code 168..." sentences, the action's error message).
   */
  preview: string;
  /** Every byte the step's processes wrote, in the file. */
  bytes: number;
  /** Absolute path of the file holding every byte (`<stateDir>/runs/<commandId>/<step>/stdout|stderr`). */
  file: string;
  /** Whether the output is longer than the preview shows. */
  truncated: boolean;
}

export interface StepResult {
  name: string;
  action: string;
  status: StepStatus;
  statusDetails: StatusDetails;
  /** The exit code; 0 for Skipped; -1 when no process exit status exists (nothing ran, or it was killed). */
  responseCode: number;
  /** Why the step ended as it did, when that is not plain success (also appended to stderr.preview on failure). */
  message?: string;
  startedAt?: string;
  endedAt?: string;
  /** How many times the step has started: more than 1 only after a reboot (exit 194 / 3010). */
  runs: number;
  stdout: OutputSummary;
  stderr: OutputSummary;
}

export interface CommandResult {
  commandId: string;
  documentName: string;
  documentVersion?: string;
  status: CommandStatus;
  statusDetails: StatusDetails;
  /** The deciding step's code (see invocation-status.ts); -1 when no step produced one. */
  responseCode: number;
  /** Why, for outcomes no step explains: an invalid document, a cancelled queued command, a corrupt state file. */
  message?: string;
  /** Absent when no step started. */
  startedAt?: string;
  endedAt: string;
  steps: StepResult[];
}

/** Progress while a command runs, for live status (`InProgress`, with the steps so far). */
export interface CommandProgress {
  commandId: string;
  status: 'InProgress';
  statusDetails: 'InProgress';
  /** The command asked for a reboot and resumes after it (SSM tells the service before rebooting too). */
  rebooting: boolean;
  steps: StepResult[];
}

const COMMAND_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A command id is a file name here: letters, digits, `_`, `.`, `-`, at most 128, never `.` or `..`. */
export function isValidCommandId(commandId: unknown): commandId is string {
  return typeof commandId === 'string' && COMMAND_ID.test(commandId);
}
