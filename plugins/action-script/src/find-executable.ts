import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Finds a program on a PATH the way a shell would: the first directory holding an executable regular file of
 * that name. On Windows the PATHEXT extensions are tried too. Used to learn whether `pwsh` is installed before
 * promising to run a PowerShell script, so that its absence gets a clear message instead of a spawn ENOENT.
 */
export async function findExecutable(
  name: string,
  searchPath: string | undefined,
  platform: NodeJS.Platform,
  pathExt?: string,
): Promise<string | undefined> {
  if (!searchPath) return undefined;
  const delimiter = platform === 'win32' ? ';' : ':';
  const extensions = platform === 'win32' ? ['', ...(pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const directory of searchPath.split(delimiter)) {
    // An empty PATH entry means the current directory; an agent must never run whatever happens to lie there.
    if (directory === '' || !path.isAbsolute(directory)) continue;
    for (const extension of extensions) {
      const candidate = path.join(directory, name + extension);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(candidate: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    const info = await stat(candidate);
    if (!info.isFile()) return false;
    if (platform !== 'win32') await access(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
