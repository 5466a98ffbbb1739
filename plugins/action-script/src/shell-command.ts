/**
 * The command that runs a written shell script: `/bin/sh -c '<script path>'`, as SSM runs `sh -c <path>`.
 * The shell executes the file itself, so a `#!/bin/bash` (or any other) first line picks the interpreter, and a
 * script without one is run by sh. The path is single-quoted because `-c` takes shell code: an orchestration
 * directory with a space or a `$` in its name must stay a path. /bin/sh by absolute path, so that a PATH
 * from the step's environment cannot substitute another shell.
 */
export function shellCommand(scriptPath: string): { command: string; args: string[] } {
  return { command: '/bin/sh', args: ['-c', quoteForSh(scriptPath)] };
}

/** Single-quotes a string for POSIX sh: inside single quotes nothing is special except the quote itself. */
export function quoteForSh(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
