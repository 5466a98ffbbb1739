/**
 * The exit code reported when the action stopped the script (cancellation or timeout). SSM reports 137 on Linux
 * and macOS (128 + SIGKILL, what a shell would show for a killed child) and -1 on Windows; we keep both so that
 * scripts and dashboards written against SSM read the same numbers.
 */
export function stoppedExitCode(platform: NodeJS.Platform): number {
  return platform === 'win32' ? -1 : 137;
}

/**
 * The exit code when no exit status exists: no process ran (bad input, missing working directory or
 * interpreter, a spawn failure), or the interpreter itself was killed by a signal the action did not send
 * (Go's os/exec, which SSM uses, reports -1 for the latter too).
 */
export const NO_EXIT_CODE = -1;
