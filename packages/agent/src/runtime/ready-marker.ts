import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readPidFile, writeFileAtomic } from '@tender/local-state';

/**
 * `agent.ready` in the state directory: the pid of an agent that has taken its state directory, loaded its identity
 * and plugins, and begun connecting. A service manager's "active" says only that a process exists: an upgrade whose
 * agent exits in its first seconds looked running on a slow host. `tender-agent service install|start` wait for this
 * file to name the service's main process before they call a start good.
 *
 * The agent removes the file as it takes its state directory and when it stops, so a file that is there was written
 * by the agent holding the directory now (or by one killed outright: its pid is not the service's new one).
 */
export const READY_FILE = 'agent.ready';

export async function markReady(stateDir: string): Promise<void> {
  await writeFileAtomic(path.join(stateDir, READY_FILE), `${process.pid}\n`);
}

export async function clearReady(stateDir: string): Promise<void> {
  await fs.rm(path.join(stateDir, READY_FILE), { force: true });
}

/** The pid the file names, if there is one. */
export function readyPid(stateDir: string): Promise<number | undefined> {
  return readPidFile(path.join(stateDir, READY_FILE));
}
