/**
 * The maintenance-window scheduler: on every tick (a timer in production, called by tests after they move their
 * clock), for each window whose lease this replica holds:
 *
 *   - the runs of its schedule since it last looked (a cursor kept in the store) are due. A run it sees on time
 *     (within `missedGraceMs`) starts an execution, or, while the window's previous execution is still going, is
 *     recorded SKIPPED_OVERLAPPING (SSM runs one execution of a window at a time). A run it sees late (the control
 *     plane was down, or this replica took the window over) is recorded FAILED with StatusDetails "Missed: ...",
 *     and is not run late;
 *   - the window's unfinished executions are advanced (execution-driver.ts).
 *
 * Everything is in the store: the cursor, the executions and their tasks and invocations, the lease. A restart
 * picks up where the records say: executions in progress resume (their commands are found again in the commands
 * service, not resent); runs that came due meanwhile are missed. Time comes only from `now`.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../audit/audit-record.js';
import type { Store, Table } from '../store/store.js';
import { ExecutionDriver, type CommandRunner, type DriverLogger } from './execution-driver.js';
import { stableId } from './stable-id.js';
import { WindowLeases } from './window-lease.js';
import { isFinal, SCHEDULE_CURSORS_TABLE, WINDOW_LEASES_TABLE, type ScheduleCursor, type WindowExecutionRecord, type WindowLease, type WindowRecord } from './window-records.js';
import { windowRuns } from './window-schedule.js';
import type { WindowService } from './window-service.js';

const HOUR_MS = 3_600_000;
/** Runs looked at per window and tick; more (a long outage of a frequent window) are dealt with on the next ticks. */
const RUNS_PER_TICK = 100;

export interface WindowSchedulerOptions {
  service: WindowService;
  store: Store;
  commands: CommandRunner;
  /** The clock schedules are read against (injected: tests move it by hand). */
  now: () => Date;
  logger: DriverLogger & { error(details: object, message: string): void };
  /**
   * This replica's name in leases and executions. It should stay the same across restarts of one replica (the
   * control plane uses its host and data directory), so that after a crash it takes its own leases straight back
   * instead of waiting for them to expire. Default: a random id.
   */
  owner?: string;
  /** How often the scheduler ticks; 0: no timer (tests call tick()). Default 1000 ms. */
  tickMs?: number;
  /** How long a lease lasts without renewal. Default 60 s. */
  leaseMs?: number;
  /** A run seen later than this after its time is missed, not started. Default 60 s. */
  missedGraceMs?: number;
  /** The audit trail: each execution the scheduler starts, skips or records as missed (the API calls are audited by the API). */
  audit?: (event: AuditEvent) => Promise<unknown>;
}

