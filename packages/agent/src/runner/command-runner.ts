/**
 * The agent's Run Command engine, in one object: accept a command (durably, before it is acknowledged), queue
 * it, run it with bounded concurrency, cancel it, spool its result until the control plane has it, and on
 * start recover whatever the previous agent process left. It knows no transport: whoever wires it in calls
 * accept()/cancel() for incoming messages, publishes what onResult() and onProgress() report, calls ackResult()
 * when the control plane acknowledges a result, and redelivers pendingResults() after every reconnect.
 *
 *   const runner = await CommandRunner.open({ stateDir, actions, instance, logger, onResult });
 *   await runner.recover();             // once, before accept(): resume, requeue, end the interrupted
 *   await runner.accept(command);       // 'accepted' (on disk: acknowledge now) or 'duplicate'
 *   await runner.cancel(commandId);
 *   await runner.stop();                // agent shutdown
 */
import type { AgentServices, Logger, Platform } from '@tender/plugin-api';
import type { ActionLookup } from './action-registry.js';
import { systemClock, type Clock } from './clock.js';
import type { Command, CommandProgress, CommandResult } from './command.js';
import type { CommandRecord } from './command-record.js';
import { CommandQueue } from './command-queue.js';
import { corruptStateMessage, endCommandFailed, recoverCommands } from './command-recovery.js';
import { CommandStore } from './command-store.js';
import { deliveryDeadlinePassed, endDeliveryTimedOut } from './delivery-deadline.js';
import { DocumentRunner, type RunOutcome } from './document-runner.js';
import { defaultOrphanReaper, type OrphanReaper } from './orphan-processes.js';
import { createSystemRebooter, rebootOnce, type Rebooter } from './rebooter.js';
import type { SecretOpener } from './secret-references.js';
import type { InstanceFacts } from './step-environment.js';
import type { DocumentSource, PatchProviderList, PatchSnapshotSource } from './step-services.js';

/** SSM Agent's default number of command workers (appconfig.DefaultCommandWorkersLimit). */
export const DEFAULT_CONCURRENCY = 5;
/**
 * How many times one step may run when it keeps asking for a reboot. SSM Agent's guard is per document:
 * an in-progress document is picked up again at most CommandRetryLimit (default 15) times.
 */
export const DEFAULT_MAX_STEP_RUNS = 15;

export interface CommandRunnerOptions {
  /** The agent's state directory; the runner uses commands/, results/ and runs/ in it. */
  stateDir: string;
  actions: ActionLookup;
  instance: InstanceFacts;
  logger: Logger;
  platform?: Platform;
  /** Commands running at once; the rest wait in arrival order. Default 5. */
  concurrency?: number;
  /** Default 15. */
  maxStepRuns?: number;
  clock?: Clock;
  /** Default: the host's shutdown command, a minute ahead (see rebooter.ts). */
  rebooter?: Rebooter;
  /** Default: /proc-based on Linux, none elsewhere. */
  orphanReaper?: OrphanReaper;
  /** A command ended; its result is already in the spool. Publish it, then ackResult() once acknowledged. */
  onResult?: (result: CommandResult) => void;
  /**
   * A run ended: its result, just before its write to the spool, which is done before the event loop handles any
   * other event (so an acknowledgement is never handled before it). Publish it here and it travels while the disk
   * syncs; a result given here is not given to onResult again. Without it, every result goes to onResult.
   */
  onEnding?: (result: CommandResult) => void;
  /** A step started, or the command is about to reboot the host. */
  onProgress?: (progress: CommandProgress) => void;
  /** Where aws:runDocument and aws:downloadContent get control-plane documents. */
  documents?: DocumentSource;
  /** Opens the `{{ssm-secure:...}}` values sealed to this agent; without it, commands that use one fail. */
  openSecret?: SecretOpener;
  /** The agent's inventory uploader (services.putInventory for aws:softwareInventory). */
  inventory?: Pick<AgentServices, 'putInventory'>;
  /** Where AWS-RunPatchBaseline's step gets its baseline snapshot. */
  patchSnapshots?: PatchSnapshotSource;
  /** The plugins' patch providers (services.patchProviders() for AWS-RunPatchBaseline). */
  patchProviders?: PatchProviderList;
}

export interface RecoveryReport {
  /** Commands running again: after the reboot they asked for, or stopped between steps. */
  resumed: string[];
  /** Accepted commands that had not started, queued again. */
  requeued: string[];
  /** Commands ended during recovery (interrupted mid-step, or unreadable); their results are in the spool. */
  ended: CommandResult[];
  /** Commands whose state file was unreadable and moved to commands/corrupt/. */
  corrupt: string[];
}

/**
 * cancelled: it had not started, or was waiting for its reboot; it is now Cancelled and its result spooled.
 * cancelling: it is running; its step is being stopped and the result follows through onResult.
 * finished: it had already ended. unknown: this agent has no such command.
 */
