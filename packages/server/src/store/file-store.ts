import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { ensurePrivateDir, readJsonFile } from '@tender/local-state';
import type { Store, Table } from './store.js';

type Tables = Record<string, Record<string, unknown>>;
interface FileData {
  format: 1;
  tables: Tables;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFileData = (value: unknown): value is FileData =>
  isRecord(value) && value.format === 1 && isRecord(value.tables) && Object.values(value.tables).every(isRecord);

/**
 * The embedded store: every table in one lowdb JSON file in the data directory, held in memory and written
 * whole (atomically, by lowdb's write-then-rename) after each change. Right for a small fleet on one host;
 * mutations run one at a time so a read-modify-write is never interleaved with another.
 */
export class FileStore implements Store {
  private constructor(private readonly db: Low<FileData>) {}

  static async open(dataDir: string): Promise<FileStore> {
    await ensurePrivateDir(dataDir);
    const file = path.join(dataDir, 'store.json');
    // Read it ourselves first so a corrupt file is reported by name instead of thrown as a bare SyntaxError.
    const existing = await readJsonFile<unknown>(file);
    if (existing !== undefined && !isFileData(existing)) {
      const format = isRecord(existing) ? existing.format : undefined;
      throw new Error(`${file} is not a Tender store (format ${JSON.stringify(format ?? null)}); it was left untouched`);
    }
    const db = new Low<FileData>(new JSONFile<FileData>(file), { format: 1, tables: {} });
    db.data = existing ?? { format: 1, tables: {} };
    return new FileStore(db);
  }

  private rows(name: string): Record<string, unknown> {
    return (this.db.data.tables[name] ??= {});
  }

  private pendingWrite: Promise<void> | undefined;

  /**
   * One write for every change made in the same turn of the event loop: lowdb writes the whole file, so a burst
   * of N changes (a fan-out to a thousand instances) must cost one serialisation, not N. Each caller resumes only
   * after a write that holds its change.
   */
  private persist(): Promise<void> {
    this.pendingWrite ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.pendingWrite = undefined;
      return this.db.write();
    });
    return this.pendingWrite;
  }

  /**
   * Change one row in memory (synchronously, so no other change interleaves), then persist. If the write fails
   * the row is put back, unless a later change has replaced it since.
   */
  private async change(name: string, key: string, next: unknown): Promise<void> {
    const rows = this.rows(name);
    const previous = rows[key];
    if (next === undefined) delete rows[key];
    else rows[key] = next;
    try {
      await this.persist();
    } catch (error) {
      if (rows[key] === next) {
        if (previous === undefined) delete rows[key];
        else rows[key] = previous;
      }
      throw error;
    }
  }

  table<T>(name: string): Table<T> {
    const clone = (value: unknown): T => structuredClone(value) as T;
    return {
      get: async (key) => {
        const value = this.rows(name)[key];
        return value === undefined ? undefined : clone(value);
      },
      list: async () => Object.values(this.rows(name)).map(clone),
      put: (key, value) => this.change(name, key, structuredClone(value)),
      insert: async (key, value) => {
        if (key in this.rows(name)) return false;
        await this.change(name, key, structuredClone(value));
        return true;
      },
      update: async (key, change) => {
        const stored = this.rows(name)[key];
        const current = stored === undefined ? undefined : clone(stored);
        const next = change(current);
        if (next === undefined) return current;
        await this.change(name, key, structuredClone(next));
        return clone(next);
      },
      delete: async (key) => {
        if (!(key in this.rows(name))) return false;
        await this.change(name, key, undefined);
        return true;
      },
    };
  }

  async close(): Promise<void> {
    await this.db.write();
  }
}