export class WindowScheduler {
  private readonly cursors: Table<ScheduleCursor>;
  private readonly leases: WindowLeases;
  private readonly driver: ExecutionDriver;
  readonly owner: string;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: WindowSchedulerOptions) {
    this.cursors = options.store.table(SCHEDULE_CURSORS_TABLE);
    this.owner = options.owner ?? `replica-${randomUUID()}`;
    this.leases = new WindowLeases(options.store.table<WindowLease>(WINDOW_LEASES_TABLE), this.owner, options.leaseMs ?? 60_000);
    this.driver = new ExecutionDriver(options.service, options.commands, options.logger);
  }

  async start(): Promise<void> {
    await this.tick();
    const tickMs = this.options.tickMs ?? 1000;
    if (tickMs > 0) {
      this.timer = setInterval(() => void this.tick().catch((error: unknown) => this.options.logger.error({ err: error }, 'maintenance window scheduler tick failed')), tickMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    await this.leases.releaseAll();
  }

  /** One pass over every window. Overlapping calls share the pass in progress. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) return this.ticking;
    this.ticking = this.pass().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async pass(): Promise<void> {
    const now = this.options.now();
    const windows = await this.options.service.listWindows();
    const held = new Set<string>();
    for (const window of windows) {
      if (!(await this.leases.hold(window.WindowId, now))) continue;
      held.add(window.WindowId);
      try {
        await this.scheduleDue(window, now);
      } catch (error) {
        // One window's trouble (a store write that failed) must not hold up the others; the next tick retries.
        this.options.logger.error({ err: error, windowId: window.WindowId }, 'scheduling a maintenance window failed; will retry');
      }
    }
    // Executions of windows this replica holds (and of windows deleted since they started, if they were its own).
    const executions = (await this.options.service.executions.readAll()).filter((e) => !isFinal(e.Status));
    for (const execution of executions) {
      if (!held.has(execution.WindowId) && !(execution.owner === this.owner && !windows.some((w) => w.WindowId === execution.WindowId))) continue;
      if (execution.owner !== this.owner) await this.options.service.executions.update(execution.WindowExecutionId, (record) => (record ? { ...record, owner: this.owner } : undefined));
      try {
        await this.driver.advance(execution.WindowExecutionId, now);
      } catch (error) {
        this.options.logger.error({ err: error, windowExecutionId: execution.WindowExecutionId }, 'advancing a maintenance window execution failed; will retry');
      }
    }
  }

  /** Deal with the runs of a window's schedule between its cursor and now. */
  private async scheduleDue(window: WindowRecord, now: Date): Promise<void> {
    const cursor = await this.cursors.get(window.WindowId);
    const from = new Date(Math.max(Date.parse(cursor?.checkedThrough ?? window.scheduleSince), Date.parse(window.scheduleSince)));
    if (from >= now) return;
    const due = windowRuns(window, from, RUNS_PER_TICK).filter((run) => run <= now);
    // Nothing due: the cursor stays (no write on every tick); the next tick looks from the same place.
    if (due.length === 0) return;
    const grace = this.options.missedGraceMs ?? 60_000;
    // A disabled window's runs pass without a record: it was not meant to run.
    for (const run of window.Enabled ? due : []) {
      if (now.getTime() - run.getTime() > grace) await this.recordMissed(window, run, now);
      else await this.startExecution(window, run, now);
    }
    // All runs up to now were dealt with, unless there were more than one tick's worth.
    const through = due.length === RUNS_PER_TICK ? due[due.length - 1]! : now;
    await this.cursors.put(window.WindowId, { WindowId: window.WindowId, checkedThrough: through.toISOString() });
  }

  private async startExecution(window: WindowRecord, run: Date, now: Date): Promise<void> {
    const id = stableId(window.WindowId, run.toISOString());
    const running = (await this.options.service.executionsOf(window.WindowId)).find((e) => !isFinal(e.Status) && e.WindowExecutionId !== id);
    const tasks = await this.options.service.tasksOf(window.WindowId);
    const start = run.getTime();
    const record: WindowExecutionRecord = {
      WindowExecutionId: id,
      WindowId: window.WindowId,
      scheduledAt: run.toISOString(),
      Status: 'PENDING',
      StatusDetails: 'Pending',
      StartTime: now.toISOString(),
      cutoffAt: new Date(start + (window.Duration - window.Cutoff) * HOUR_MS).toISOString(),
      endsAt: new Date(start + window.Duration * HOUR_MS).toISOString(),
      plan: [...tasks].sort((a, b) => a.Priority - b.Priority).map((task) => ({ WindowTaskId: task.WindowTaskId, Priority: task.Priority })),
      owner: this.owner,
    };
    if (running) {
      Object.assign(record, { Status: 'SKIPPED_OVERLAPPING', StatusDetails: `Skipped: execution ${running.WindowExecutionId} of this window was still running`, EndTime: now.toISOString(), plan: [] });
    }
    if (await this.options.service.executions.insert(id, record)) {
      this.options.logger.info({ windowId: window.WindowId, windowExecutionId: id, scheduledAt: record.scheduledAt, status: record.Status }, 'maintenance window execution created');
      await this.audit(record, 'success', `scheduled at ${record.scheduledAt}: ${record.Status === 'PENDING' ? `started with ${record.plan.length} task(s)` : record.StatusDetails}`);
    }
  }

  private async recordMissed(window: WindowRecord, run: Date, now: Date): Promise<void> {
    const id = stableId(window.WindowId, run.toISOString());
    const record: WindowExecutionRecord = {
      WindowExecutionId: id,
      WindowId: window.WindowId,
      scheduledAt: run.toISOString(),
      Status: 'FAILED',
      StatusDetails: `Missed: the window was due at ${run.toISOString()} while no control plane was running it; it was not run late`,
      StartTime: run.toISOString(),
      EndTime: now.toISOString(),
      cutoffAt: run.toISOString(),
      endsAt: new Date(run.getTime() + window.Duration * HOUR_MS).toISOString(),
      plan: [],
      owner: this.owner,
    };
    if (await this.options.service.executions.insert(id, record)) {
      this.options.logger.warn({ windowId: window.WindowId, scheduledAt: record.scheduledAt }, 'maintenance window missed: it came due while no control plane was running it');
      await this.audit(record, 'error', record.StatusDetails, 'Missed');
    }
  }

  private async audit(record: WindowExecutionRecord, outcome: 'success' | 'error', detail: string, errorCode?: string): Promise<void> {
    await this.options
      .audit?.({
        time: this.options.now().toISOString(),
        caller: `maintenance-window-scheduler:${this.owner}`,
        operation: 'tender:RunMaintenanceWindow',
        resources: [record.WindowId, record.WindowExecutionId],
        source: 'scheduler',
        outcome,
        ...(errorCode !== undefined ? { errorCode } : {}),
        detail,
      })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'could not write the audit trail'));
  }

  /** CancelMaintenanceWindowExecution: tasks not started never start; tasks running finish (SSM's rule). */
  async cancel(windowExecutionId: string): Promise<WindowExecutionRecord> {
    const updated = await this.options.service.executions.update(windowExecutionId, (record) => {
      if (!record || isFinal(record.Status) || record.cancelRequestedAt !== undefined) return undefined;
      return { ...record, Status: 'CANCELLING', StatusDetails: 'Cancelling', cancelRequestedAt: this.options.now().toISOString() };
    });
    return updated ?? this.options.service.getExecution(windowExecutionId);
  }

  /** Advance one execution now (for tests and for the API after a cancel). */
  async advance(windowExecutionId: string): Promise<WindowExecutionRecord> {
    return this.driver.advance(windowExecutionId, this.options.now());
  }
}
