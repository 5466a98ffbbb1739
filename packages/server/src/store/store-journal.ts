/**
 * The embedded store's write-ahead journal: one JSON line per changed row, appended, then made durable with one
 * fdatasync per batch (a group commit). Appending the rows that changed costs the same whatever the size of the
 * store, where rewriting the whole file (what the store did before) grew with every command it held.
 *
 *   {"t":"<table>","k":"<key>","v":<row>}\n    the row as it now is
 *   {"t":"<table>","k":"<key>","d":1}\n         the row was deleted
 *
 * A crash can leave the last batch half-written: a final line without its newline was never acknowledged to
 * anyone (its fdatasync had not returned), so it is dropped. A complete line that is not a change is a damaged
 * file, reported by name and line, never guessed at.
 */
import { close, fdatasync, ftruncate, open, promises as fs, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// A plain descriptor rather than a FileHandle: a store that is never closed (a test's) is not a leak warning.
const openFd = promisify(open);
const datasyncFd = promisify(fdatasync);
const truncateFd = promisify(ftruncate);
const closeFd = promisify(close);

/** Every table as the files hold them: table name → key → row (the snapshot's JSON shape). */
export type Tables = Record<string, Record<string, unknown>>;
/** The same in memory: Maps, which list a hundred thousand rows in milliseconds where an object's values take 100. */
export type TableMaps = Map<string, Map<string, unknown>>;

export interface JournalEntry {
  t: string;
  k: string;
  v?: unknown;
  d?: 1;
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.t === 'string' && typeof entry.k === 'string' && (entry.d === 1 ? !('v' in entry) : 'v' in entry);
}

export function applyEntry(tables: TableMaps, entry: JournalEntry): void {
  let rows = tables.get(entry.t);
  if (!rows) tables.set(entry.t, (rows = new Map()));
  if (entry.d === 1) rows.delete(entry.k);
  else rows.set(entry.k, entry.v);
}

export function tableMapsOf(tables: Tables): TableMaps {
  return new Map(Object.entries(tables).map(([name, rows]) => [name, new Map(Object.entries(rows))]));
}

export function tablesOf(tables: TableMaps): Tables {
  return Object.fromEntries([...tables].map(([name, rows]) => [name, Object.fromEntries(rows)]));
}

/**
 * Reads the journal's complete lines. `validBytes` is where the last complete line ends: anything after it is a
 * torn final batch.
 */
export async function readJournal(file: string): Promise<{ entries: JournalEntry[]; validBytes: number; totalBytes: number }> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], validBytes: 0, totalBytes: 0 };
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const validBytes = data.lastIndexOf(0x0a) + 1;
  const lines = data.subarray(0, validBytes).toString('utf8').split('\n');
  lines.pop(); // after the final newline
  const entries = lines.map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (!isEntry(value)) {
      throw new Error(`${file} is damaged at line ${index + 1} (not a store change); it was left untouched: restore the data directory from a backup`);
    }
    return value;
  });
  return { entries, validBytes, totalBytes: data.length };
}

/** An open journal file that batches are appended to. */
export class JournalWriter {
  private constructor(
    private readonly fd: number,
    private bytes: number,
  ) {}

  /** Opens the journal for appending, first cutting off a torn final batch if there is one. */
  static async open(file: string, validBytes: number, totalBytes: number): Promise<JournalWriter> {
    const existed = totalBytes > 0 || (await fs.access(file).then(() => true, () => false));
    const fd = await openFd(file, 'a', 0o600);
    try {
      if (totalBytes > validBytes) {
        await truncateFd(fd, validBytes);
        await datasyncFd(fd);
      }
      if (!existed) await syncDirectory(path.dirname(file)); // the journal's own name must survive a crash too
    } catch (error) {
      await closeFd(fd);
      throw error;
    }
    return new JournalWriter(fd, validBytes);
  }

  get size(): number {
    return this.bytes;
  }

  /** Appends one batch and returns once it is on disk. On failure the journal is cut back to before the batch. */
  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const batch = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
    try {
      // O_APPEND: every write lands at the end; a short write is finished rather than left torn. Synchronous: it only
      // copies into the page cache (microseconds), where a trip through the thread pool waits for the event loop to
      // come round again before the fdatasync can even start, on every command's path. Batches never overlap (the
      // store starts one after the last one's sync), so this never waits on the previous batch's write-back.
      for (let written = 0; written < batch.length; ) written += writeSync(this.fd, batch, written, batch.length - written, null);
      await datasyncFd(this.fd);
    } catch (error) {
      // Leave no partial batch in front of the next one (a damaged middle line would stop the next start).
      await truncateFd(this.fd, this.bytes).catch(() => undefined);
      throw error;
    }
    this.bytes += batch.length;
  }

  /** Empties the journal once a snapshot holds everything in it. */
  async clear(): Promise<void> {
    await truncateFd(this.fd, 0);
    await datasyncFd(this.fd);
    this.bytes = 0;
  }

  async close(): Promise<void> {
    await closeFd(this.fd);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
