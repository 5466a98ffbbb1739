/**
 * Runs one command's document, step by step, by SSM Agent's rules (runpluginutil.RunPlugins):
 *
 *   - the document is parsed, its parameters resolved and interpolated; a document or parameter error fails the
 *     whole command with that error, before anything runs;
 *   - each step, in order: after an exit condition only a last `finallyStep` runs (the others are Skipped with
 *     SSM's sentence); an unmet precondition skips it; an action no plugin provides fails it; otherwise its
 *     action runs with a timeout (documents' stepTimeoutSeconds), the command's cancel and execution timeout;
 *   - exit codes: 168 marks the step succeeded and stops the document, 169 marks it failed and stops it,
 *     onFailure / onSuccess as the documents package decides (decideAfterStep); 194 (Linux, macOS) or 3010
 *     (Windows) saves the state, asks the Rebooter to reboot and, after the restart, runs the step again, at
 *     most maxStepRuns times;
 *   - a step that times out is TimedOut and the document goes on, as in SSM; a cancellation stops the running
 *     step (the action kills its process tree) and the remaining steps are Cancelled, finallyStep included
 *     (SSM Agent's plugins check the cancel flag before anything else);
 *   - the invocation's status aggregates the steps' (invocation-status.ts).
 *
 * Before each step starts, the command's record in current/ names it, so a crash leaves a definite trace.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  decideAfterStep,
  EXIT_CODE_REBOOT_UNIX,
  EXIT_CODE_REBOOT_WINDOWS,
  evaluatePrecondition,
  interpolate,
  resolveParameters,
  runsAfterStop,
  skippedAfterStopReason,
  stepTimeoutSeconds,
  type ResolvedParameters,
  type Step,
} from '@tender/documents';
import type { ActionContext, ActionHandler, ActionResult, AgentServices, Logger, Platform, PreparedStep } from '@tender/plugin-api';
import type { ActionLookup } from './action-registry.js';
import { isoTime, type Clock } from './clock.js';
import type { Command, CommandProgress, CommandResult, CommandStatus, StepResult, StepStatus } from './command.js';
import { RECORD_VERSION, type CommandRecord } from './command-record.js';
import type { CommandStore } from './command-store.js';
import { commandResultOf, failedResponseCode, NO_RESPONSE_CODE, statusDetailsOf } from './invocation-status.js';
import { CapturedOutput } from './output-capture.js';
import { STDERR_PREVIEW_CHARACTERS, STDOUT_PREVIEW_CHARACTERS, withNotes } from './output-preview.js';
import { ParsedDocuments } from './parsed-documents.js';
import type { Rebooter } from './rebooter.js';
import { stepDirectoryNames } from './step-directories.js';
import { platformTypeOf, stepEnvironment, stepRunMarker, type InstanceFacts } from './step-environment.js';
import { withFields } from './logger-fields.js';
import { documentServices, patchProviderServices, patchSnapshotServices, type DocumentSource, type PatchProviderList, type PatchSnapshotSource } from './step-services.js';
import { checkSecrets, revealSecrets, type SecretOpener } from './secret-references.js';
import { endUnreachedSteps, endWithoutRunning, pendingStep, skipStep, type RunEnding } from './step-results.js';

/**
 * Why a run is stopped from outside, as the reason of the AbortSignal given to start() and resume():
 * 'cancel' (CancelCommand) or 'shutdown' (the agent is stopping). Either makes the action stop its processes.
 */
export type StopReason = 'cancel' | 'shutdown';

/** completed: the result is spooled. rebooting: the record (in current/) waits for the restart to resume it. */
export type RunOutcome = { kind: 'completed'; result: CommandResult } | { kind: 'rebooting'; record: CommandRecord };

