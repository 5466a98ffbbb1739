/**
 * Time as the runner sees it: the current time and one-shot timers. Injected so that tests (and a simulator
 * running many agents in one process) control it; the system clock is the default.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms`; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

/** setTimeout's longest delay; longer timers are re-armed in pieces (a 30-day execution timeout is legal). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    let handle: NodeJS.Timeout;
    const due = Date.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = due - Date.now();
      handle = setTimeout(left > MAX_TIMER_MS ? arm : callback, Math.min(Math.max(0, left), MAX_TIMER_MS));
      // A pending step timeout must not keep an otherwise finished process alive.
      handle.unref();
    };
    arm();
    return () => clearTimeout(handle);
  },
};

export function isoTime(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
