/**
 * The command that runs a written shell script with SSM's meaning of `sh -c <path>`: a `#!/bin/bash` (or any
 * other) first line picks the interpreter, and a script without one is run by sh. Whether it has one is read from
 * the script's text (the file holds exactly that text), not from the file, on every step's path.
 *
 * - With a `#!` line: `/bin/sh -c '<path>'`, so the shell executes the file and the kernel honours the line (and a
 *   missing interpreter is reported by sh, exit 127, as in SSM). The path is single-quoted because `-c` takes
 *   shell code: an orchestration directory with a space or a `$` in its name must stay a path.
 * - Without one: `/bin/sh <path>`, which is what `sh -c <path>` ends up doing (its child's exec of the file fails
 *   with ENOEXEC and sh reads it instead), minus that extra fork and failed exec: a few milliseconds of every
 *   command's round trip.
 *
 * /bin/sh by absolute path, so that a PATH from the step's environment cannot substitute another shell.
 */
export function shellCommand(scriptPath: string, hasInterpreterLine: boolean): { command: string; args: string[] } {
  return hasInterpreterLine ? { command: '/bin/sh', args: ['-c', quoteForSh(scriptPath)] } : { command: '/bin/sh', args: [scriptPath] };
}

/** Whether a script starts with a `#!` line: its own interpreter runs it, not sh (prepared shells serve only the rest). */
export function hasInterpreterLine(script: string): boolean {
  return script.startsWith('#!');
}

/** Single-quotes a string for POSIX sh: inside single quotes nothing is special except the quote itself. */
export function quoteForSh(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
