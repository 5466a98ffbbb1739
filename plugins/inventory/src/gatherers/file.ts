import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { compactRow, sortRows } from '../rows.js';
import { singleItem } from './single-item.js';

export const FILE_TYPE = 'AWS:File';

/** One entry of the files input, as SSM defines it; the limits default as below. */
export interface FileFilter {
  Path: string;
  Pattern: string[];
  Recursive?: boolean;
  /** Directories read at most, per filter (SSM: 5,000). */
  DirScanLimit?: number;
  /** How deep below Path a recursive scan goes (Tender's default: 32). */
  DirDepthLimit?: number;
  /** Files reported at most, over all filters (SSM: 500). */
  FileLimit?: number;
}

export const DEFAULT_DIR_SCAN_LIMIT = 5000;
export const DEFAULT_DIR_DEPTH_LIMIT = 32;
export const DEFAULT_FILE_LIMIT = 500;

/** Exceeding a limit fails AWS:File this time (as SSM): a partial file list would read as "these files are gone". */
export class FileLimitError extends Error {
  override name = 'FileLimitError';
}

/** `*` and `?` as in a shell; everything else literal. Case-insensitive on Windows, as its file system is. */
export function patternMatcher(pattern: string, caseInsensitive: boolean): RegExp {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/** `%NAME%` (Windows style, as SSM's examples use) and `$NAME` / `${NAME}` expand from the agent's environment. */
export function expandPath(input: string, env: NodeJS.ProcessEnv = process.env): string {
  return input
    .replace(/%([A-Za-z_][A-Za-z0-9_]*)%/g, (whole, name: string) => env[name] ?? env[name.toUpperCase()] ?? whole)
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => env[(braced ?? bare)!] ?? whole);
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

interface ScanState {
  found: Map<string, InventoryRow>;
  fileLimit: number;
  problems: string[];
}

async function scanFilter(filter: FileFilter, state: ScanState, caseInsensitive: boolean): Promise<void> {
  const root = path.resolve(expandPath(filter.Path));
  const matchers = filter.Pattern.map((pattern) => patternMatcher(pattern, caseInsensitive));
  const scanLimit = filter.DirScanLimit ?? DEFAULT_DIR_SCAN_LIMIT;
  const depthLimit = filter.DirDepthLimit ?? DEFAULT_DIR_DEPTH_LIMIT;
  let scanned = 0;
  // Depth-first in name order, so the same tree is always walked (and limited) the same way.
  const pending: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }];
  while (pending.length) {
    const { dir, depth } = pending.pop()!;
    if (++scanned > scanLimit) throw new FileLimitError(`AWS:File: more than ${scanLimit} directories under ${root} (DirScanLimit); nothing was collected for AWS:File this time`);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : code === 'ENOTDIR' ? 'is not a directory' : (error as Error).message;
      state.problems.push(`AWS:File: the path ${dir} ${why}; it was skipped`);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)); // reversed: pop() takes them in order
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (filter.Recursive && depth < depthLimit) pending.push({ dir: full, depth: depth + 1 });
        continue;
      }
      if (!entry.isFile() || !matchers.some((matcher) => matcher.test(entry.name)) || state.found.has(full)) continue;
      const stat = await fs.stat(full).catch(() => undefined);
      if (!stat) continue; // removed while we looked
      state.found.set(full, compactRow({ Name: entry.name, Size: String(stat.size), ModificationTime: isoSeconds(stat.mtime), LastAccessTime: isoSeconds(stat.atime), InstalledDir: dir }, ['Name', 'Size', 'InstalledDir']));
      if (state.found.size > state.fileLimit) throw new FileLimitError(`AWS:File: the files filters match more than ${state.fileLimit} files (FileLimit); nothing was collected for AWS:File this time`);
    }
  }
}

/**
 * AWS:File: metadata (never content) of the files the `files` input names. Version resources (FileVersion,
 * CompanyName, ...) exist only in Windows executables and are not read; those attributes are left out.
 */
export function fileGatherer(filters: readonly FileFilter[]): Gatherer {
  return {
    typeName: FILE_TYPE,
    platforms: ['linux', 'darwin', 'win32'],
    async gather(environment) {
      const fileLimit = Math.min(...filters.map((filter) => filter.FileLimit ?? DEFAULT_FILE_LIMIT));
      const state: ScanState = { found: new Map(), fileLimit, problems: [] };
      for (const filter of filters) await scanFilter(filter, state, environment.platform === 'win32');
      const rows = sortRows([...state.found.values()], ['InstalledDir', 'Name']);
      return { ...singleItem(FILE_TYPE, '1.0', rows), ...(state.problems.length ? { problems: state.problems } : {}) };
    },
  };
}
