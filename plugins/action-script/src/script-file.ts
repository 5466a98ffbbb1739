import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const UTF8_BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

/**
 * Writes the step's script into its orchestration directory, owner-only (0700: the script may hold secrets
 * substituted into it, and `sh -c <path>` executes the file itself so that a `#!` line is honoured, as in SSM).
 * The mode is set again after writing because writeFile's mode applies only when it creates the file, and a
 * step that runs again after a reboot finds its old script there. The directory is made only if it is missing
 * (the runner makes it before the step; a mkdir of one that exists is a system call or two for nothing).
 *
 * `bom` prefixes a UTF-8 byte order mark: Windows PowerShell 5.1 reads a .ps1 without one in the ANSI code page,
 * which would garble any non-ASCII text in the script. PowerShell 7 accepts it as well.
 *
 * Synchronous on purpose: a script is small, and trips through libuv's thread pool (each waiting for a turn of a
 * busy event loop) cost more than the writes themselves on a command's critical path.
 */
export function writeScriptFile(directory: string, name: string, script: string, bom = false): string {
  const scriptPath = path.join(directory, name);
  const body = Buffer.from(script, 'utf8');
  const content = bom ? Buffer.concat([UTF8_BOM, body]) : body;
  try {
    writeFileSync(scriptPath, content, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    writeFileSync(scriptPath, content, { mode: 0o700 });
  }
  chmodSync(scriptPath, 0o700);
  return scriptPath;
}

/** How many scripts written by prepare() may wait for their run() (one that never comes leaves its entry behind). */
const MAX_PREPARED = 64;

/**
 * Scripts an action's prepare() wrote ahead of their steps, so that run() does not write them again: prepare
 * writes while the runner's save is still to come, and run() then finds the script in place.
 */
export class PreparedScripts {
  /** Script path → the script written there. */
  private readonly written = new Map<string, string>();

  /** prepare(): writes the script now. */
  write(directory: string, name: string, script: string, bom = false): void {
    const scriptPath = writeScriptFile(directory, name, script, bom);
    this.written.delete(scriptPath);
    this.written.set(scriptPath, script);
    if (this.written.size > MAX_PREPARED) this.written.delete(this.written.keys().next().value!);
  }

  /** run(): the script's path, written now unless prepare() wrote this very script there. */
  ensure(directory: string, name: string, script: string, bom = false): string {
    const scriptPath = path.join(directory, name);
    const prepared = this.written.get(scriptPath);
    this.written.delete(scriptPath);
    return prepared === script ? scriptPath : writeScriptFile(directory, name, script, bom);
  }
}
