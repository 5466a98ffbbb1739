/**
 * TEST ONLY: a way to make association time pass faster in a real agent process, so end-to-end tests see
 * schedules of 30 minutes (State Manager's shortest) run in seconds.
 *
 *   TENDER_AGENT_ENABLE_TEST_HOOKS=1 TENDER_AGENT_TEST_CLOCK='anchor=<epoch ms>,scale=<factor>' tender-agent start
 *
 * The association scheduler then reads the time as anchor + (real now - anchor) × scale: the real time at the
 * anchor, running `scale` times faster after it. A fixed anchor keeps the clock continuous across restarts of the
 * agent in one test. Only the scheduler uses it (when slots are due, their timers, scheduledAt); runs, step timeouts,
 * messages and everything else keep the real clock.
 *
 * TENDER_AGENT_TEST_CLOCK without TENDER_AGENT_ENABLE_TEST_HOOKS=1 is refused (the agent does not start): a
 * production agent must never run its schedules on a clock someone set in its environment by mistake.
 */
import { systemClock, type Clock } from '../runner/index.js';

export const TEST_CLOCK_VARIABLE = 'TENDER_AGENT_TEST_CLOCK';
export const TEST_HOOKS_VARIABLE = 'TENDER_AGENT_ENABLE_TEST_HOOKS';

export class TestClockError extends Error {
  override name = 'TestClockError';
}

/** Time from `anchor` (epoch ms) on runs `scale` times faster than the real clock; timers shrink to match. */
export function scaledClock(anchor: number, scale: number, base: Clock = systemClock): Clock {
  const now = (): number => anchor + (base.now() - anchor) * scale;
  return {
    now,
    // The scheduler checks the time again when a timer fires and re-arms if it is early, so rounding is harmless.
    setTimer: (callback, ms) => base.setTimer(callback, Math.ceil(Math.max(0, ms) / scale)),
  };
}

/** The test clock the environment asks for, undefined when it asks for none; TestClockError when refused. */
export function testClockFromEnvironment(env: NodeJS.ProcessEnv = process.env, base: Clock = systemClock): { clock: Clock; anchor: number; scale: number } | undefined {
  const setting = env[TEST_CLOCK_VARIABLE];
  if (setting === undefined || setting === '') return undefined;
  if (env[TEST_HOOKS_VARIABLE] !== '1') {
    throw new TestClockError(`${TEST_CLOCK_VARIABLE} is a test-only setting and is refused unless ${TEST_HOOKS_VARIABLE}=1; remove it from this agent's environment`);
  }
  const fields = new Map(setting.split(',').map((part) => part.split('=').map((s) => s.trim()) as [string, string]));
  const anchor = Number(fields.get('anchor'));
  const scale = Number(fields.get('scale'));
  const unknown = [...fields.keys()].filter((key) => key !== 'anchor' && key !== 'scale');
  if (unknown.length || !Number.isFinite(anchor) || !Number.isFinite(scale) || scale < 1 || scale > 100_000 || anchor > base.now()) {
    throw new TestClockError(`${TEST_CLOCK_VARIABLE} must be "anchor=<epoch ms, not in the future>,scale=<1 to 100000>", not "${setting}"`);
  }
  return { clock: scaledClock(anchor, scale, base), anchor, scale };
}