export interface DocumentRunnerOptions {
  store: CommandStore;
  actions: ActionLookup;
  instance: InstanceFacts;
  platform: Platform;
  logger: Logger;
  clock: Clock;
  rebooter: Rebooter;
  /** How many times one step may run across reboots before exit 194 / 3010 fails it instead. */
  maxStepRuns: number;
  onProgress?: (progress: CommandProgress) => void;
  /**
   * A command has ended: called with its result just before the result's durable write to the spool, which
   * follows before the event loop handles any other event. The result may leave for the control plane while the disk syncs; its
   * acknowledgement cannot be handled before the write is done, and a crash before that is recovered as one just
   * before the write would be (the control plane keeps the first final status it receives).
   */
  onEnding?: (result: CommandResult) => void;
  /** Where aws:runDocument and aws:downloadContent get control-plane documents; absent, they cannot. */
  documents?: DocumentSource;
  /** Opens the command's sealed `{{ssm-secure:...}}` values (secret-references.ts). */
  openSecret?: SecretOpener;
  /** The agent's inventory uploader, offered to actions as services.putInventory (aws:softwareInventory). */
  inventory?: Pick<AgentServices, 'putInventory'>;
  /** Where AWS-RunPatchBaseline's step gets its baseline snapshot (services.getPatchSnapshot). */
  patchSnapshots?: PatchSnapshotSource;
  /** The plugins' patch providers, offered to actions as services.patchProviders() (AWS-RunPatchBaseline). */
  patchProviders?: PatchProviderList;
}

/** The document ready to run: interpolated steps, the parameter values, and each step's folder name. */
interface PreparedDocument {
  steps: readonly Step[];
  parameters: ResolvedParameters;
  directories: readonly string[];
}

/**
 * The command's downloads folder under runs/<commandId>/, shared by its steps (ActionContext.downloadsDirectory).
 * Step folders never start with a dot (step-directories.ts), so it cannot collide with one.
 */
const DOWNLOADS_DIRECTORY = '.downloads';

/** What running one step means for the rest of the document. */
type StepEnding = 'next' | 'rebooting' | RunEnding;

export class DocumentRunner {
  /** Orchestration folders of steps that have ended, by command, until removeFinished() removes them. */
  private readonly finishedFolders = new Map<string, string[]>();
  private readonly parsedDocuments = new ParsedDocuments();

  constructor(private readonly options: DocumentRunnerOptions) {}

  /**
   * Removes the orchestration folders of the command's ended steps. Synchronously: each holds a file or two, and
   * fs.rm's recursive walk makes several trips through the thread pool (an lstat, a readdir, an unlink per file, an
   * rmdir), each waiting for the event loop.
   */
  private removeFinished(commandId: string): void {
    for (const folder of this.finishedFolders.get(commandId) ?? []) removeQuietly(folder);
    this.finishedFolders.delete(commandId);
  }

  /** Runs a command taken from pending/. */
  async start(command: Command, stop: AbortSignal): Promise<RunOutcome> {
    const { clock } = this.options;
    const now = clock.now();
    const record: CommandRecord = {
      version: RECORD_VERSION,
      command,
      phase: 'running',
      startedAt: new Date(now).toISOString(),
      steps: [],
      nextStep: 0,
      stopped: false,
    };
    if (command.executionTimeoutSeconds !== undefined) {
      record.deadline = new Date(now + command.executionTimeoutSeconds * 1000).toISOString();
    }
    const prepared = this.prepare(command);
    if ('error' in prepared) return this.finish(record, { status: 'Failed', message: prepared.error });
    const runDir = this.options.store.runDirectory(command.commandId);
    record.steps = prepared.steps.map((step, index) => pendingStep(step.name, step.action, path.join(runDir, prepared.directories[index]!)));
    const unopened = checkSecrets(prepared.steps, command.secrets, this.options.openSecret);
    if (unopened !== undefined) return this.failWithoutRunning(record, unopened);
    return this.runSteps(record, prepared, stop);
  }

