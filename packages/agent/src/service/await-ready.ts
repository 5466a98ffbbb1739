import { readyPid } from '../runtime/ready-marker.js';
import { ServiceError } from './service-backend.js';

/** How long a started agent has to say it is up (agent.ready) before the start counts as failed. */
export const READY_TIMEOUT_MS = 60_000;

/** One look at the service as its manager sees it. */
export interface ServiceLook {
  /** The agent process the manager runs now; 0 when there is none (not started yet, or gone). */
  pid: number;
  /** The state directory the manager gives the agent (a packaged definition's may differ from this command's). */
  stateDir: string;
  /** Why the start has failed already (the process exited, the manager restarted it); undefined while it may succeed. */
  failure?: string;
}

export interface ReadyWait {
  /** The service's name, as the operator's messages show it. */
  name: string;
  look(): Promise<ServiceLook>;
  /** The service's last log lines, shown with a failure. */
  logTail(): Promise<string>;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * After a start: resolves once the agent says it is up, that is once agent.ready names the process the manager runs
 * (see ready-marker.ts). A manager's "running" alone is not enough: an agent that exits after a second or two, as a
 * broken upgrade may on a slow host, looks running until then. Throws a ServiceError, with the service's last log
 * lines, as soon as a look reports a failure, or once `timeoutMs` has passed without the word.
 */
export async function awaitAgentReady(wait: ReadyWait): Promise<void> {
  const timeoutMs = wait.timeoutMs ?? READY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const look = await wait.look();
    const failure =
      look.failure ??
      (Date.now() > deadline
        ? `${look.pid > 0 ? `runs (pid ${look.pid})` : 'has no process'} but did not say it was up within ${timeoutMs / 1000} s (no ${look.stateDir}/agent.ready naming it)`
        : undefined);
    if (failure) throw new ServiceError(`${wait.name} ${failure}. Its last log lines:\n${(await wait.logTail()).trim() || '(none)'}`);
    if (look.pid > 0 && (await readyPid(look.stateDir)) === look.pid) return;
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? 200));
  }
}
