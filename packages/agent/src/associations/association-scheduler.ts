/**
 * The agent's State Manager: it holds the associations the control plane sent, runs each on its schedule with the
 * agent's own clock (no control plane needed at run time), and turns every finished run into a spooled
 * AssociationRunReport.
 *
 * Runs go through a CommandRunner of their own (state under `<stateDir>/associations/`): the same document runner,
 * durability, reboot handling and recovery as Run Command, kept apart so that association runs never appear as
 * command results and a busy Run Command queue never delays a schedule. Its results are taken over here (report
 * spooled first, then the runner's result acknowledged), so the runner's own spool is only a hand-over point.
 *
 * Rules:
 *   - runs of one association never overlap: while one runs, its slots wait; when it ends the association is looked
 *     at again, and slots that passed meanwhile are folded into one run (due-runs.ts), as after a restart;
 *   - a run is recorded (state.json: covered slots and the run in flight) before it is handed to the runner, so a
 *     restart never runs a slot twice, and a run interrupted by the restart is still reported (Failed, by the
 *     runner's recovery, or resumed after the reboot it asked for);
 *   - a removed association stops being scheduled; a run of it already going finishes and is reported;
 *   - `association-run-now` runs at once, or right after the association's current run (queued durably).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@tender/plugin-api';
import type { AssociationBody, AssociationRunReport, AssociationRunTrigger, AssociationsBody } from '@tender/protocol';
import { CommandRunner, systemClock, type Clock, type CommandResult, type CommandRunnerOptions } from '../runner/index.js';
import { stepBody } from '../run-command/command-channel.js';
import { AssociationReportSpool } from './association-report-spool.js';
import { associationsFolder, AssociationStore, type InFlightRun, type ScheduleProgress } from './association-store.js';
import { dueRun, isNewVersion } from './due-runs.js';

/** The document name whose association takes over the agent's built-in inventory schedule. */
export const INVENTORY_DOCUMENT = 'AWS-GatherSoftwareInventory';
/** Acknowledged association runs keep their outputs under associations/runs/ this long, for a person to read. */
const KEEP_FINISHED_RUNS_MS = 24 * 3600_000;

export interface AssociationSchedulerOptions {
  stateDir: string;
  logger: Logger;
  /** The scheduler's time: when slots are due, and its timers. Default: the system clock. */
  clock?: Clock;
  /** How the runner runs documents (actions, instance facts, secrets, inventory services, ...). */
  runner: Omit<CommandRunnerOptions, 'stateDir' | 'logger' | 'onResult' | 'onProgress' | 'clock'>;
  /** A report is in the spool: send it (the channel). */
  onReport?: (report: AssociationRunReport) => void;
  /**
   * The set is loaded at start or changed (stored, or associations removed): e.g. the inventory schedule checks
   * whether to stand down. Revision 0: no set was ever received from the control plane.
   */
  onSetChanged?: (associations: readonly AssociationBody[], revision: number) => void;
}

/** What applySet() did with a set. */
export type ApplySetOutcome = { stored: true; added: string[]; changed: string[]; removed: string[] } | { stored: false; reason: 'older' | 'same'; held: number };

export class AssociationScheduler {
  private readonly timers = new Map<string, () => void>();
  private readonly clock: Clock;
  private started = false;
  private stopping = false;

