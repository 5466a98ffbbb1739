/**
 * Processes a killed agent left running. The script actions start each step as the leader of its own process
 * group (so cancellation can stop the whole tree); when the agent itself is killed with SIGKILL, nobody stops
 * that group, and the step's script runs on, unwatched, after the agent has reported the step as Failed.
 * Recovery ends such a step, so it ends its processes too.
 *
 * They are found by the TENDER_STEP_RUN variable every step process inherits (step-environment.ts): on Linux
 * through /proc/<pid>/environ. A process that cleared its environment, or runs as another user, is not found;
 * under systemd the unit's cgroup is cleaned up on the agent's death anyway. Elsewhere this finds nothing.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { STEP_RUN_VARIABLE } from './step-environment.js';

export interface OrphanReaper {
  /** Kills the processes left from the command's steps; resolves with how many were signalled. */
  reap(commandId: string): Promise<number>;
}

export const noOrphanReaper: OrphanReaper = { reap: async () => 0 };

export function createProcOrphanReaper(options: { procDir?: string; kill?: (pid: number, signal: NodeJS.Signals) => void } = {}): OrphanReaper {
  const procDir = options.procDir ?? '/proc';
  const kill = options.kill ?? ((pid, signal) => process.kill(pid, signal));
  return {
    async reap(commandId) {
      const prefix = `${STEP_RUN_VARIABLE}=${commandId}/`;
      const entries = await fs.readdir(procDir).catch(() => [] as string[]);
      let signalled = 0;
      for (const entry of entries) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        if (pid === process.pid) continue;
        const environ = await fs.readFile(path.join(procDir, entry, 'environ'), 'latin1').catch(() => '');
        if (!environ.split('\0').some((variable) => variable.startsWith(prefix))) continue;
        try {
          // SIGKILL, not SIGTERM: the step is already over; these processes have no one to report to.
          kill(pid, 'SIGKILL');
          signalled++;
        } catch {
          // gone meanwhile, or not ours to signal
        }
      }
      return signalled;
    },
  };
}

/** The reaper for this platform: /proc on Linux, nothing elsewhere. */
export function defaultOrphanReaper(platform: NodeJS.Platform = process.platform): OrphanReaper {
  return platform === 'linux' ? createProcOrphanReaper() : noOrphanReaper;
}
