/**
 * The command runner patch providers get (PatchProviderContext.exec): runs a package-manager command without a
 * shell, collects its output, and stops it when the step is cancelled or times out. A command that cannot be
 * started resolves with exit code 127 and the reason on stderr, as a shell would report a missing command, so
 * that a provider's detect() can ask "is apt-get here?" without catching.
 */
import { spawn } from 'node:child_process';
import type { ExecResult, PatchProviderContext } from '@tender/plugin-api';

/** Package-manager output can be large (a full dnf updateinfo list); beyond this the command is refused rather than truncated. */
export const MAX_EXEC_OUTPUT_BYTES = 64 * 1024 * 1024;
export const NOT_STARTED_EXIT_CODE = 127;

export function createExec(signal: AbortSignal): PatchProviderContext['exec'] {
  return (command, args, options = {}) =>
    new Promise<ExecResult>((resolve, reject) => {
      if (signal.aborted) {
        reject(new Error(`not running ${command}: the step was stopped (${String(signal.reason)})`));
        return;
      }
      const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let bytes = 0;
      let failure: Error | undefined;
      const stop = (reason: Error) => {
        failure ??= reason;
        child.kill('SIGTERM');
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_EXEC_OUTPUT_BYTES) stop(new Error(`${command} printed more than ${MAX_EXEC_OUTPUT_BYTES} bytes; stopped`));
        else into.push(chunk);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      const onAbort = () => stop(new Error(`${command} was stopped: the step was ${String(signal.reason) === 'timeout' ? 'timed out' : 'cancelled'}`));
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = options.timeoutMs ? setTimeout(() => stop(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms`)), options.timeoutMs) : undefined;
      child.once('error', (error: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        resolve({ stdout: '', stderr: `${command}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`, exitCode: NOT_STARTED_EXIT_CODE });
      });
      child.once('close', (code, killedBy) => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        if (failure) return reject(failure);
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code ?? (killedBy ? 128 : 1) });
      });
    });
}