  /** Continues a command from current/: after the reboot it asked for, or one interrupted between steps. */
  async resume(record: CommandRecord, stop: AbortSignal): Promise<RunOutcome> {
    const prepared = this.prepare(record.command);
    if ('error' in prepared) return this.finish(record, { status: 'Failed', message: prepared.error });
    if (prepared.steps.length !== record.steps.length) {
      const message = `the saved state of this command lists ${record.steps.length} steps but its document has ${prepared.steps.length}; not resumed`;
      endUnreachedSteps(record.steps, 0, 'interrupted', isoTime(this.options.clock));
      return this.finish(record, { status: 'Failed', message });
    }
    if (record.phase === 'rebooting' && record.reboot) {
      record.nextStep = record.reboot.stepIndex;
      this.options.logger.info('resuming a command after the reboot it asked for', { commandId: record.command.commandId, step: record.steps[record.nextStep]?.name });
    }
    record.phase = 'running';
    delete record.reboot;
    const unopened = checkSecrets(prepared.steps.filter((_, index) => record.steps[index]?.status === 'Pending' || record.steps[index]?.status === 'InProgress'), record.command.secrets, this.options.openSecret);
    if (unopened !== undefined) return this.failWithoutRunning(record, unopened);
    return this.runSteps(record, prepared, stop);
  }

  /** Ends the command before (more of) it runs: every step not done yet Failed with the reason, as its error output. */
  private async failWithoutRunning(record: CommandRecord, reason: string): Promise<RunOutcome> {
    const at = isoTime(this.options.clock);
    for (const step of record.steps) if (step.status === 'Pending' || step.status === 'InProgress') endWithoutRunning(step, 'Failed', reason, at);
    this.options.logger.warn('a command cannot run', { commandId: record.command.commandId, reason });
    return this.finish(record, { status: 'Failed', message: reason });
  }

  /**
   * Ends a command that never started (cancelled while queued): every step Cancelled without running. When its
   * document cannot be read, there are no steps to list and the command is simply Cancelled.
   */
  async cancelBeforeStart(command: Command): Promise<CommandResult> {
    const record: CommandRecord = { version: RECORD_VERSION, command, phase: 'running', startedAt: isoTime(this.options.clock), steps: [], nextStep: 0, stopped: false };
    const prepared = this.prepare(command);
    if (!('error' in prepared)) {
      const runDir = this.options.store.runDirectory(command.commandId);
      record.steps = prepared.steps.map((step, index) => pendingStep(step.name, step.action, path.join(runDir, prepared.directories[index]!)));
    }
    return this.cancelRecord(record);
  }

  /** Ends a started command that is not running now (waiting for its reboot, or queued to resume) as Cancelled. */
  async cancelRecord(record: CommandRecord): Promise<CommandResult> {
    endUnreachedSteps(record.steps, 0, 'cancel', isoTime(this.options.clock));
    return this.end(record, { status: 'Cancelled', message: 'The command was cancelled.' });
  }

