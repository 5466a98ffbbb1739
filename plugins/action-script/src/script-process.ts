import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger, OutputSink } from '@tender/plugin-api';
import { abortReasonOf, type AbortReason } from '@tender/plugin-api';
import type { ResolvedScriptActionOptions } from './options.js';
import { stopProcessTree } from './process-group.js';

/** What to start, and where. */
export interface ProcessPlan {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

/** How the script's process ended. */
export type ProcessOutcome =
  /** The interpreter exited by itself. `leftoversStopped`: background children still held the output pipes. */
  | { kind: 'exited'; code: number; leftoversStopped: boolean }
  /** The interpreter was killed by a signal that the action did not send. */
  | { kind: 'signalled'; signal: NodeJS.Signals }
  /** The runner aborted the step; `started` tells whether a process had been started at all. */
  | { kind: 'aborted'; reason: AbortReason; started: boolean }
  | { kind: 'spawn-failed'; error: Error }
  /** Writing to an output sink threw: the tree was stopped, since its output could no longer be kept. */
  | { kind: 'sink-failed'; error: Error };

export interface ProcessIo {
  signal: AbortSignal;
  stdout: OutputSink;
  stderr: OutputSink;
  logger: Logger;
}

/** Once the tree is stopped its pipes close at once; this only bounds the wait for an escaped holder. */
const CLOSE_AFTER_STOP_MS = 250;

/** How a script's process is started (also what a process prepared ahead of it must match). */
export function scriptSpawnOptions(cwd: string, env: Readonly<Record<string, string>>): SpawnOptions {
  return {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Unix: its own session and process group, the handle for stopping the whole tree. Windows: detached
    // would open a console window; taskkill /T finds the tree by parentage instead.
    detached: process.platform !== 'win32',
    windowsHide: true,
  };
}

/**
 * Runs one interpreter process for a step and forwards its output, byte for byte, until it is done.
 *
 * The process is the leader of its own process group, so a stop (abort, sink failure) reaches everything the
 * script started. "Done" means the interpreter exited and its output pipes closed. SSM's agent waits for both,
 * so a script that leaves `sleep 300 &` holding stdout keeps the step running until the child ends or the
 * timeout fires. We do not follow it there: once the interpreter has exited we wait `pipeDrainMs` for the pipes
 * to close (late output still arrives), and if something still holds them we stop the process group and report
 * the interpreter's own exit. Background processes that redirected their output elsewhere (`nohup daemon
 * >/dev/null 2>&1 &`, the usual way to start a service) do not hold the pipes, and are left running, as in SSM.
 */
export function runScriptProcess(plan: ProcessPlan, io: ProcessIo, options: ResolvedScriptActionOptions): Promise<ProcessOutcome> {
  if (io.signal.aborted) return Promise.resolve({ kind: 'aborted', reason: abortReasonOf(io.signal), started: false });

  let child: ChildProcess;
  try {
    child = options.spawn(plan.command, plan.args, scriptSpawnOptions(plan.cwd, plan.env));
  } catch (error) {
    // spawn throws synchronously for arguments it rejects outright (a NUL byte, say).
    return Promise.resolve({ kind: 'spawn-failed', error: asError(error) });
  }
  return superviseProcess(child, io, options);
}

async function superviseProcess(child: ChildProcess, io: ProcessIo, options: ResolvedScriptActionOptions): Promise<ProcessOutcome> {
  // Every event is subscribed to before the first await, so none can be missed.
  const started = new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const aborted = onceAborted(io.signal);
  let sinkError: Error | undefined;
  let reportSinkFailure: () => void = () => undefined;
  const sinkFailed = new Promise<void>((resolve) => (reportSinkFailure = resolve));

  // After the outcome is settled nothing more may reach the sinks: the runner may have closed them.
  let forwarding = true;
  const forward = (stream: Readable | null, sink: OutputSink): void => {
    stream?.on('data', (chunk: Buffer) => {
      if (!forwarding) return;
      try {
        sink.write(chunk);
      } catch (error) {
        forwarding = false;
        sinkError = asError(error);
        reportSinkFailure();
      }
    });
  };
  forward(child.stdout, io.stdout);
  forward(child.stderr, io.stderr);

  const stopForwarding = async (waitForCloseMs: number): Promise<void> => {
    await Promise.race([closed, delay(waitForCloseMs)]);
    forwarding = false;
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  try {
    const spawnError = await started;
    if (spawnError) {
      forwarding = false;
      return { kind: 'spawn-failed', error: spawnError };
    }
    // Later 'error' events (a failed kill, say) must not become an uncaught exception in the agent.
    child.on('error', (error) => io.logger.warn('script process error', { error: error.message }));
    io.logger.debug('script started', { pid: child.pid });

    const first = await Promise.race([
      exited.then(() => 'exited' as const),
      aborted.promise.then(() => 'aborted' as const),
      sinkFailed.then(() => 'sink-failed' as const),
    ]);

    if (first !== 'exited') {
      await stopProcessTree(child, { graceMs: options.killGraceMs, spawn: options.spawn, platform: process.platform });
      await Promise.race([exited, delay(CLOSE_AFTER_STOP_MS)]);
      await stopForwarding(CLOSE_AFTER_STOP_MS);
      if (first === 'aborted') return { kind: 'aborted', reason: abortReasonOf(io.signal), started: true };
      return { kind: 'sink-failed', error: sinkError ?? new Error('an output sink failed') };
    }

    const exit = await exited;
    const drained = await Promise.race([
      closed.then(() => true),
      delay(options.pipeDrainMs).then(() => false),
      aborted.promise.then(() => false),
      sinkFailed.then(() => false),
    ]);
    let leftoversStopped = false;
    if (!drained) {
      leftoversStopped = true;
      io.logger.warn('the script exited but processes it started still hold its output open; stopping them', { pid: child.pid });
      await stopForwarding(0);
      await stopProcessTree(child, { graceMs: options.killGraceMs, spawn: options.spawn, platform: process.platform });
    }
    if (sinkError) return { kind: 'sink-failed', error: sinkError };
    if (exit.code !== null) return { kind: 'exited', code: exit.code, leftoversStopped };
    return { kind: 'signalled', signal: exit.signal ?? 'SIGKILL' };
  } finally {
    forwarding = false;
    aborted.dispose();
  }
}

/** A promise for the signal's abort that can be let go of, so a long-lived signal does not collect listeners. */
function onceAborted(signal: AbortSignal): { promise: Promise<void>; dispose: () => void } {
  let dispose: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const listener = (): void => resolve();
    signal.addEventListener('abort', listener, { once: true });
    dispose = () => signal.removeEventListener('abort', listener);
  });
  return { promise, dispose };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
