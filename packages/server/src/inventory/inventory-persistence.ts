/**
 * Where inventory lives on disk, behind a small interface so that the PostgreSQL adapter the Store interface
 * anticipates can hold it in tables instead (one row per host and type, one per history entry).
 *
 * The embedded layout, and why: the Store's FileStore rewrites its whole JSON file on every write burst, so a
 * fleet's inventory (1,000 hosts × 1,000 applications ≈ 100 MB) in it would be rewritten on every upload.
 * Instead each host has a directory under `<dataDir>/inventory/`, with one file per type (written atomically with
 * @tender/local-state: an upload rewrites only the types that changed, ~100 KB for a host's applications) and an
 * append-only `history.jsonl`. Custom schemas and deletions are small and kept in two JSON files beside them.
 * Everything is read once at start into the in-memory index (InventoryIndex), which answers queries.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, readJsonFile, writeFileAtomic, writeJsonFile } from '@tender/local-state';
import type { CustomSchemaRecord, DeletionRecord, HistoryEntry, StoredItem } from './inventory-records.js';

export interface InventoryPersistence {
  /** Every host's stored types (called once, at start). */
  loadAll(): AsyncIterable<{ instanceId: string; items: StoredItem[] }>;
  saveItem(instanceId: string, item: StoredItem): Promise<void>;
  deleteItem(instanceId: string, typeName: string): Promise<void>;
  appendHistory(instanceId: string, entries: HistoryEntry[]): Promise<void>;
  /** Oldest first. */
  readHistory(instanceId: string): Promise<HistoryEntry[]>;
  /** The hosts that have a history (retention goes through them). */
  historyHosts(): Promise<string[]>;
  /**
   * Removes a host's history entries recorded before `cutoff`, all at once (a crash leaves the history as it
   * was or as it is after), never an entry appended meanwhile; returns how many went. Current inventory is
   * not history: it is never touched.
   */
  pruneHistory(instanceId: string, cutoff: Date): Promise<number>;
  loadSchemas(): Promise<CustomSchemaRecord[]>;
  saveSchemas(schemas: CustomSchemaRecord[]): Promise<void>;
  loadDeletions(): Promise<DeletionRecord[]>;
  saveDeletions(deletions: DeletionRecord[]): Promise<void>;
}

const INSTANCE_DIR = /^(i-\w{8}|i-\w{17}|mi-\w{17})$/;

/**
 * A type's file name: readable, and safe on every file system (type names may hold any character, and
 * `Custom:A` and `Custom:a` would collide where names are case-insensitive), so a short hash keeps it unique.
 */
export function itemFileName(typeName: string): string {
  const readable = typeName.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return `${readable}.${createHash('sha256').update(typeName, 'utf8').digest('hex').slice(0, 12)}.json`;
}

