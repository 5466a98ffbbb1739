import { execFile } from 'node:child_process';
import type { CommandRunner } from './inventory-types.js';

/** Package databases of a few thousand entries produce megabytes; more than this is not an inventory. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** A program that could not run or failed; `notFound` when it is not installed at all. */
export class CommandFailedError extends Error {
  constructor(
    readonly file: string,
    readonly notFound: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/** Runs a program without a shell (arguments are never interpreted) and resolves to its standard output. */
export const runCommand: CommandRunner = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { encoding: 'utf8', maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, ...(options.signal ? { signal: options.signal } : {}) }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout);
        return;
      }
      const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const why = notFound ? 'it is not installed (not found on PATH)' : (stderr.trim().split('\n')[0] || error.message);
      reject(new CommandFailedError(file, notFound, `${file} failed: ${why}`));
    });
  });

/** Runs a program; undefined when it is not installed (so a gatherer can try the next package manager). */
export async function runIfInstalled(run: CommandRunner, file: string, args: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
  try {
    return await run(file, args, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof CommandFailedError && error.notFound) return undefined;
    throw error;
  }
}
