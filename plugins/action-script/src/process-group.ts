import type { ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import type { Spawner } from './spawner.js';

/** How a script's process tree is stopped. */
export interface StopOptions {
  /** Time between SIGTERM and SIGKILL, for the tree's own clean-up. */
  graceMs: number;
  spawn: Spawner;
  /** The real OS: how a tree is killed depends on it, whatever platform the runner says it is. */
  platform: NodeJS.Platform;
}

const POLL_MS = 25;
/** After SIGKILL the kernel tears the processes down at once, but leave room for a busy machine. */
const AFTER_KILL_MS = 2000;

/**
 * Stops every process of the script's tree and resolves once none is left running (or, for the rare process
 * stuck in the kernel, after a bounded wait). On Unix the script runs as the leader of its own process group
 * (spawned with `detached: true`, i.e. setsid), so the group id is its pid: SIGTERM goes to the whole group,
 * then SIGKILL to whatever is still alive after the grace. A member that moved itself to another group or
 * session (setsid, a double-forking daemon) escapes, exactly as it does from SSM's agent.
 * On Windows there are no process groups to signal: `taskkill /T /F` ends the tree by parentage.
 */
export async function stopProcessTree(child: ChildProcess, options: StopOptions): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (options.platform === 'win32') {
    await runTaskkill(pid, options.spawn);
    return;
  }
  signalGroup(pid, 'SIGTERM');
  const calm = await waitUntil(() => groupIsGone(pid, options.platform), options.graceMs);
  if (calm) return;
  signalGroup(pid, 'SIGKILL');
  await waitUntil(() => groupIsGone(pid, options.platform), AFTER_KILL_MS);
}

/** Sends a signal to a whole process group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Whether a process group has no running member left. A zombie does not count: it is dead, only not yet
 * reaped, and where the init process does not reap orphans (some containers) it never will be, yet
 * kill(-pgid, 0) still finds it. On Linux /proc tells zombies apart; elsewhere kill(-pgid, 0) is the test.
 */
export async function groupIsGone(pgid: number, platform: NodeJS.Platform): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EPERM: a member we may not signal exists, so the group is not gone.
    return code === 'ESRCH';
  }
  if (platform !== 'linux') return false;
  return !(await linuxGroupHasRunningMember(pgid));
}

async function linuxGroupHasRunningMember(pgid: number): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // No /proc to look at: trust kill(-pgid, 0), which found members.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue; // It ended while we looked.
    const parsed = parseProcStat(stat);
    if (parsed && parsed.pgrp === pgid && parsed.state !== 'Z' && parsed.state !== 'X') return true;
  }
  return false;
}

/**
 * The state and process group from a /proc/<pid>/stat line. The command name sits in parentheses and may
 * itself hold spaces and parentheses, so the fields are read after the last ')'.
 */
export function parseProcStat(line: string): { state: string; pgrp: number } | undefined {
  const end = line.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = line.slice(end + 2).split(' ');
  const state = fields[0];
  const pgrp = Number(fields[2]);
  if (!state || !Number.isInteger(pgrp)) return undefined;
  return { state, pgrp };
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

function runTaskkill(pid: number, spawn: Spawner): Promise<void> {
  return new Promise((resolve) => {
    const taskkill = spawn('taskkill', ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    // taskkill failing (the tree already ended) changes nothing for the caller: it waits for the exit anyway.
    taskkill.once('error', () => resolve());
    taskkill.once('exit', () => resolve());
  });
}
