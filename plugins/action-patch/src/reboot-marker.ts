/**
 * What an Install that asked for a reboot leaves for its own second run: the runner saves the command, reboots,
 * and runs the step again after the restart (exit code 194 / 3010). The marker in the step's folder (which is the
 * same on the second run) tells that run it comes after the reboot: it reports the install by scanning again, with
 * the first run's start time and snapshot, instead of installing again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface RebootMarker {
  snapshotId: string;
  startTime: string;
  failures: Array<{ patch: string; message: string }>;
  installOverrideList?: string[];
}

const FILE = 'patch-reboot.json';

export async function readRebootMarker(folder: string): Promise<RebootMarker | undefined> {
  try {
    return JSON.parse(await readFile(path.join(folder, FILE), 'utf8')) as RebootMarker;
  } catch {
    return undefined;
  }
}

export async function writeRebootMarker(folder: string, marker: RebootMarker): Promise<void> {
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(marker), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
