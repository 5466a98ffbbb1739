import { spawn as nodeSpawn } from 'node:child_process';
import type { Spawner } from './spawner.js';

/** Tuning for the script actions. The defaults suit the agent; tests shorten the waits. */
export interface ScriptActionOptions {
  spawn?: Spawner;
  /** Between SIGTERM and SIGKILL when a script is cancelled or times out. Default 2000 ms. */
  killGraceMs?: number;
  /**
   * After the script's shell exits, how long to wait for its output pipes to close before concluding that
   * background children still hold them, and stopping those. Default 1000 ms.
   */
  pipeDrainMs?: number;
}

export type ResolvedScriptActionOptions = Required<ScriptActionOptions>;

export function resolveOptions(options: ScriptActionOptions = {}): ResolvedScriptActionOptions {
  return {
    spawn: options.spawn ?? nodeSpawn,
    killGraceMs: options.killGraceMs ?? 2000,
    pipeDrainMs: options.pipeDrainMs ?? 1000,
  };
}
