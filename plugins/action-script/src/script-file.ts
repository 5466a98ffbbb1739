import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const UTF8_BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

/**
 * Writes the step's script into its orchestration directory, owner-only (0700: the script may hold secrets
 * substituted into it, and `sh -c <path>` executes the file itself so that a `#!` line is honoured, as in SSM).
 * The mode is set again after writing because writeFile's mode applies only when it creates the file, and a
 * step that runs again after a reboot finds its old script there.
 *
 * `bom` prefixes a UTF-8 byte order mark: Windows PowerShell 5.1 reads a .ps1 without one in the ANSI code page,
 * which would garble any non-ASCII text in the script. PowerShell 7 accepts it as well.
 *
 * The three calls are synchronous on purpose: a script is small, and three trips through libuv's thread pool
 * (each waiting for a turn of a busy event loop) cost more than the writes themselves on a command's critical path.
 */
export async function writeScriptFile(directory: string, name: string, script: string, bom = false): Promise<string> {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const scriptPath = path.join(directory, name);
  const body = Buffer.from(script, 'utf8');
  writeFileSync(scriptPath, bom ? Buffer.concat([UTF8_BOM, body]) : body, { mode: 0o700 });
  chmodSync(scriptPath, 0o700);
  return scriptPath;
}