export type CancelOutcome = 'cancelled' | 'cancelling' | 'finished' | 'unknown';

export class CommandRunner {
  private readonly documents: DocumentRunner;
  private readonly queue: CommandQueue;
  /** Records to resume, by id, until the queue starts them. */
  private readonly toResume = new Map<string, CommandRecord>();
  /** Commands waiting for the reboot they asked for. */
  private readonly rebooting = new Set<string>();
  private readonly clock: Clock;
  /** Commands whose result went to onEnding as the run ended, before its spool write. */
  private readonly announced = new Set<string>();
  private recovered = false;
  private stopping = false;

  private constructor(
    readonly store: CommandStore,
    private readonly options: CommandRunnerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.documents = new DocumentRunner({
      store,
      actions: options.actions,
      instance: options.instance,
      platform: options.platform ?? (process.platform as Platform),
      logger: options.logger,
      clock: this.clock,
      rebooter: rebootOnce(options.rebooter ?? createSystemRebooter({ platform: options.platform })),
      maxStepRuns: options.maxStepRuns ?? DEFAULT_MAX_STEP_RUNS,
      onProgress: options.onProgress,
      onEnding: (result) => this.announce(result),
      documents: options.documents,
      openSecret: options.openSecret,
      inventory: options.inventory,
      patchSnapshots: options.patchSnapshots,
      patchProviders: options.patchProviders,
    });
    this.queue = new CommandQueue({
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      logger: options.logger,
      run: (commandId, stop) => this.run(commandId, stop),
    });
  }

  static async open(options: CommandRunnerOptions): Promise<CommandRunner> {
    const maxStepRuns = options.maxStepRuns ?? DEFAULT_MAX_STEP_RUNS;
    if (!Number.isInteger(maxStepRuns) || maxStepRuns < 1) throw new RangeError(`maxStepRuns must be a whole number of at least 1, not ${maxStepRuns}`);
    return new CommandRunner(await CommandStore.open(options.stateDir, options.logger, options.clock), options);
  }

  /**
   * Deals with what the previous agent process left (see command-recovery.ts) and starts the queue: resumed
   * commands first, then the accepted ones, oldest first. Call once, before accept(). Results of commands it
   * ended are in the spool: deliver pendingResults() once connected.
   */
  async recover(): Promise<RecoveryReport> {
    if (this.recovered) throw new Error('recover() runs once, when the agent starts');
    const plan = await recoverCommands(this.store, {
      clock: this.clock,
      logger: this.options.logger,
      orphanReaper: this.options.orphanReaper ?? defaultOrphanReaper(),
    });
    this.recovered = true;
    for (const record of plan.resume) this.toResume.set(record.command.commandId, record);
    for (const record of plan.resume) this.queue.enqueue(record.command.commandId);
    for (const command of plan.requeue) this.queue.enqueue(command.commandId);
    const report: RecoveryReport = {
      resumed: plan.resume.map((record) => record.command.commandId),
      requeued: plan.requeue.map((command) => command.commandId),
      ended: plan.ended,
      corrupt: plan.corrupt,
    };
    this.options.logger.info('commands recovered', { ...report, ended: report.ended.map((result) => result.commandId) });
    return report;
  }

  /**
   * Persists the command, then queues it. Resolves 'accepted' once it is on disk (acknowledge it then, not
   * before), or 'duplicate' for a command id this agent already has in any state: it is not run again. A command
   * that must wait is written to pending/; one that starts at once is on disk when its run has saved its record
   * in current/ (before its first step runs) or its result (when none runs), and is never in pending/. The runner
   * takes `command` over: the caller does not change it afterwards.
   * @throws InvalidCommandError for a value that is not a Command.
   */
  async accept(command: Command): Promise<'accepted' | 'duplicate'> {
    if (!this.recovered) throw new Error('call recover() before accept(): commands left by the previous run go first');
    if (this.stopping) throw new Error('the agent is stopping; the command was not accepted');
    if (this.queue.canStartNow) {
      // It starts at once: its run's first write (current/) stands for pending/, one durable write fewer.
      const taken = this.store.acceptStarting(command);
      if (taken.outcome === 'accepted') {
        this.queue.enqueue(command.commandId);
        await taken.persisted;
        return 'accepted';
      }
      await this.store.untilWritten(command.commandId);
      return 'duplicate';
    }
    const outcome = await this.store.accept(command);
    if (outcome === 'duplicate') await this.store.untilWritten(command.commandId);
    if (outcome === 'accepted') this.queue.enqueue(command.commandId);
    return outcome;
  }

