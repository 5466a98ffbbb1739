import type { Logger } from './logger.js';
import type { Platform } from './version.js';

/** Where an action writes what its process prints. The runner keeps everything (to files) and enforces limits. */
export interface OutputSink {
  write(chunk: Uint8Array | string): void;
}

/** Who and what this step run is, for the action's environment and its logs. */
export interface RunIdentity {
  instanceId: string;
  commandId: string;
  documentName: string;
  stepName: string;
  region: string;
}

/** What the document runner hands an action for one step. */
export interface ActionContext {
  /** The step's inputs, parameters already substituted. */
  inputs: Readonly<Record<string, unknown>>;
  /** Aborted on cancellation or when the step's timeout expires; `signal.reason` says which. */
  signal: AbortSignal;
  logger: Logger;
  stdout: OutputSink;
  stderr: OutputSink;
  /** A private folder for this step's files (scripts, downloads); not the user's working directory. */
  orchestrationDirectory: string;
  /**
   * The environment the step's processes get on top of the agent's: SSM's (AWS_SSM_INSTANCE_ID,
   * AWS_SSM_REGION_NAME, ...) and, for parameters interpolated as ENV_VAR, SSM_<name>.
   */
  env: Readonly<Record<string, string>>;
  run: RunIdentity;
  platform: Platform;
}

export type ActionStatus = 'Success' | 'Failed' | 'Cancelled' | 'TimedOut';

export interface ActionResult {
  status: ActionStatus;
  /** The process's exit code where there was one (the runner gives 168, 169, 194 and 3010 their SSM meaning). */
  exitCode: number;
  /** Why, when it is not plain success: shown as the step's StatusDetails/StandardErrorContent. */
  message?: string;
  outputs?: Record<string, unknown>;
}

export interface ActionHandler {
  /** A one-line description for `tender-agent plugins`. */
  description?: string;
  run(context: ActionContext): Promise<ActionResult>;
}
