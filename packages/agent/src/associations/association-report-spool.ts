/**
 * Finished association runs waiting for the control plane: `<stateDir>/associations/reports/<runId>.json`, one
 * file per report, written atomically before anything else learns the run ended. A report leaves the spool only
 * when an `association-status-ack` names it, so runs done while the broker was unreachable (or before a restart)
 * all go up once the agent is connected again; the control plane stores each runId once.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, readJsonFile, writeJsonFileSync } from '@tender/local-state';
import type { Logger } from '@tender/plugin-api';
import type { AssociationRunReport } from '@tender/protocol';
import { isValidCommandId } from '../runner/index.js';
import { associationsFolder } from './association-store.js';
import { byCodeUnits } from '../runtime/code-unit-order.js';

const FORMAT = 1;

interface SpoolFile {
  format: typeof FORMAT;
  report: AssociationRunReport;
}

export class AssociationReportSpool {
  /** The spooled reports, by runId (few and small: a report carries output previews, not whole outputs). */
  private readonly reports = new Map<string, AssociationRunReport>();

  private constructor(readonly dir: string) {}

  static async open(stateDir: string, logger: Logger): Promise<AssociationReportSpool> {
    const spool = new AssociationReportSpool(path.join(associationsFolder(stateDir), 'reports'));
    await ensurePrivateDir(spool.dir);
    for (const name of await fs.readdir(spool.dir)) {
      const runId = /^(.+)\.json$/.exec(name)?.[1];
      if (name.startsWith('.') || runId === undefined || !isValidCommandId(runId)) continue;
      const file = path.join(spool.dir, name);
      try {
        const stored = await readJsonFile<SpoolFile>(file);
        if (stored?.format !== FORMAT || stored.report?.runId !== runId) throw new Error(`not a spooled report (format ${String(stored?.format)})`);
        spool.reports.set(runId, stored.report);
      } catch (error) {
        // A report that cannot be read cannot be sent: keep the bytes for a person, do not block the others.
        logger.error('a spooled association report is unreadable; moved aside', { file, err: (error as Error).message });
        await fs.rename(file, `${file}.corrupt`).catch(() => undefined);
      }
    }
    return spool;
  }

  /** Adds (or rewrites, identically, after a crash) a report; on disk when this returns. */
  add(report: AssociationRunReport): void {
    writeJsonFileSync(path.join(this.dir, `${report.runId}.json`), { format: FORMAT, report } satisfies SpoolFile);
    this.reports.set(report.runId, report);
  }

  has(runId: string): boolean {
    return this.reports.has(runId);
  }

  /**
   * Oldest first (by end time), as `association-status` carries them. ISO 8601 times and UUIDs sort by code unit;
   * localeCompare would load ICU's collation data (MB of memory the agent then keeps) for the same order.
   */
  pending(): AssociationRunReport[] {
    return [...this.reports.values()].sort((a, b) => byCodeUnits(a.endedAt, b.endedAt) || byCodeUnits(a.runId, b.runId));
  }

  get size(): number {
    return this.reports.size;
  }

  /** The control plane stored these runs: forget them. Unknown ids are ignored (an ack can arrive twice). */
  async acknowledge(runIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (const runId of runIds) {
      if (typeof runId !== 'string' || !this.reports.has(runId)) continue;
      await fs.rm(path.join(this.dir, `${runId}.json`), { force: true });
      this.reports.delete(runId);
      removed++;
    }
    return removed;
  }
}
