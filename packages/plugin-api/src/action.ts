import type { Logger } from './logger.js';
import type { PatchBaselineSnapshot, PatchProvider } from './patching.js';
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
   * The command's downloads folder, shared by its steps and nested documents (SSM's `<orchestration>/downloads`):
   * where aws:downloadContent puts relative destinations and aws:runDocument finds a relative LocalPath. Absent:
   * `<orchestrationDirectory>/downloads`.
   */
  downloadsDirectory?: string;
  /**
   * The environment the step's processes get on top of the agent's: SSM's (AWS_SSM_INSTANCE_ID,
   * AWS_SSM_REGION_NAME, ...) and, for parameters interpolated as ENV_VAR, SSM_<name>.
   */
  env: Readonly<Record<string, string>>;
  run: RunIdentity;
  platform: Platform;
  /** What the agent offers actions beyond the step itself; a member is absent where the agent cannot provide it. */
  services?: AgentServices;
}

/**
 * Agent services for actions that need more than a process: documents from the control plane, nested document
 * runs, inventory hand-off. Actions must check that a member exists and fail the step clearly when it does not.
 */
export interface AgentServices {
  /** A document from the control plane by name (and version, `$DEFAULT` when absent), as a JSON object. */
  getDocument?(name: string, version?: string): Promise<{ name: string; version: string; content: Record<string, unknown> }>;
  /**
   * Runs a document (JSON content) with parameters as a nested run of this step: same instance, same cancellation
   * and timeout, its steps' output written to this step's sinks. Resolves to the nested run's overall result.
   */
  runDocument?(
    document: Record<string, unknown>,
    parameters: Record<string, unknown>,
    context: { signal: AbortSignal; stdout: OutputSink; stderr: OutputSink; /** For messages and the nested steps' RunIdentity. */ documentName?: string },
  ): Promise<ActionResult>;
  /** Hands gathered inventory to the agent's uploader (checksum first, resent until acknowledged). */
  /** The patch providers the agent's plugins provide (`patchProviders`), for AWS-RunPatchBaseline's step. */
  patchProviders?(): Array<{ name: string; provider: PatchProvider }>;
  /**
   * This instance's baseline snapshot from the control plane (what GetDeployablePatchSnapshotForInstance makes),
   * by SnapshotId; the same id returns the same snapshot while it lives. `baselineOverride` (SSM's BaselineOverride
   * structure, AWS-RunPatchBaseline's parameter) makes the snapshot hold those rules instead of the instance's baseline.
   */
  getPatchSnapshot?(snapshotId: string, options?: { baselineOverride?: Record<string, unknown> }): Promise<PatchBaselineSnapshot>;
  putInventory?(items: Array<{ TypeName: string; SchemaVersion: string; CaptureTime: string; Content: Array<Record<string, string>>; Context?: Record<string, string> }>, failures?: Array<{ TypeName: string; message: string }>): Promise<void>;
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
  /**
   * Optional, and only a chance to get ready: called with the step as run() will get it, before the runner makes the
   * step's folders and saves that the step is starting (a disk sync, a millisecond or more), so that set-up, such as
   * starting an interpreter or writing a script into the step's orchestration folder, is done when the save is. The
   * folder may not exist yet: a prepare that writes there makes it (mkdir -p, owner-only); the runner makes it right
   * after in any case. It must not do anything of the step's own (run nothing of the user's, change nothing on the
   * host outside that folder) and must not block: the step may never run (the agent may stop before the save
   * completes, or the step be cancelled), and then run() is not called.
   */
  prepare?(step: PreparedStep): void;
}

/** What prepare() is told of a step: its context without what exists only once it runs (signal, sinks, services). */
export type PreparedStep = Pick<ActionContext, 'inputs' | 'logger' | 'orchestrationDirectory' | 'downloadsDirectory' | 'env' | 'run' | 'platform'>;