export class FileInventoryPersistence implements InventoryPersistence {
  private readonly root: string;
  /** Per host, the history write under way: an append and a prune's rewrite of the same file never overlap. */
  private readonly historyWrites = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'inventory');
  }

  private hostDir(instanceId: string): string {
    if (!INSTANCE_DIR.test(instanceId)) throw new Error(`not an instance id: ${JSON.stringify(instanceId)}`);
    return path.join(this.root, instanceId);
  }

  async *loadAll(): AsyncIterable<{ instanceId: string; items: StoredItem[] }> {
    await ensurePrivateDir(this.root);
    for (const entry of (await fs.readdir(this.root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || !INSTANCE_DIR.test(entry.name)) continue;
      const dir = path.join(this.root, entry.name);
      const items: StoredItem[] = [];
      for (const file of (await fs.readdir(dir)).sort()) {
        if (!file.endsWith('.json') || file.startsWith('.')) continue;
        const item = await readJsonFile<StoredItem>(path.join(dir, file));
        if (item && typeof item.TypeName === 'string' && Array.isArray(item.Content)) items.push(item);
      }
      yield { instanceId: entry.name, items };
    }
  }

  async saveItem(instanceId: string, item: StoredItem): Promise<void> {
    const dir = this.hostDir(instanceId);
    await ensurePrivateDir(dir);
    // Compact JSON: these files are read by the control plane, not by people, and are the bulk of the data dir.
    await writeFileAtomic(path.join(dir, itemFileName(item.TypeName)), JSON.stringify(item));
  }

  async deleteItem(instanceId: string, typeName: string): Promise<void> {
    await fs.rm(path.join(this.hostDir(instanceId), itemFileName(typeName)), { force: true });
  }

  async appendHistory(instanceId: string, entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.historyWrite(instanceId, () => this.appendHistoryNow(instanceId, entries));
  }

  private async appendHistoryNow(instanceId: string, entries: HistoryEntry[]): Promise<void> {
    const dir = this.hostDir(instanceId);
    await ensurePrivateDir(dir);
    const handle = await fs.open(path.join(dir, 'history.jsonl'), 'a', 0o600);
    try {
      await handle.write(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async readHistory(instanceId: string): Promise<HistoryEntry[]> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.hostDir(instanceId), 'history.jsonl'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: HistoryEntry[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // A line cut short by a crash during an append: the entries before and after it are still whole.
      }
    }
    return entries;
  }

  /** Runs `write` after the host's earlier history writes, and before its later ones. */
  private historyWrite<T>(instanceId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.historyWrites.get(instanceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    const settled = next.catch(() => undefined);
    this.historyWrites.set(instanceId, settled);
    void settled.then(() => {
      if (this.historyWrites.get(instanceId) === settled) this.historyWrites.delete(instanceId);
    });
    return next;
  }

  async historyHosts(): Promise<string[]> {
    const entries = await fs.readdir(this.root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return entries.filter((entry) => entry.isDirectory() && INSTANCE_DIR.test(entry.name)).map((entry) => entry.name).sort();
  }

  async pruneHistory(instanceId: string, cutoff: Date): Promise<number> {
    return this.historyWrite(instanceId, () => pruneHistoryFile(path.join(this.hostDir(instanceId), 'history.jsonl'), cutoff));
  }

  async loadSchemas(): Promise<CustomSchemaRecord[]> {
    return (await readJsonFile<CustomSchemaRecord[]>(path.join(this.root, 'custom-schemas.json'))) ?? [];
  }

  async saveSchemas(schemas: CustomSchemaRecord[]): Promise<void> {
    await ensurePrivateDir(this.root);
    await writeJsonFile(path.join(this.root, 'custom-schemas.json'), schemas);
  }

  async loadDeletions(): Promise<DeletionRecord[]> {
    return (await readJsonFile<DeletionRecord[]>(path.join(this.root, 'deletions.json'))) ?? [];
  }

  async saveDeletions(deletions: DeletionRecord[]): Promise<void> {
    await ensurePrivateDir(this.root);
    await writeJsonFile(path.join(this.root, 'deletions.json'), deletions);
  }
}

/** The time of a history line, from its start (`{"time":"...`, as appendHistory writes it) or its whole. */
function lineTime(line: string): number | undefined {
  const prefix = /^\{"time":"([^"]+)"/.exec(line);
  if (prefix) return Date.parse(prefix[1]!);
  try {
    const time = (JSON.parse(line) as Partial<HistoryEntry>).time;
    return typeof time === 'string' ? Date.parse(time) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rewrites a history file without its entries from before `cutoff`, atomically. Cheap when there is nothing to
 * remove: only the file's first bytes are read (entries are appended in time order, so the first is the oldest).
 * An entry whose time cannot be read is kept; a line cut short by a crash (which readHistory skips) is dropped.
 */
async function pruneHistoryFile(file: string, cutoff: Date): Promise<number> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  try {
    const head = Buffer.alloc(128);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const first = lineTime(head.subarray(0, bytesRead).toString('utf8'));
    if (bytesRead === 0 || (first !== undefined && first >= cutoff.getTime())) return 0;
  } finally {
    await handle.close();
  }
  const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
  const kept = lines.filter((line) => {
    const time = lineTime(line);
    if (time === undefined) return isWholeEntry(line);
    return Number.isNaN(time) || time >= cutoff.getTime();
  });
  const removed = lines.length - kept.length;
  if (removed > 0) await writeFileAtomic(file, kept.map((line) => `${line}\n`).join(''));
  return removed;
}

function isWholeEntry(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
