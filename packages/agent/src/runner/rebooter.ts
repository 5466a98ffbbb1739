/**
 * Rebooting the host when a step exits with 194 (Linux, macOS) or 3010 (Windows). Injected: tests and the
 * fleet simulator record the request instead, and nothing else in the runner knows how a host reboots.
 *
 * The default does what SSM Agent does (agent/rebooter): it schedules the reboot a minute ahead rather than
 * now, `/sbin/shutdown -r +1` on Linux and macOS, `shutdown.exe /r /t 60` on Windows, so that the agent can still
 * tell the control plane the command is rebooting and deliver what it has spooled before the service stops.
 * The command's state is already on disk when this is called.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import type { Platform } from '@tender/plugin-api';

export interface Rebooter {
  /** Asks the host to reboot; resolves once the request is made (the reboot itself comes later). */
  reboot(): Promise<void>;
}

export type RebootSpawn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface SystemRebooterOptions {
  platform?: Platform;
  /** Seconds between the request and the reboot; 60 as SSM Agent. Unix shutdown counts in whole minutes. */
  delaySeconds?: number;
  spawn?: RebootSpawn;
  /** %SystemRoot% on Windows. */
  systemRoot?: string;
}

/** The command line that reboots the host (exported for tests: running it is not something a test does). */
export function rebootCommand(platform: Platform, delaySeconds: number, systemRoot = 'C:\\Windows'): { command: string; args: string[] } {
  const seconds = Math.max(0, Math.round(delaySeconds));
  if (platform === 'win32') {
    return { command: path.win32.join(systemRoot, 'System32', 'shutdown.exe'), args: ['/r', '/t', String(seconds)] };
  }
  return { command: '/sbin/shutdown', args: ['-r', seconds === 0 ? 'now' : `+${Math.ceil(seconds / 60)}`] };
}

export function createSystemRebooter(options: SystemRebooterOptions = {}): Rebooter {
  const platform = options.platform ?? (process.platform as Platform);
  const spawn = options.spawn ?? nodeSpawn;
  const { command, args } = rebootCommand(platform, options.delaySeconds ?? 60, options.systemRoot ?? process.env.SystemRoot);
  return {
    reboot: () =>
      new Promise<void>((resolve, reject) => {
        let stderr = '';
        const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
        child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
        child.once('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`)));
        child.once('close', (code, signal) => {
          if (code === 0) resolve();
          else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
        });
      }),
  };
}

/**
 * Several commands may ask for a reboot at once; the host reboots once (SSM: RequestPendingReboot). Give every
 * runner of one agent (Run Command's and the associations') the same wrapped rebooter, so that they share the one
 * request: two `shutdown /r /t 60` in a row fail on Windows ("a system shutdown has already been scheduled").
 */
export function rebootOnce(rebooter: Rebooter): Rebooter {
  let requested: Promise<void> | undefined;
  return {
    reboot: () => {
      requested ??= rebooter.reboot().catch((error: unknown) => {
        requested = undefined; // a failed request may be retried by the next command that asks
        throw error;
      });
      return requested;
    },
  };
}
