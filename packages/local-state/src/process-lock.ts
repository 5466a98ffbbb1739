import { promises as fs } from 'node:fs';
import path from 'node:path';

export class LockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(`another process (pid ${holderPid}) is already using ${path.dirname(lockFile)}; stop it first, or use another directory`);
    this.name = 'LockedError';
  }
}

/** The pid a pid file (a lock, a ready marker) names, if it exists and names one. */
export async function readPidFile(file: string): Promise<number | undefined> {
  const pid = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The live process a lock file names, if any (a lock whose holder is gone is stale). */
export async function lockHolder(file: string): Promise<number | undefined> {
  const pid = await readPidFile(file);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Hold a directory for this process: a lock file created exclusively with our pid. A lock left by a process
 * that no longer exists (killed with -9) is taken over; one held by a live process is refused.
 */
export async function acquireLock(dir: string, name = 'lock'): Promise<{ release(): Promise<void> }> {
  const file = path.join(dir, name);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await lockHolder(file);
      if (holder !== undefined && holder !== process.pid) {
        throw new LockedError(file, holder);
      }
      await fs.rm(file, { force: true }); // stale: its holder is gone
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
