/**
 * Deleting whole groups of records (a command with its invocations and output files; a maintenance-window
 * execution with its task executions and invocations) so that a crash never leaves part of a group behind.
 *
 * The store makes each row's change durable, not a set of them, so a group is deleted under an intent: first a
 * row in `retention-intents` naming every row and file of the batch, then the deletions, then the intent is
 * removed. Every kind's prune() begins by carrying out the intents its last run left (resume()), so a process
 * that dies midway has its batch finished by the next run (which runs at start). Deleting a row or a file that
 * is already gone changes nothing, so carrying an intent out twice is harmless.
 *
 * Cheap: every deletion of a batch is issued in the same turn of the event loop, which the embedded store
 * writes as one journal batch with one fdatasync; a batch of 2,000 groups costs three synced writes (intent,
 * deletions, intent removed), not one per record.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Store, Table } from '../store/store.js';

export const RETENTION_INTENTS_TABLE = 'retention-intents';
/** Directories removed concurrently: enough to overlap the file system's latency, few enough to spare descriptors. */
const FILES_AT_ONCE = 16;

export interface RowRef {
  table: string;
  key: string;
}

/** What goes together: its rows and the files or directories (relative to the kind's file root) that belong to them. */
export interface DeletionGroup {
  rows: RowRef[];
  files?: string[];
}

export interface DeletionIntent {
  /** Its own key in the table: `<kind>/<time>/<pid>-<n>`. */
  key: string;
  kind: string;
  createdAt: string;
  rows: RowRef[];
  files: string[];
}

/** How many rows of each table, and how many files, went. */
export interface Removed {
  rows: Record<string, number>;
  files: number;
}

export interface StoreDeletionsOptions {
  /** The kind these deletions are for: each kind resumes only its own intents. */
  kind: string;
  /** Where `files` are, for kinds that have files (the commands' output directory). */
  fileRoot?: string;
  /** Groups per intent (default 2,000): each batch costs three synced writes, whatever its size. */
  groupsPerBatch?: number;
  now: () => Date;
}

export class StoreDeletions {
  private readonly intents: Table<DeletionIntent>;
  private readonly groupsPerBatch: number;
  private sequence = 0;

  constructor(
    private readonly store: Store,
    private readonly options: StoreDeletionsOptions,
  ) {
    this.intents = store.table<DeletionIntent>(RETENTION_INTENTS_TABLE);
    this.groupsPerBatch = Math.max(1, options.groupsPerBatch ?? 2_000);
  }

  /** Deletes every group, a batch at a time; returns how many rows of each table and how many files went. */
  async deleteGroups(groups: readonly DeletionGroup[]): Promise<Removed> {
    const removed: Removed = { rows: {}, files: 0 };
    for (let start = 0; start < groups.length; start += this.groupsPerBatch) {
      addTo(removed, await this.carryOut(await this.plan(groups.slice(start, start + this.groupsPerBatch))));
    }
    return removed;
  }

  /**
   * Finishes the intents a run that died midway left; returns what they removed, and every row they named
   * (whether it was still there or not: a caller that indexes records in memory forgets all of them).
   */
  async resume(): Promise<Removed & { named: RowRef[] }> {
    const removed: Removed & { named: RowRef[] } = { rows: {}, files: 0, named: [] };
    const pending = (await this.intents.readAll()).filter((intent) => intent.kind === this.options.kind);
    for (const intent of pending) {
      for (const row of intent.rows) removed.named.push(row);
      addTo(removed, await this.carryOut(intent.key));
    }
    return removed;
  }

  /** Step one: the durable record of what is about to go. Its key. */
  async plan(groups: readonly DeletionGroup[]): Promise<string> {
    // Unique within this process and across restarts (the time), and sortable.
    const createdAt = this.options.now().toISOString();
    const key = `${this.options.kind}/${createdAt}/${process.pid}-${this.sequence++}`;
    const intent: DeletionIntent = {
      key,
      kind: this.options.kind,
      createdAt,
      rows: groups.flatMap((group) => group.rows),
      files: groups.flatMap((group) => group.files ?? []),
    };
    await this.intents.put(key, intent);
    return key;
  }

  /** Step two: delete what the intent names, then the intent. */
  async carryOut(key: string): Promise<Removed> {
    const intent = await this.intents.read(key);
    if (!intent) return { rows: {}, files: 0 };
    // All in one turn: one journal batch.
    const outcomes = await Promise.all(intent.rows.map(({ table, key: rowKey }) => this.store.table(table).delete(rowKey)));
    const rows: Record<string, number> = {};
    intent.rows.forEach(({ table }, index) => {
      if (outcomes[index]) rows[table] = (rows[table] ?? 0) + 1;
    });
    let files = 0;
    for (let start = 0; start < intent.files.length; start += FILES_AT_ONCE) {
      const removed = await Promise.all(intent.files.slice(start, start + FILES_AT_ONCE).map((file) => this.removeFile(file)));
      files += removed.filter(Boolean).length;
    }
    await this.intents.delete(key);
    return { rows, files };
  }

  private async removeFile(relative: string): Promise<boolean> {
    const root = this.options.fileRoot;
    if (root === undefined) throw new Error(`retention of ${this.options.kind} has no file root, but an intent names ${JSON.stringify(relative)}`);
    const file = path.resolve(root, relative);
    // The intent is our own record, but a path outside the root is never removed, whatever wrote it.
    if (!file.startsWith(path.resolve(root) + path.sep)) throw new Error(`refusing to remove ${file}: it is outside ${root}`);
    const existed = await fs.access(file).then(() => true, () => false);
    await fs.rm(file, { recursive: true, force: true });
    return existed;
  }
}

function addTo(total: Removed, more: Removed): void {
  for (const [table, count] of Object.entries(more.rows)) total.rows[table] = (total.rows[table] ?? 0) + count;
  total.files += more.files;
}
