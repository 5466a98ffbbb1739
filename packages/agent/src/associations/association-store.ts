/**
 * What the agent keeps about State Manager, in `<stateDir>/associations/state.json` (one file, written
 * atomically after every change, so a crash leaves the state before or after a change, never half of one):
 *
 *   - the set the control plane sent last and its revision (documents included: a run never waits on the network);
 *   - per association, where its schedule stands: the version it follows and the instant up to which its schedule
 *     slots are done (`coveredUntil`), and its last run for `tender-agent status`;
 *   - the runs started and not yet turned into a report (`inFlight`), so a run interrupted by a crash or a reboot
 *     is still reported once the runner ends it.
 *
 * The reports themselves are in the report spool (association-report-spool.ts), the runs' own state in the
 * association runner's command store (`associations/commands/`, `associations/runs/`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, readJsonFile, StateFileError, writeJsonFileSync } from '@tender/local-state';
import type { Logger } from '@tender/plugin-api';
import type { AssociationBody, AssociationRunReport, AssociationRunTrigger, AssociationsBody } from '@tender/protocol';

export const ASSOCIATIONS_FOLDER = 'associations';
const FORMAT = 1;

/** The latest run of an association, for status: started, and once ended, how. */
export interface LastRun {
  runId: string;
  associationVersion: string;
  trigger: AssociationRunTrigger;
  scheduledAt: string;
  startedAt: string;
  endedAt?: string;
  status?: AssociationRunReport['status'];
  detailedStatus?: string;
}

/** Where one association's schedule stands. */
export interface ScheduleProgress {
  /** The association version these fields are about; another version in the set is new to the agent. */
  version: string;
  /** Schedule slots at or before this instant (ISO 8601) have been run (or folded into a run, see due-runs.ts). */
  coveredUntil: string;
  lastRun?: LastRun;
  /** StartAssociationsOnce requests waiting for the association's current run to end (runs never overlap). */
  runNow?: string[];
}

/** A run handed to the runner whose report is not in the spool yet: the identity its report will carry. */
export type InFlightRun = Pick<AssociationRunReport, 'runId' | 'associationId' | 'associationVersion' | 'trigger' | 'scheduledAt' | 'executionId'>;

export interface AssociationStateFile {
  format: typeof FORMAT;
  revision: number;
  /** When the agent stored this revision (ISO 8601). */
  storedAt?: string;
  associations: AssociationBody[];
  progress: Record<string, ScheduleProgress>;
  inFlight: Record<string, InFlightRun>;
}

function emptyState(): AssociationStateFile {
  return { format: FORMAT, revision: 0, associations: [], progress: {}, inFlight: {} };
}

function stateProblems(value: unknown): string | undefined {
  const state = value as Partial<AssociationStateFile> | null;
  if (typeof state !== 'object' || state === null || state.format !== FORMAT) return `format must be ${FORMAT}`;
  if (!Number.isSafeInteger(state.revision) || !Array.isArray(state.associations)) return 'revision and associations are missing';
  if (typeof state.progress !== 'object' || state.progress === null || typeof state.inFlight !== 'object' || state.inFlight === null) return 'progress and inFlight are missing';
  return undefined;
}

export function associationsFolder(stateDir: string): string {
  return path.join(stateDir, ASSOCIATIONS_FOLDER);
}

export function associationStateFile(stateDir: string): string {
  return path.join(associationsFolder(stateDir), 'state.json');
}

/**
 * Reads the state without taking it over (`tender-agent status`, tests): undefined when the agent has none yet.
 * @throws StateFileError when the file is unreadable or not an association state.
 */
export async function readAssociationState(stateDir: string): Promise<AssociationStateFile | undefined> {
  const file = associationStateFile(stateDir);
  const value = await readJsonFile<unknown>(file);
  if (value === undefined) return undefined;
  const problem = stateProblems(value);
  if (problem) throw new StateFileError(file, `${file} is not an association state this agent knows: ${problem}`);
  return value as AssociationStateFile;
}

