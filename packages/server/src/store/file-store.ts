import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, readJsonFile, writeFileAtomic } from '@tender/local-state';
import { deepFreeze, type Store, type Table } from './store.js';
import { applyEntry, JournalWriter, readJournal, tableMapsOf, tablesOf, type JournalEntry, type TableMaps, type Tables } from './store-journal.js';

interface FileData {
  format: 1;
  tables: Tables;
}

const SNAPSHOT = 'store.json';
const JOURNAL = 'store.journal';
/** The journal is folded into a new snapshot once it is larger than the snapshot and than this. */
const MIN_COMPACT_BYTES = 1 << 20;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFileData = (value: unknown): value is FileData =>
  isRecord(value) && value.format === 1 && isRecord(value.tables) && Object.values(value.tables).every(isRecord);

/** The snapshot as it is on disk, checked; an absent one is an empty store. Its tables come as Maps. */
async function readSnapshot(file: string): Promise<{ tables: TableMaps; bytes: number }> {
  // Read it ourselves so a corrupt file is reported by name instead of thrown as a bare SyntaxError.
  const existing = await readJsonFile<unknown>(file);
  if (existing !== undefined && !isFileData(existing)) {
    const format = isRecord(existing) ? existing.format : undefined;
    throw new Error(`${file} is not a Tender store (format ${JSON.stringify(format ?? null)}); it was left untouched`);
  }
  // Its size on disk (what compaction weighs the journal against), not a second serialisation of the whole store.
  return { tables: tableMapsOf(existing?.tables ?? {}), bytes: existing === undefined ? 0 : (await fs.stat(file)).size };
}

/**
 * Every table as the files in `dataDir` hold them (snapshot plus journal), without opening the store for
 * writing: for tests and tools that look at what is durable.
 */
export async function readStoreFiles(dataDir: string): Promise<Tables> {
  const { tables } = await readSnapshot(path.join(dataDir, SNAPSHOT));
  for (const entry of (await readJournal(path.join(dataDir, JOURNAL))).entries) applyEntry(tables, entry);
  return tablesOf(tables);
}

/**
 * The embedded store: every table held in memory, made durable in two files of the data directory. A change is
 * appended to `store.journal` (one line per changed row, one fdatasync per burst of changes: see
 * store-journal.ts); `store.json` is a snapshot of every table, rewritten atomically only when the journal has
 * grown larger than it, and when the store closes. Opening reads the snapshot and replays the journal over it
 * (replaying a line the snapshot already holds changes nothing, so a crash between writing a snapshot and
 * emptying the journal is harmless). Right for a small fleet on one host; changes are made synchronously in
 * memory, so a read-modify-write is never interleaved with another.
 */
export class FileStore implements Store {
  /** Rows changed since the last batch was cut, by table and key (a row changed twice is written once). */
  private readonly dirty = new Map<string, { table: string; key: string }>();
  private pendingWrite: Promise<void> | undefined;
  /** Batches reach the journal one at a time, in order. */
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dataDir: string,
    private readonly tables: TableMaps,
    private snapshotBytes: number,
    private readonly journal: JournalWriter,
  ) {}

  static async open(dataDir: string): Promise<FileStore> {
    await ensurePrivateDir(dataDir);
    const { tables, bytes } = await readSnapshot(path.join(dataDir, SNAPSHOT));
    const journalFile = path.join(dataDir, JOURNAL);
    const { entries, validBytes, totalBytes } = await readJournal(journalFile);
    for (const entry of entries) applyEntry(tables, entry);
    const store = new FileStore(dataDir, tables, bytes, await JournalWriter.open(journalFile, validBytes, totalBytes));
    // A new data directory gets its snapshot at once, so store.json is always there to find. Otherwise opening only
    // reads (and cuts off a torn final batch); the journal is folded in when it grows, and at close.
    if (bytes === 0) await store.compact();
    return store;
  }

  private rows(name: string): Map<string, unknown> {
    let rows = this.tables.get(name);
    if (!rows) this.tables.set(name, (rows = new Map()));
    return rows;
  }

  /**
   * One journal batch for every change made in the same turn of the event loop: a burst of N changes (a fan-out
   * to a thousand instances) costs one append and one fdatasync, not N. Each caller resumes only after the batch
   * that holds its change is on disk.
   */
  private persist(): Promise<void> {
    this.pendingWrite ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.pendingWrite = undefined;
      // Rows are replaced, never mutated in place, so the values taken here are the ones this batch stands for.
      const batch: JournalEntry[] = [...this.dirty.values()].map(({ table, key }) => {
        const rows = this.rows(table);
        return rows.has(key) ? { t: table, k: key, v: rows.get(key) } : { t: table, k: key, d: 1 };
      });
      this.dirty.clear();
      const round = this.writing.then(() => this.commit(batch));
      this.writing = round.catch(() => undefined);
      return round;
    });
    return this.pendingWrite;
  }

  private async commit(batch: readonly JournalEntry[]): Promise<void> {
    await this.journal.append(batch);
    if (this.journal.size > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) await this.compact();
  }

  /** Writes every table to a new snapshot, then empties the journal it now holds. */
  private async compact(): Promise<void> {
    const text = JSON.stringify({ format: 1, tables: tablesOf(this.tables) } satisfies FileData);
    await writeFileAtomic(path.join(this.dataDir, SNAPSHOT), text);
    this.snapshotBytes = Buffer.byteLength(text);
    await this.journal.clear();
  }

  /**
   * Change one row in memory (synchronously, so no other change interleaves), then persist. If the write fails
   * the row is put back, unless a later change has replaced it since.
   */
  private async change(name: string, key: string, next: unknown): Promise<void> {
    if (this.closed) throw new Error('the store is closed');
    const rows = this.rows(name);
    const previous = rows.get(key);
    if (next === undefined) rows.delete(key);
    else rows.set(key, next);
    this.dirty.set(`${name}\u0000${key}`, { table: name, key });
    try {
      await this.persist();
    } catch (error) {
      if (rows.get(key) === next) {
        if (previous === undefined) rows.delete(key);
        else rows.set(key, previous);
      }
      throw error;
    }
  }

  table<T>(name: string): Table<T> {
    const clone = (value: unknown): T => structuredClone(value) as T;
    return {
      get: async (key) => {
        const value = this.rows(name).get(key);
        return value === undefined ? undefined : clone(value);
      },
      read: async (key) => {
        const value = this.rows(name).get(key);
        return value === undefined ? undefined : deepFreeze(value as T);
      },
      list: async () => [...this.rows(name).values()].map(clone),
      readAll: async () => [...this.rows(name).values()].map((value) => deepFreeze(value as T)),
      put: (key, value) => this.change(name, key, structuredClone(value)),
      insert: async (key, value) => {
        if (this.rows(name).has(key)) return false;
        await this.change(name, key, structuredClone(value));
        return true;
      },
      update: async (key, change) => {
        const stored = this.rows(name).get(key);
        const current = stored === undefined ? undefined : clone(stored);
        const next = change(current);
        if (next === undefined) return current;
        await this.change(name, key, structuredClone(next));
        return clone(next);
      },
      delete: async (key) => {
        if (!this.rows(name).has(key)) return false;
        await this.change(name, key, undefined);
        return true;
      },
    };
  }

  /** Waits for pending changes, leaves everything in the snapshot, and closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.pendingWrite?.catch(() => undefined);
    await this.writing;
    this.closed = true;
    try {
      if (this.journal.size > 0) await this.compact();
    } finally {
      await this.journal.close();
    }
  }
}
