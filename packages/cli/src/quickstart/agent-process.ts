import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The tender-agent launcher of the installed @tender/agent package. */
export function agentLauncher(): string {
  const manifest = createRequire(import.meta.url).resolve('@tender/agent/package.json');
  return path.join(path.dirname(manifest), 'bin', 'run.js');
}

/** Run `tender-agent start` as its own process (as on a real host), its log in a file. */
export function startAgentProcess(stateDir: string, logFile: string, extraArgs: string[] = []): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const child = spawn(process.execPath, [agentLauncher(), 'start', '--state-dir', stateDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}
