import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, openSync, promises as fs, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Write a file so that readers (and a crash at any instant) see either the old content or the new, never
 * half of it: write a temporary sibling, fdatasync it (its data and size; a new file's timestamps need not
 * survive), rename it over the target, fsync the directory.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * writeFileAtomic without leaving the thread: the same steps and the same guarantee, as one uninterrupted run of
 * system calls instead of eight trips through the thread pool, each of which waits for the event loop to come
 * round again (tens of milliseconds on a loaded host). For small files on a path where the caller waits for the
 * write anyway, such as the agent persisting a command before acknowledging it; it blocks the event loop for as
 * long as the disk takes to sync.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', mode);
  try {
    writeFileSync(fd, data);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectorySync(dir);
}

/**
 * Create a file that must not exist yet, durably: write it in place, fdatasync, and fsync the directory where the
 * new name needs that to last (newNameSyncedWithFile). One journal commit where writeFileAtomicSync's rename needs
 * a second, for files written once (or first) whose readers can tell a torn file from a whole one: a crash mid-write
 * leaves a file that does not parse, where an atomic write leaves none, and the caller must treat the two alike.
 * Throws EEXIST if the file exists (nothing is written).
 */
export function writeNewFileSync(file: string, data: string | Uint8Array, mode = 0o600): void {
  const fd = openSync(file, 'wx', mode);
  try {
    writeFileSync(fd, data);
    fdatasyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw error;
  }
  closeSync(fd);
  const dir = path.dirname(file);
  if (!newNameSyncedWithFile(dir)) syncDirectorySync(dir);
}

/**
 * Linux filesystems whose fsync/fdatasync of a newly created file also makes its name durable, so that the
 * directory's own fsync after it has nothing left to write and only costs another device cache flush (about a
 * third of a millisecond on a small VM, on every command's path). By statfs magic: ext2/3/4 (the ext4 driver
 * commits the creating transaction, or without a journal syncs the parent of a new inode), XFS (the log force
 * covers the create, directory entry included) and Btrfs (the fsync log records a new inode's names).
 */
const NAME_SYNCED_WITH_NEW_FILE = new Set([0xef53, 0x58465342, 0x9123683e]);
const nameSyncedByDirectory = new Map<string, boolean>();

/** Whether creating a file in `dir` and fsyncing it makes its name durable too (see NAME_SYNCED_WITH_NEW_FILE). */
export function newNameSyncedWithFile(dir: string): boolean {
  if (process.platform !== 'linux') return false;
  let known = nameSyncedByDirectory.get(dir);
  if (known === undefined) {
    try {
      known = NAME_SYNCED_WITH_NEW_FILE.has(statfsSync(dir).type);
    } catch {
      known = false; // cannot tell: sync the directory, as everywhere else
    }
    // A state directory's few folders are asked about again and again; anything else is not worth keeping.
    if (nameSyncedByDirectory.size < 256) nameSyncedByDirectory.set(dir, known);
  }
  return known;
}

function syncDirectorySync(dir: string): void {
  if (process.platform === 'win32') return;
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class StateFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'StateFileError';
  }
}

/**
 * Read a JSON state file. Absent → undefined. Unreadable or corrupt → a StateFileError that names the file
 * and what is wrong, so the caller can stop without touching (let alone overwriting) it.
 */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StateFileError(
      file,
      `${file} is corrupt (${(error as Error).message}); it was left untouched: restore it from a backup or move it away`,
    );
  }
}

export async function writeJsonFile(file: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

export function writeJsonFileSync(file: string, value: unknown, mode = 0o600): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** writeNewFileSync of a JSON value (see there: for a file that does not exist yet). */
export function writeNewJsonFileSync(file: string, value: unknown, mode = 0o600): void {
  writeNewFileSync(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Create a directory (and parents) that only its owner may read. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await fs.chmod(dir, 0o700);
}
