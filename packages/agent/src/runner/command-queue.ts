/**
 * At most `concurrency` commands run at once; the others wait in arrival order (FIFO). SSM Agent bounds its
 * command workers the same way (CommandWorkersLimit, 5 by default). The queue holds only ids: what a command
 * is, and where it stands, lives in the CommandStore, so the queue itself need not survive a restart.
 */
import type { Logger } from '@tender/plugin-api';
import type { StopReason } from './document-runner.js';

export interface CommandQueueOptions {
  concurrency: number;
  /** Runs one command; `stop` is aborted with a StopReason on cancel or shutdown. Should not reject. */
  run: (commandId: string, stop: AbortSignal) => Promise<void>;
  logger: Logger;
}

/** What cancel() did: took a waiting command out of the queue, asked a running one to stop, or found neither. */
export type QueueCancelOutcome = 'dequeued' | 'stopping' | 'unknown';

export class CommandQueue {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private idleWaiters: Array<() => void> = [];
  private paused = false;

  constructor(private readonly options: CommandQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number of at least 1, not ${options.concurrency}`);
    }
  }

  get runningCount(): number {
    return this.running.size;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  has(commandId: string): boolean {
    return this.running.has(commandId) || this.waiting.includes(commandId);
  }

  isRunning(commandId: string): boolean {
    return this.running.has(commandId);
  }

  /** Whether a command enqueued now would start at once: a worker is free and nothing waits before it. */
  get canStartNow(): boolean {
    return !this.paused && this.running.size < this.options.concurrency && this.waiting.length === 0;
  }

  /** Adds a command at the end of the queue; false when it is already queued or running. */
  enqueue(commandId: string): boolean {
    if (this.has(commandId)) return false;
    this.waiting.push(commandId);
    this.pump();
    return true;
  }

  cancel(commandId: string, reason: StopReason = 'cancel'): QueueCancelOutcome {
    const at = this.waiting.indexOf(commandId);
    if (at >= 0) {
      this.waiting.splice(at, 1);
      this.settleIfIdle();
      return 'dequeued';
    }
    const controller = this.running.get(commandId);
    if (!controller) return 'unknown';
    controller.abort(reason);
    return 'stopping';
  }

  /** Stops starting commands and stops the running ones; returns the ids that were still waiting. */
  stopAll(reason: StopReason): string[] {
    this.paused = true;
    const waiting = this.waiting.splice(0);
    for (const controller of this.running.values()) controller.abort(reason);
    this.settleIfIdle();
    return waiting;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running.size === 0 && (this.waiting.length === 0 || this.paused)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.paused && this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const commandId = this.waiting.shift()!;
      const controller = new AbortController();
      this.running.set(commandId, controller);
      void this.options
        .run(commandId, controller.signal)
        .catch((error: unknown) => {
          this.options.logger.error('a command run failed unexpectedly; it is left for recovery at the next start', {
            commandId,
            err: error instanceof Error ? error.message : String(error),
          });
        })
        .finally(() => {
          this.running.delete(commandId);
          this.pump();
          this.settleIfIdle();
        });
    }
  }

  private settleIfIdle(): void {
    if (this.running.size > 0 || (this.waiting.length > 0 && !this.paused)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