  private prepare(command: Command): PreparedDocument | { error: string } {
    try {
      const text = typeof command.document === 'string' ? command.document : JSON.stringify(command.document);
      const document = this.parsedDocuments.parse(text, command.documentName);
      const parameters = resolveParameters(document, command.parameters);
      const { steps } = interpolate(document, parameters);
      return { steps, parameters, directories: stepDirectoryNames(steps.map((step) => step.name)) };
    } catch (error) {
      // DocumentError and ParameterError messages name the document, the place and the problem.
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async runSteps(record: CommandRecord, prepared: PreparedDocument, stop: AbortSignal): Promise<RunOutcome> {
    const { clock } = this.options;
    const { steps } = prepared;
    const deadline = record.deadline === undefined ? undefined : Date.parse(record.deadline);
    // Nothing is written until a step is about to run (runStep): steps that are skipped or fail without
    // running decide the same way again if a crash makes the command start over from pending/.

    let ending: RunEnding | undefined;
    for (let index = record.nextStep; index < steps.length; index++) {
      this.removeFinished(record.command.commandId);
      record.nextStep = index;
      const step = steps[index]!;
      const result = record.steps[index]!;
      if (result.status !== 'Pending' && result.status !== 'InProgress') continue; // done before a reboot
      if (stop.aborted) {
        ending = stopReasonOf(stop);
        break;
      }
      if (deadline !== undefined && clock.now() >= deadline) {
        ending = 'timeout';
        break;
      }
      const at = isoTime(clock);
      if (record.stopped && !runsAfterStop(steps, index)) {
        skipStep(result, skippedAfterStopReason(step), at);
        continue;
      }
      const verdict = evaluatePrecondition(step, { platformType: platformTypeOf(this.options.platform), parameters: prepared.parameters });
      if (verdict.outcome === 'skip') {
        skipStep(result, verdict.reason ?? `Step execution skipped due to unsatisfied preconditions. Step name: ${step.name}`, at);
        continue;
      }
      const handler = this.options.actions(step.action);
      if (verdict.outcome === 'fail' || !handler) {
        const reason = verdict.reason ?? `the action ${step.action} is not available on this agent (no plugin provides it). Step name: ${step.name}`;
        endWithoutRunning(result, 'Failed', reason, at);
        applyFailureRules(step, result, record);
        continue;
      }
      const stepEnding = await this.runStep(record, index, step, handler, prepared, stop, deadline);
      if (stepEnding === 'rebooting') return { kind: 'rebooting', record };
      if (stepEnding !== 'next') {
        ending = stepEnding;
        break;
      }
    }

    if (ending === undefined) return this.finish(record, {});
    endUnreachedSteps(record.steps, record.nextStep, ending, isoTime(clock), record.command.executionTimeoutSeconds);
    switch (ending) {
      case 'cancel':
        return this.finish(record, { status: 'Cancelled', message: 'The command was cancelled.' });
      case 'timeout':
        return this.finish(record, {
          status: 'TimedOut',
          message: `The command's execution timeout (${record.command.executionTimeoutSeconds} s) expired before it completed.`,
        });
      case 'shutdown':
      case 'interrupted':
        return this.finish(record, { status: 'Failed', message: 'The agent was stopped while the command was running.' });
    }
  }

  /** Runs one step's action; the step's result is in record.steps[index] afterwards. */
  private async runStep(
    record: CommandRecord,
    index: number,
    step: Step,
    handler: ActionHandler,
    prepared: PreparedDocument,
    stop: AbortSignal,
    deadline: number | undefined,
  ): Promise<StepEnding> {
    const { clock, store, logger, platform } = this.options;
    const { command } = record;
    const result = record.steps[index]!;
    result.runs += 1;
    result.status = 'InProgress';
    result.statusDetails = 'InProgress';
    result.startedAt ??= isoTime(clock);
    delete result.endedAt;
    delete result.message;

    // The step with its secrets in it exists only here, for the action; the record keeps the references.
    const revealed = revealSecrets(step, command.secrets, this.options.openSecret);
    if ('error' in revealed) {
      endWithoutRunning(result, 'Failed', revealed.error, isoTime(clock));
      applyFailureRules(step, result, record);
      return 'next';
    }
    const stepDir = path.join(store.runDirectory(command.commandId), prepared.directories[index]!);
    const stepLogger = withFields(logger, { commandId: command.commandId, step: step.name, action: step.action });
    const marker = stepRunMarker(command.commandId, index);
    const orchestrationDirectory = path.join(stepDir, 'orchestration');
    const downloadsDirectory = path.join(store.runDirectory(command.commandId), DOWNLOADS_DIRECTORY);
    const run = {
      instanceId: this.options.instance.instanceId,
      commandId: command.commandId,
      documentName: command.documentName,
      stepName: step.name,
      region: this.options.instance.region,
    };
    const preparedStep: PreparedStep = {
      inputs: revealed.inputs,
      logger: stepLogger,
      orchestrationDirectory,
      downloadsDirectory,
      env: stepEnvironment(this.options.instance, revealed.env, marker),
      run,
      platform,
    };
    // prepare() first: what it starts (an interpreter) gets going while the folders are made and the record saved. It
    // makes the orchestration folder itself if it writes there (plugin-api: prepare). Nothing of the step runs before
    // run(), and everything the step needs is in place by the time the save below is on disk; the save's sync carries
    // the folders' creation along. runs/ itself is owner-only (the store made it so), which protects everything below
    // it; no chmod needed. Synchronous: a mkdir takes microseconds, a trip through the thread pool waits for the event
    // loop to come round (milliseconds on a loaded host), on every command's path.
    try {
      handler.prepare?.(preparedStep);
    } catch (error) {
      stepLogger.warn('the action could not get ready ahead of its step; it starts the usual way', { err: (error as Error)?.message ?? String(error) });
    }
    try {
      mkdirSync(orchestrationDirectory, { recursive: true, mode: 0o700 });
    } catch (error) {
      endWithoutRunning(result, 'Failed', `the agent could not create this step's folder ${orchestrationDirectory}: ${(error as Error).message}`, isoTime(clock));
      return 'next';
    }

    // Everything run() gets is made before the save, so that once the record is on disk starting the step is the next
    // thing the agent does (a prepared process only waits for its gate to open).
    // Opened at the step's first output (output-capture.ts): nothing to fail here.
    const stdout = new CapturedOutput(result.stdout.file, STDOUT_PREVIEW_CHARACTERS);
    const stderr = new CapturedOutput(result.stderr.file, STDERR_PREVIEW_CHARACTERS);
    const controller = new AbortController();
    const context: ActionContext = {
      ...preparedStep,
      signal: controller.signal,
      stdout,
      stderr,
      services: {
        ...documentServices({ actions: this.options.actions, instance: this.options.instance, platform, clock, documents: this.options.documents, logger: stepLogger, run, stepRunMarker: marker, orchestrationDirectory, downloadsDirectory, level: 0 }),
        ...this.options.inventory,
        ...patchSnapshotServices(this.options.patchSnapshots),
        ...patchProviderServices(this.options.patchProviders),
      },
    };

    await store.saveCurrent(record);

    let timedOutBy: 'step' | 'command' | undefined;
    const timeUp = (by: 'step' | 'command') => () => {
      if (controller.signal.aborted) return;
      timedOutBy = by;
      controller.abort('timeout');
    };
    const cancelTimers: Array<() => void> = [];
    const timeoutSeconds = stepTimeoutSeconds(step);
    if (timeoutSeconds !== undefined) cancelTimers.push(clock.setTimer(timeUp('step'), timeoutSeconds * 1000));
    if (deadline !== undefined) cancelTimers.push(clock.setTimer(timeUp('command'), deadline - clock.now()));
    const onStop = (): void => controller.abort('cancel');
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) onStop();

    let outcome: ActionResult;
    try {
      const running = handler.run(context);
      // Said once the step has started, not before: a step's start is what its process waits for, and this
      // progress is news for the control plane (or, for a first step, travels with the acknowledgement later).
      this.progress(record, false);
      outcome = await running;
    } catch (error) {
      // A plugin's bug must not take the agent (or the other commands) down with it.
      outcome = { status: 'Failed', exitCode: NO_RESPONSE_CODE, message: `the action ${step.action} failed: ${(error as Error)?.message ?? String(error)}` };
    } finally {
      for (const cancel of cancelTimers) cancel();
      stop.removeEventListener('abort', onStop);
    }
    const output = { stdout: stdout.close(), stderr: stderr.close() };
    const stoppedBy = stop.aborted ? stopReasonOf(stop) : undefined;

    if (isRebootRequest(outcome, platform) && stoppedBy === undefined && timedOutBy === undefined) {
      if (result.runs >= this.options.maxStepRuns) {
        outcome = {
          status: 'Failed',
          exitCode: outcome.exitCode,
          message: `the step exited with ${outcome.exitCode} (reboot and run the step again) on each of its ${result.runs} runs; a step runs at most ${this.options.maxStepRuns} times (maxStepRuns), so it has failed instead of rebooting the host again`,
        };
      } else {
        const rebooted = await this.requestReboot(record, index, outcome, output);
        if (rebooted === true) return 'rebooting';
        outcome = { status: 'Failed', exitCode: outcome.exitCode, message: rebooted.message };
      }
    }

    const notes = { stdout: [] as string[], stderr: [] as string[] };
    let status: StepStatus;
    let code = outcome.exitCode;
    let message = outcome.message;
    let ending: StepEnding = 'next';
    if (outcome.status === 'TimedOut') {
      status = 'TimedOut';
      if (timedOutBy === 'command') ending = 'timeout';
    } else if (outcome.status === 'Cancelled' || (stoppedBy !== undefined && outcome.status !== 'Success')) {
      status = stoppedBy === 'shutdown' ? 'Failed' : 'Cancelled';
      if (stoppedBy === 'shutdown') message = 'the agent was stopped while this step was running; its processes were stopped';
    } else {
      const after = decideAfterStep(step, { succeeded: outcome.status === 'Success', exitCode: outcome.exitCode });
      status = after.succeeded ? 'Success' : 'Failed';
      code = after.exitCode;
      if (after.succeeded) message = undefined; // SSM drops the plugin's error when 168 or successAndExit makes it a success
      if (after.note) {
        notes.stdout.push(after.note);
        if (!after.succeeded) notes.stderr.push(after.note);
      }
      if (after.stopDocument) record.stopped = true;
    }
    if (stoppedBy !== undefined) ending = stoppedBy;
    if (status === 'Failed') code = failedResponseCode(code);

    result.status = status;
    result.statusDetails = statusDetailsOf(status);
    result.responseCode = code;
    result.endedAt = isoTime(clock);
    if (message) result.message = message;
    result.stdout = { ...output.stdout, preview: withNotes(output.stdout.preview, notes.stdout, STDOUT_PREVIEW_CHARACTERS) };
    result.stderr = {
      ...output.stderr,
      preview: withNotes(output.stderr.preview, [...(message && status !== 'Success' ? [message] : []), ...notes.stderr], STDERR_PREVIEW_CHARACTERS),
    };
    // The orchestration folder holds the step's script: the runner owns it and removes it once the step is over, as
    // the next step starts or, after the last, once the command's result is on its way (removeFinished), so that it
    // does not delay the result.
    this.finishedFolders.set(command.commandId, [...(this.finishedFolders.get(command.commandId) ?? []), orchestrationDirectory]);
    // No progress message here: the next step's start reports this step's end with it, and when none starts the
    // command's result follows at once and says everything (a message more would only race it to the control plane).
    return ending;
  }

  /**
   * Saves the state (the step to run again, its run count) and asks for the reboot. Resolves true once the
   * reboot is requested, or with the error that kept it from happening (the step then fails).
   */
  private async requestReboot(
    record: CommandRecord,
    index: number,
    outcome: ActionResult,
    output: { stdout: StepResult['stdout']; stderr: StepResult['stderr'] },
  ): Promise<true | Error> {
    const { clock, store, logger } = this.options;
    const result = record.steps[index]!;
    result.responseCode = outcome.exitCode;
    result.message = `the step exited with ${outcome.exitCode}: the host reboots and the step runs again after the restart (run ${result.runs} of at most ${this.options.maxStepRuns})`;
    result.stdout = output.stdout;
    result.stderr = output.stderr;
    record.phase = 'rebooting';
    record.reboot = { stepIndex: index, requestedAt: isoTime(clock) };
    await store.saveCurrent(record);
    this.progress(record, true);
    logger.warn('a step asked for a reboot; rebooting the host', { commandId: record.command.commandId, step: result.name, exitCode: outcome.exitCode, run: result.runs });
    try {
      await this.options.rebooter.reboot();
      return true;
    } catch (error) {
      logger.error('could not reboot the host', { commandId: record.command.commandId, err: (error as Error).message });
      record.phase = 'running';
      delete record.reboot;
      return new Error(`the step exited with ${outcome.exitCode} to ask for a reboot, but the host could not be rebooted: ${(error as Error).message}`);
    }
  }

  /** Ends the command: aggregate, spool the result, move the record to completed/. */
  private async finish(record: CommandRecord, how: { status?: CommandStatus; message?: string }): Promise<RunOutcome> {
    return { kind: 'completed', result: await this.end(record, how) };
  }

  private async end(record: CommandRecord, how: { status?: CommandStatus; message?: string }): Promise<CommandResult> {
    const result = commandResultOf(record, how, isoTime(this.options.clock));
    try {
      this.options.onEnding?.(result);
    } catch (error) {
      this.options.logger.warn('a result listener threw', { commandId: result.commandId, err: (error as Error).message });
    }
    // mqtt.js puts a packet on the socket on the next tick (it corks the stream until then): let it leave before the
    // disk holds the thread. No I/O event (an acknowledgement) can be handled in between: ticks and microtasks all run
    // before the event loop polls again.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    this.removeFinished(result.commandId);
    await this.options.store.complete(result);
    this.options.logger.info('command finished', { commandId: result.commandId, status: result.status, responseCode: result.responseCode });
    return result;
  }

  private progress(record: CommandRecord, rebooting: boolean): void {
    const { onProgress } = this.options;
    if (!onProgress) return;
    try {
      onProgress({ commandId: record.command.commandId, status: 'InProgress', statusDetails: 'InProgress', rebooting, steps: structuredClone(record.steps) });
    } catch (error) {
      this.options.logger.warn('a progress listener threw', { err: (error as Error).message });
    }
  }
}

/**
 * onFailure for a step that failed without its action running (unknown action, unrecognised precondition):
 * `exit` stops the document, `successAndExit` reports the step successful with 168 and stops it.
 */
function applyFailureRules(step: Step, result: StepResult, record: CommandRecord): void {
  const after = decideAfterStep(step, { succeeded: false, exitCode: result.responseCode });
  if (after.stopDocument) record.stopped = true;
  if (after.note) result.stdout = { ...result.stdout, preview: withNotes(result.stdout.preview, [after.note], STDOUT_PREVIEW_CHARACTERS) };
  if (after.succeeded) {
    result.status = 'Success';
    result.statusDetails = 'Success';
    result.responseCode = after.exitCode;
  } else if (after.note) {
    result.stderr = { ...result.stderr, preview: withNotes(result.stderr.preview, [after.note], STDERR_PREVIEW_CHARACTERS) };
  }
}

/** Best effort: a folder that cannot be removed costs disk space, not the step's result. */
function removeQuietly(directory: string): void {
  try {
    rmSync(directory, { recursive: true, force: true });
  } catch {
    // left for the pruning of the command's run folder
  }
}

function stopReasonOf(stop: AbortSignal): StopReason {
  return stop.reason === 'shutdown' ? 'shutdown' : 'cancel';
}

/** The process exited by itself with the platform's "reboot and run me again" code. */
function isRebootRequest(outcome: ActionResult, platform: Platform): boolean {
  const code = platform === 'win32' ? EXIT_CODE_REBOOT_WINDOWS : EXIT_CODE_REBOOT_UNIX;
  return outcome.exitCode === code && (outcome.status === 'Failed' || outcome.status === 'Success');
}
