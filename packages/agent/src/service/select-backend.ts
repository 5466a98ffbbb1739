import { existsSync } from 'node:fs';
import { runCommand, type CommandRunner } from './command-runner.js';
import { LaunchdBackend } from './launchd-backend.js';
import { ServiceError, type ServiceBackend } from './service-backend.js';
import { currentLayout } from './service-layout.js';
import { SystemdBackend } from './systemd-backend.js';
import { WindowsBackend } from './windows-backend.js';

/**
 * The service manager of this host. Service changes need root (Administrator on Windows, which WinSW itself
 * checks): say so before touching anything rather than half-way through.
 */
export function selectBackend(options: { stateDir: string; needsAdmin: boolean; run?: CommandRunner }): ServiceBackend {
  const run = options.run ?? runCommand;
  const layout = currentLayout(options.stateDir);
  if (options.needsAdmin && typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ServiceError('installing or changing the service needs root: run it with sudo');
  }
  switch (process.platform) {
    case 'linux':
      // /run/systemd/system exists exactly when systemd is the running init (sd_booted(3)).
      if (!existsSync('/run/systemd/system')) {
        throw new ServiceError('systemd is not running on this host: run `tender-agent start` under the init system this host uses');
      }
      return new SystemdBackend(layout, run);
    case 'darwin':
      return new LaunchdBackend(layout, run);
    case 'win32':
      return new WindowsBackend(layout, run);
    default:
      throw new ServiceError(`no service manager support for ${process.platform}: run \`tender-agent start\` under this host's init system`);
  }
}