export class AssociationStore {
  private constructor(
    readonly file: string,
    private state: AssociationStateFile,
  ) {}

  /**
   * Opens the state (an empty one the first time). A corrupt file is moved aside with a logged error and the
   * agent starts with no associations: the control plane sends the whole set again on the next hello.
   */
  static async open(stateDir: string, logger: Logger): Promise<AssociationStore> {
    await ensurePrivateDir(associationsFolder(stateDir));
    const file = associationStateFile(stateDir);
    try {
      return new AssociationStore(file, (await readAssociationState(stateDir)) ?? emptyState());
    } catch (error) {
      const aside = `${file}.corrupt-${Date.now()}`;
      await fs.rename(file, aside).catch(() => undefined);
      logger.error('the association state is unreadable; moved aside, starting with no associations until the control plane sends them again', { file, movedTo: aside, err: (error as Error).message });
      return new AssociationStore(file, emptyState());
    }
  }

  get revision(): number {
    return this.state.revision;
  }

  get associations(): readonly AssociationBody[] {
    return this.state.associations;
  }

  association(associationId: string): AssociationBody | undefined {
    return this.state.associations.find((a) => a.associationId === associationId);
  }

  progress(associationId: string): ScheduleProgress | undefined {
    return this.state.progress[associationId];
  }

  inFlight(): InFlightRun[] {
    return Object.values(this.state.inFlight);
  }

  inFlightRun(runId: string): InFlightRun | undefined {
    return this.state.inFlight[runId];
  }

  /** A copy of the whole state (status, tests). */
  snapshot(): AssociationStateFile {
    return structuredClone(this.state);
  }

  /**
   * Replaces the set (already validated). Progress of associations no longer in it is forgotten; runs in flight
   * keep their record so that they are still reported. One write: the new set and its progress, or neither.
   */
  replaceSet(body: AssociationsBody, storedAt: string): void {
    const ids = new Set(body.associations.map((a) => a.associationId));
    const progress = Object.fromEntries(Object.entries(this.state.progress).filter(([id]) => ids.has(id)));
    this.write({ ...this.state, revision: body.revision, storedAt, associations: structuredClone(body.associations), progress });
  }

  /** Records a run about to be handed to the runner: on disk before it starts, so it never runs twice for a slot. */
  startRun(run: InFlightRun, progress: ScheduleProgress): void {
    this.write({ ...this.state, progress: { ...this.state.progress, [run.associationId]: progress }, inFlight: { ...this.state.inFlight, [run.runId]: run } });
  }

  /** Queues (or clears) StartAssociationsOnce requests for an association. */
  setRunNow(associationId: string, executionIds: string[]): void {
    const current = this.state.progress[associationId];
    const association = this.association(associationId);
    if (!association) return;
    const base: ScheduleProgress = current ?? { version: '', coveredUntil: new Date(0).toISOString() };
    const next: ScheduleProgress = { ...base, ...(executionIds.length ? { runNow: executionIds } : {}) };
    if (!executionIds.length) delete next.runNow;
    this.write({ ...this.state, progress: { ...this.state.progress, [associationId]: next } });
  }

  /** The run's report is in the spool: it is no longer in flight; its association's last run says how it ended. */
  endRun(report: AssociationRunReport): void {
    const inFlight = { ...this.state.inFlight };
    delete inFlight[report.runId];
    const progress = { ...this.state.progress };
    const entry = progress[report.associationId];
    if (entry?.lastRun?.runId === report.runId) {
      progress[report.associationId] = { ...entry, lastRun: { ...entry.lastRun, endedAt: report.endedAt, status: report.status, detailedStatus: report.detailedStatus } };
    }
    this.write({ ...this.state, inFlight, progress });
  }

  private write(next: AssociationStateFile): void {
    writeJsonFileSync(this.file, next);
    this.state = next;
  }
}
