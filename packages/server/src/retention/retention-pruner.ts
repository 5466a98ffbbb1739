/**
 * Runs every retention kind on one clock: once at start (finishing whatever a run that died midway left), then
 * every `intervalMs`. Each run that removed something, or failed, is one audit event with the counts of every
 * kind, never one per record; a run that found nothing to remove is only logged (an audit trail of "nothing
 * happened" every hour would bury the events that matter).
 */
import type { AuditEvent } from '../audit/audit-record.js';
import { PartialPruneError, type PruneCounts, type RetentionKind } from './retention-kind.js';
import { cutoffFor } from './retention-settings.js';

export const RETENTION_AUDIT_OPERATION = 'tender:PruneHistory';
export const RETENTION_AUDIT_CALLER = 'tender:retention';
const HOUR_MS = 3_600_000;

interface PrunerLogger {
  info(object: object, message: string): void;
  debug(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface RetentionPrunerOptions {
  kinds: readonly RetentionKind[];
  now: () => Date;
  audit: (event: AuditEvent) => Promise<unknown>;
  logger?: PrunerLogger;
  /** How often to prune after the first run (default one hour); 0 runs only at start and on demand. */
  intervalMs?: number;
}

export interface KindReport {
  kind: string;
  days: number;
  cutoff: string;
  removed: PruneCounts;
  /** How long the kind's prune took (for logs and the benchmark). */
  ms: number;
  error?: string;
}

export interface RetentionRunReport {
  time: string;
  kinds: KindReport[];
}

export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionRunReport> | undefined;
  private stopped = false;

  constructor(private readonly options: RetentionPrunerOptions) {}

  /** Prunes now (in the background: a large first prune does not hold up the start), then on the interval. */
  start(): void {
    void this.runOnce().catch(() => undefined);
    const intervalMs = this.options.intervalMs ?? HOUR_MS;
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.runOnce().catch(() => undefined), intervalMs);
      this.timer.unref();
    }
  }

  /** Stops the timer and waits for a run under way (its current batch finishes; the rest waits for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One run of every kind; a run asked for while one is under way is that run. */
  runOnce(): Promise<RetentionRunReport> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<RetentionRunReport> {
    const now = this.options.now();
    const report: RetentionRunReport = { time: now.toISOString(), kinds: [] };
    for (const kind of this.options.kinds) {
      if (this.stopped) break;
      const cutoff = cutoffFor(now, kind.days);
      const entry: KindReport = { kind: kind.name, days: kind.days, cutoff: cutoff.toISOString(), removed: {}, ms: 0 };
      const started = performance.now();
      try {
        entry.removed = await kind.prune(cutoff);
      } catch (error) {
        // One kind failing (a file it cannot read) does not keep the others from being pruned.
        entry.error = (error as Error).message;
        if (error instanceof PartialPruneError) entry.removed = error.removed;
        this.options.logger?.error({ err: error, kind: kind.name }, 'pruning history failed');
      }
      entry.ms = Math.round(performance.now() - started);
      report.kinds.push(entry);
    }
    const removedAnything = report.kinds.some((entry) => Object.values(entry.removed).some((count) => count > 0));
    const failed = report.kinds.filter((entry) => entry.error !== undefined);
    if (!removedAnything && failed.length === 0) {
      this.options.logger?.debug({ kinds: report.kinds.map((entry) => entry.kind) }, 'nothing older than the retention periods');
      return report;
    }
    this.options.logger?.info({ kinds: report.kinds }, 'pruned history past its retention period');
    await this.options.audit({
      time: report.time,
      caller: RETENTION_AUDIT_CALLER,
      operation: RETENTION_AUDIT_OPERATION,
      resources: report.kinds.map((entry) => entry.kind),
      source: 'internal',
      outcome: failed.length > 0 ? 'error' : 'success',
      ...(failed.length > 0 ? { errorCode: 'RetentionPruneFailed' } : {}),
      detail: describeRun(report),
    });
    return report;
  }
}

/** `commands (30 days, before 2026-10-30T00:00:00.000Z): 3 commands, 7 invocations; ...` */
export function describeRun(report: RetentionRunReport): string {
  return report.kinds
    .map((entry) => {
      const counts = Object.entries(entry.removed).map(([thing, count]) => `${count} ${thing}`);
      const done = counts.length > 0 ? counts.join(', ') : 'nothing';
      const outcome = entry.error !== undefined ? `${done}; failed: ${entry.error}` : done;
      return `${entry.kind} (${entry.days} days, before ${entry.cutoff}): ${outcome}`;
    })
    .join('; ');
}
