/**
 * Runs a part of a benchmark as its own process (so that it does not share an event loop with what it measures):
 * `node <script>` with its settings as JSON in an environment variable (secrets must not appear in a process list),
 * and its result as the last line of JSON it prints.
 */
import { spawn } from 'node:child_process';

export function runJsonChild<T>(script: string, variable: string, settings: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, [variable]: JSON.stringify(settings) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${code}: ${stderr.trim()}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as T);
    });
  });
}