  async cancel(commandId: string): Promise<CancelOutcome> {
    switch (this.queue.cancel(commandId, 'cancel')) {
      case 'stopping':
        return 'cancelling';
      case 'dequeued':
        await this.endWaiting(commandId);
        return 'cancelled';
      case 'unknown':
        break;
    }
    if (this.rebooting.has(commandId)) {
      const entry = await this.store.readCurrent(commandId);
      this.rebooting.delete(commandId);
      if (entry.state === 'ok') {
        this.deliver(await this.documents.cancelRecord(entry.value));
        return 'cancelled';
      }
    }
    const location = this.store.locate(commandId);
    return location === 'completed' || location === 'corrupt' ? 'finished' : 'unknown';
  }

  /** Results waiting for the control plane's acknowledgement, oldest first. */
  pendingResults(): Promise<CommandResult[]> {
    return this.store.pendingResults();
  }

  /** The control plane has this result: remove it from the spool. */
  async ackResult(commandId: string): Promise<void> {
    await this.store.ackResult(commandId);
  }

  /** Resolves when no command is running or waiting. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * The agent is stopping: no new commands; running ones have their processes stopped and end Failed, as in
   * SSM on shutdown; waiting ones stay in pending/ and run after the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.stopAll('shutdown');
    await this.queue.idle();
  }

  private async run(commandId: string, stop: AbortSignal): Promise<void> {
    let failure: string | undefined;
    try {
      await this.runOne(commandId, stop);
    } catch (error) {
      // The state could not be saved or read (disk full, I/O error): end the command with the reason if the
      // disk takes that much; otherwise recovery ends it at the next start.
      failure = `The agent could not save or read this command's state, so it stopped running it: ${(error as Error)?.message ?? String(error)}`;
      this.options.logger.error('a command failed in the agent itself', { commandId, err: failure });
      this.announced.delete(commandId); // a result announced before its write failed: this one replaces it
      const result = await endCommandFailed(this.store, commandId, failure, this.clock).catch(() => undefined);
      if (result) this.deliver(result);
    }
    // Taken by acceptStarting() and ended with nothing on disk: not acknowledged, so the control plane resends it.
    this.store.abandonUnwritten(commandId, new Error(failure ?? 'the command ended before anything of it was saved'));
  }

  private async runOne(commandId: string, stop: AbortSignal): Promise<void> {
    let outcome: RunOutcome;
    const record = this.toResume.get(commandId);
    if (record) {
      this.toResume.delete(commandId);
      outcome = await this.documents.resume(record, stop);
    } else {
      const entry = await this.store.readPending(commandId);
      if (entry.state === 'absent') {
        this.options.logger.warn('a queued command is no longer in pending/; skipped', { commandId });
        return;
      }
      if (entry.state === 'corrupt') {
        const result = await endCommandFailed(this.store, commandId, corruptStateMessage(entry.reason), this.clock);
        this.deliver(result);
        return;
      }
      if (deliveryDeadlinePassed(entry.value, this.clock)) {
        this.options.logger.warn('a command reached the front of the queue after its delivery deadline; not run', { commandId, deliverBy: entry.value.deliverBy });
        this.deliver(await endDeliveryTimedOut(this.store, entry.value, this.clock));
        return;
      }
      outcome = await this.documents.start(entry.value, stop);
    }
    if (outcome.kind === 'completed') this.deliver(outcome.result);
    else if (stop.aborted && stop.reason === 'cancel') {
      // Cancelled while the reboot was being requested: the host may still reboot, but the command is over.
      this.deliver(await this.documents.cancelRecord(outcome.record));
    } else this.rebooting.add(commandId);
  }

  /** A command taken out of the queue before it started: Cancelled, every step unrun. */
  private async endWaiting(commandId: string): Promise<void> {
    const record = this.toResume.get(commandId);
    if (record) {
      this.toResume.delete(commandId);
      this.deliver(await this.documents.cancelRecord(record));
      return;
    }
    const entry = await this.store.readPending(commandId);
    if (entry.state === 'ok') this.deliver(await this.documents.cancelBeforeStart(entry.value));
    else if (entry.state === 'corrupt') this.deliver(await endCommandFailed(this.store, commandId, corruptStateMessage(entry.reason), this.clock));
  }

  /** A run ended, its result about to be spooled: publish it now if the caller takes results that early. */
  private announce(result: CommandResult): void {
    const { onEnding } = this.options;
    if (!onEnding) return;
    this.announced.add(result.commandId);
    try {
      onEnding(result);
    } catch (error) {
      // The result is about to be spooled; it goes out with pendingResults() after the next reconnect.
      this.options.logger.warn('a result listener threw', { commandId: result.commandId, err: (error as Error).message });
    }
  }

  /** A result is in the spool: publish it, unless it went out already as its run ended. */
  private deliver(result: CommandResult): void {
    if (this.announced.delete(result.commandId)) return;
    try {
      this.options.onResult?.(result);
    } catch (error) {
      // The result is spooled; it goes out with pendingResults() after the next reconnect.
      this.options.logger.warn('a result listener threw', { commandId: result.commandId, err: (error as Error).message });
    }
  }
}
