/**
 * The retention kind of a history kept in the store as groups of rows: one record whose age counts (a command, a
 * maintenance-window execution, an association execution) and the rows of other tables that belong to it (its
 * invocations, task executions, per-host rows...), found by the record's id they carry, plus, for some kinds, files.
 * A capability describes its history (storedHistoryRetention({ records, parts, ... })) and this does the rest,
 * the same way for every kind:
 *
 *   1. finish the deletions an earlier run left half done (StoreDeletions.resume: crash-safe, `retention-intents`);
 *   2. list the records that are finished and ended before the cutoff (one that is not finished is never pruned,
 *      however old; one whose end is not a date is kept, not guessed at);
 *   3. gather each one's parts by a pass over each part table (only when something expired: a run with nothing
 *      to remove reads the records' table alone), and delete each record with its parts and files as one group.
 *
 * By the id every part carries, not by the record's own links to its parts: a part stored just before a crash,
 * before its record named it, goes with its record too.
 */
import type { DeepReadonly, Store } from '../store/store.js';
import type { PruneCounts, RetentionKind } from './retention-kind.js';
import { StoreDeletions, type DeletionGroup } from './store-deletions.js';

/** A table of the history, and what its deleted rows are called in the kind's counts (`invocations`). */
interface CountedTable<Row> {
  table: string;
  counted: string;
  /** The row's key in its table. */
  keyOf: (row: DeepReadonly<Row>) => string;
}

/** Rows that go with their record: `recordOf` is the id of the record they belong to. */
export interface HistoryPart<Row> extends CountedTable<Row> {
  recordOf: (row: DeepReadonly<Row>) => string;
}

/** A history whose records are rows of type `R`. */
export interface StoredHistory<R> {
  /** The kind's name (RetentionKind.name), also the kind of its deletion intents. */
  kind: string;
  store: Store;
  days: number;
  now: () => Date;
  /** The records whose age counts; their key is the id their parts carry. */
  records: CountedTable<R>;
  /** Only a finished record is pruned. */
  isFinished: (record: DeepReadonly<R>) => boolean;
  /** When the record ended (an ISO date), from which its age counts. */
  endedAt: (record: DeepReadonly<R>) => string;
  /** The other tables whose rows go with their record (historyPart), in the order their counts are reported. */
  parts: readonly HistoryPart<never>[];
  /**
   * Files that go with a record, relative to `root` (the commands' stored outputs). `lister` is called once a run
   * and returns the files of one record: a kind can list a directory once rather than look at the disk per record.
   */
  files?: { root: string; counted: string; lister: () => Promise<(recordKey: string) => string[]> };
  /** Told the keys of every record that went, those an interrupted run left and this run finished included. */
  onPruned?: (recordKeys: ReadonlySet<string>) => void;
  /** Groups per deletion intent (StoreDeletions' default otherwise). */
  groupsPerBatch?: number;
}

/**
 * A part of a history with rows of type `Row`, as StoredHistory.parts holds it (parts of any row type fit there:
 * each part's functions are only ever handed rows of its own table).
 */
export function historyPart<Row>(part: HistoryPart<Row>): HistoryPart<never> {
  return part;
}

export function storedHistoryRetention<R>(history: StoredHistory<R>): RetentionKind {
  const deletions = new StoreDeletions(history.store, {
    kind: history.kind,
    now: history.now,
    ...(history.files ? { fileRoot: history.files.root } : {}),
    ...(history.groupsPerBatch ? { groupsPerBatch: history.groupsPerBatch } : {}),
  });
  const records = history.store.table<R>(history.records.table);
  return {
    name: history.kind,
    days: history.days,
    async prune(cutoff: Date): Promise<PruneCounts> {
      const resumed = await deletions.resume();
      const expired = new Map<string, DeletionGroup>();
      const filesOf = history.files ? await history.files.lister() : () => [];
      for (const record of await records.readAll()) {
        if (!history.isFinished(record)) continue;
        if (!(Date.parse(history.endedAt(record)) < cutoff.getTime())) continue;
        const key = history.records.keyOf(record);
        expired.set(key, { rows: [], files: filesOf(key) });
      }
      if (expired.size > 0) {
        for (const part of history.parts) {
          for (const row of await history.store.table<never>(part.table).readAll()) {
            expired.get(part.recordOf(row))?.rows.push({ table: part.table, key: part.keyOf(row) });
          }
        }
        for (const [key, group] of expired) group.rows.push({ table: history.records.table, key });
      }
      const removed = await deletions.deleteGroups([...expired.values()]);

      const gone = new Set(resumed.named.filter((row) => row.table === history.records.table).map((row) => row.key));
      for (const key of expired.keys()) gone.add(key);
      if (gone.size > 0) history.onPruned?.(gone);
      const count = (table: string) => (resumed.rows[table] ?? 0) + (removed.rows[table] ?? 0);
      const counts: PruneCounts = { [history.records.counted]: count(history.records.table) };
      for (const part of history.parts) counts[part.counted] = count(part.table);
      if (history.files) counts[history.files.counted] = resumed.files + removed.files;
      return counts;
    },
  };
}
