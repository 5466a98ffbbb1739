import { execFile } from 'node:child_process';
import type { ExecResult, Logger, PatchProviderContext } from '@tender/plugin-api';

export interface RecordedCommand {
  command: string;
  args: string[];
  result: ExecResult;
}

/**
 * A PatchProviderContext whose exec runs the real command (no shell), as the agent's does, and records every call,
 * so tests can assert what a provider ran (and that a scan ran nothing that changes the host).
 */
export function realPatchContext(log: RecordedCommand[] = [], logger: Logger = { debug() {}, info() {}, warn() {}, error() {} }): PatchProviderContext {
  return {
    signal: new AbortController().signal,
    logger,
    now: () => new Date(),
    exec: (command, args, options) =>
      new Promise<ExecResult>((resolve) => {
        execFile(command, args, { env: { ...process.env, ...options?.env }, maxBuffer: 256 * 1024 * 1024, timeout: options?.timeoutMs ?? 300_000 }, (error, stdout, stderr) => {
          const code = (error as (Error & { code?: unknown }) | null)?.code;
          const exitCode = error ? (typeof code === 'number' ? code : 127) : 0;
          const result = { stdout: String(stdout), stderr: String(stderr) || (error && typeof code !== 'number' ? error.message : ''), exitCode };
          log.push({ command, args, result });
          resolve(result);
        });
      }),
  };
}
