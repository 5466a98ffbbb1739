import { stat } from 'node:fs/promises';

/**
 * Checks the user's working directory before anything is started. Without this check a missing directory
 * surfaces as spawn's ENOENT, which reads as if the shell were missing.
 */
export async function checkWorkingDirectory(action: string, directory: string): Promise<string | undefined> {
  try {
    const info = await stat(directory);
    return info.isDirectory() ? undefined : `${action}: the workingDirectory ${directory} is not a directory`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `${action}: the workingDirectory ${directory} does not exist`;
    return `${action}: the workingDirectory ${directory} cannot be used: ${(error as Error).message}`;
  }
}
