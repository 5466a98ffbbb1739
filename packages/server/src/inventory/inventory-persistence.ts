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