  private constructor(
    readonly store: AssociationStore,
    readonly spool: AssociationReportSpool,
    readonly runner: CommandRunner,
    private readonly options: AssociationSchedulerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  static async open(options: AssociationSchedulerOptions): Promise<AssociationScheduler> {
    const store = await AssociationStore.open(options.stateDir, options.logger);
    const spool = await AssociationReportSpool.open(options.stateDir, options.logger);
    const handle: { scheduler?: AssociationScheduler } = {};
    const runner = await CommandRunner.open({
      ...options.runner,
      stateDir: associationsFolder(options.stateDir),
      logger: options.logger,
      // Step timeouts and run timestamps are real time even when a test speeds the schedule up.
      clock: systemClock,
      onResult: (result) => void handle.scheduler?.finishRun(result),
    });
    handle.scheduler = new AssociationScheduler(store, spool, runner, options);
    return handle.scheduler;
  }

  get associations(): readonly AssociationBody[] {
    return this.store.associations;
  }

  get revision(): number {
    return this.store.revision;
  }

  /**
   * Picks up what the previous agent process left (runs to report, runs to resume, a run recorded but never handed
   * to the runner), then schedules every association. Call once, before the transport delivers anything.
   */
  async start(): Promise<void> {
    const recovered = await this.runner.recover();
    for (const result of await this.runner.pendingResults()) await this.finishRun(result);
    for (const run of this.store.inFlight()) {
      const location = this.runner.store.locate(run.runId);
      if (location === undefined) {
        // Recorded, then the agent stopped before the runner had it: hand it over now (it never started).
        const association = this.store.association(run.associationId);
        if (association) await this.handOver(association, run);
        else this.report(this.reportWithoutRun(run, 'Skipped', `association ${run.associationId} was removed before its run started`));
      } else if (location === 'completed' && !this.runner.store.isSpooled(run.runId)) {
        // Reported and handed back, but the agent stopped before noting it here.
        this.store.endRun(this.spool.pending().find((r) => r.runId === run.runId) ?? this.reportWithoutRun(run, 'Failed', 'the agent lost track of this run'));
      }
    }
    if (recovered.ended.length || recovered.resumed.length || recovered.requeued.length) {
      this.options.logger.info('association runs recovered', { ended: recovered.ended.map((r) => r.commandId), resumed: recovered.resumed, requeued: recovered.requeued });
    }
    this.options.logger.info('associations loaded', { revision: this.store.revision, associations: this.store.associations.length, spooledReports: this.spool.size });
    this.started = true;
    this.options.onSetChanged?.(this.store.associations, this.store.revision);
    for (const association of this.store.associations) this.evaluate(association.associationId);
  }

  /**
   * Replaces the held set with a validated one (parseAssociationsBody). A set older than the one held is ignored;
   * the same revision again changes nothing. Added and changed associations are applied (per their rules),
   * removed ones stop being scheduled.
   */
  applySet(body: AssociationsBody): ApplySetOutcome {
    if (body.revision < this.store.revision) return { stored: false, reason: 'older', held: this.store.revision };
    if (body.revision === this.store.revision && this.store.revision > 0) return { stored: false, reason: 'same', held: this.store.revision };
    const before = new Map(this.store.associations.map((a) => [a.associationId, a]));
    this.store.replaceSet(body, new Date(this.clock.now()).toISOString());
    const added: string[] = [];
    const changed: string[] = [];
    for (const association of body.associations) {
      const old = before.get(association.associationId);
      if (!old) added.push(association.associationId);
      else if (old.associationVersion !== association.associationVersion) changed.push(association.associationId);
      before.delete(association.associationId);
    }
    const removed = [...before.keys()];
    for (const id of removed) this.cancelTimer(id);
    this.options.logger.info('associations stored', { revision: body.revision, associations: body.associations.length, added, changed, removed });
    this.options.onSetChanged?.(this.store.associations, this.store.revision);
    for (const association of body.associations) this.evaluate(association.associationId);
    return { stored: true, added, changed, removed };
  }

  /** StartAssociationsOnce for this host: run now, or right after the association's current run. */
  runNow(associationId: string, executionId: string): 'started' | 'queued' | 'duplicate' | 'unknown' {
    const association = this.store.association(associationId);
    const known = this.store.inFlight().some((run) => run.executionId === executionId) || this.spool.pending().some((r) => r.executionId === executionId) || this.store.progress(associationId)?.runNow?.includes(executionId);
    if (known) return 'duplicate';
    if (!association) {
      const run: InFlightRun = { runId: randomUUID(), associationId, associationVersion: '', trigger: 'run-now', scheduledAt: new Date(this.clock.now()).toISOString(), executionId };
      this.report(this.reportWithoutRun(run, 'Skipped', `this instance does not hold association ${associationId} (revision ${this.store.revision})`));
      return 'unknown';
    }
    if (this.isRunning(associationId)) {
      this.store.setRunNow(associationId, [...(this.store.progress(associationId)?.runNow ?? []), executionId]);
      return 'queued';
    }
    void this.startRun(association, 'run-now', new Date(this.clock.now()), executionId);
    return 'started';
  }

  /** The control plane stored these reports. */
  async acknowledge(runIds: readonly string[]): Promise<number> {
    return this.spool.acknowledge(runIds);
  }

  /** Whether the held set has an association of this document (the inventory schedule's question). */
  holdsDocument(documentName: string): boolean {
    return this.store.associations.some((a) => a.documentName === documentName);
  }

  /** Resolves when no association run is running or waiting in the runner. */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** The agent is stopping: no more timers; running runs are stopped and end Failed (reported after the restart). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const id of [...this.timers.keys()]) this.cancelTimer(id);
    await this.runner.stop();
  }

  private isRunning(associationId: string): boolean {
    return this.store.inFlight().some((run) => run.associationId === associationId);
  }

  /** Decides what the association does next: run now, arm a timer, or nothing (running, or no run left). */
  private evaluate(associationId: string): void {
    this.cancelTimer(associationId);
    if (!this.started || this.stopping || this.isRunning(associationId)) return;
    const association = this.store.association(associationId);
    if (!association) return;
    const progress = this.store.progress(associationId);
    const [queuedRunNow] = progress?.runNow ?? [];
    if (queuedRunNow !== undefined) {
      void this.startRun(association, 'run-now', new Date(this.clock.now()), queuedRunNow);
      return;
    }
    const now = this.clock.now();
    const due = dueRun(association, progress, now);
    if (due.kind === 'now') {
      if (due.folded > 1) this.options.logger.info('association slots were missed (agent stopped or busy); running once for the latest', { associationId, missed: due.folded, scheduledAt: due.scheduledAt.toISOString() });
      void this.startRun(association, due.trigger, due.scheduledAt);
    } else if (due.kind === 'later') {
      this.timers.set(associationId, this.clock.setTimer(() => {
        this.timers.delete(associationId);
        this.evaluate(associationId);
      }, due.at.getTime() - now));
    }
  }

  private cancelTimer(associationId: string): void {
    this.timers.get(associationId)?.();
    this.timers.delete(associationId);
  }

  /** Records the run (state.json), then hands it to the runner. */
  private async startRun(association: AssociationBody, trigger: AssociationRunTrigger, scheduledAt: Date, executionId?: string): Promise<void> {
    const now = this.clock.now();
    const runId = randomUUID();
    const id = association.associationId;
    const previous = this.store.progress(id);
    const run: InFlightRun = { runId, associationId: id, associationVersion: association.associationVersion, trigger, scheduledAt: scheduledAt.toISOString(), ...(executionId ? { executionId } : {}) };
    // startedAt and endedAt are real time, as the runner's; scheduledAt is the scheduler's (a test clock may run ahead).
    const lastRun = { runId, associationVersion: association.associationVersion, trigger, scheduledAt: run.scheduledAt, startedAt: new Date().toISOString() };
    let progress: ScheduleProgress;
    if (trigger === 'run-now') {
      // StartAssociationsOnce leaves the schedule where it was (a new version is still applied afterwards).
      progress = { ...(previous ?? { version: '', coveredUntil: new Date(0).toISOString() }), lastRun };
      const rest = (previous?.runNow ?? []).filter((queued) => queued !== executionId);
      if (rest.length) progress.runNow = rest;
      else delete progress.runNow;
    } else {
      // Every slot up to now is done by this run (or, for a new version, by its application).
      progress = { version: association.associationVersion, coveredUntil: new Date(Math.max(now, scheduledAt.getTime())).toISOString(), lastRun, ...(previous?.runNow ? { runNow: previous.runNow } : {}) };
      if (isNewVersion(association, previous) && trigger === 'schedule') this.options.logger.debug('a new association version waits for its schedule (ApplyOnlyAtCronInterval)', { associationId: id });
    }
    try {
      this.store.startRun(run, progress);
    } catch (error) {
      this.options.logger.error('could not record an association run; not started (tried again at its next slot)', { associationId: id, err: (error as Error).message });
      return;
    }
    this.options.logger.info('association run starting', { associationId: id, associationVersion: association.associationVersion, trigger, scheduledAt: run.scheduledAt, runId, ...(executionId ? { executionId } : {}) });
    await this.handOver(association, run);
  }

  private async handOver(association: AssociationBody, run: InFlightRun): Promise<void> {
    try {
      await this.runner.accept({
        commandId: run.runId,
        documentName: association.documentName,
        documentVersion: association.documentVersion,
        document: association.document as never,
        parameters: association.parameters,
        ...(association.secrets !== undefined ? { secrets: association.secrets } : {}),
        ...(association.executionTimeoutSeconds !== undefined ? { executionTimeoutSeconds: association.executionTimeoutSeconds } : {}),
        comment: `association ${association.associationId} version ${association.associationVersion} (${run.trigger})`,
        receivedAt: new Date().toISOString(),
      });
    } catch (error) {
      // The runner refused it (a parameter shape it cannot use, or the agent is stopping): reported as Failed.
      if (this.stopping) return;
      this.options.logger.error('an association run could not start', { associationId: association.associationId, runId: run.runId, err: (error as Error).message });
      this.report(this.reportWithoutRun(run, 'Failed', (error as Error).message));
    }
  }

  /** A run ended (or was ended by recovery): spool its report, hand the result back to the runner, schedule on. */
  private async finishRun(result: CommandResult): Promise<void> {
    const run = this.store.inFlightRun(result.commandId);
    if (!run) {
      // Not one of ours any more (reported before a crash undid the acknowledgement): nothing to report twice.
      if (!this.spool.has(result.commandId)) this.options.logger.warn('an association run ended that the agent has no record of; not reported', { runId: result.commandId });
      await this.runner.ackResult(result.commandId);
      return;
    }
    const report: AssociationRunReport = {
      ...runIdentity(run),
      status: result.status,
      detailedStatus: result.statusDetails,
      startedAt: result.startedAt ?? result.endedAt,
      endedAt: result.endedAt,
      responseCode: result.responseCode,
      steps: result.steps.map(stepBody),
    };
    this.spool.add(report);
    await this.runner.ackResult(run.runId);
    this.report(report, false);
    this.options.logger.info('association run finished', { associationId: run.associationId, runId: run.runId, trigger: run.trigger, status: report.status });
    await this.runner.store.prune(Date.now() - KEEP_FINISHED_RUNS_MS).catch(() => undefined);
    this.evaluate(run.associationId);
  }

  /** Ends a run in the books: spooled (unless already), no longer in flight, sent. */
  private report(report: AssociationRunReport, spool = true): void {
    if (spool) this.spool.add(report);
    this.store.endRun(report);
    try {
      this.options.onReport?.(report);
    } catch (error) {
      this.options.logger.warn('a report listener threw', { runId: report.runId, err: (error as Error).message });
    }
  }

  private reportWithoutRun(run: InFlightRun, status: 'Failed' | 'Skipped', why: string): AssociationRunReport {
    const at = new Date().toISOString();
    return {
      ...runIdentity(run),
      status,
      detailedStatus: why,
      startedAt: at,
      endedAt: at,
      responseCode: -1,
      steps: [],
    };
  }
}

/** The fields by which a report names its run (the same in every report of the run). */
function runIdentity(run: InFlightRun): InFlightRun {
  const { runId, associationId, associationVersion, trigger, scheduledAt, executionId } = run;
  return { runId, associationId, associationVersion, trigger, scheduledAt, ...(executionId ? { executionId } : {}) };
}
