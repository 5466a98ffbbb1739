import { existsSync, promises as fs } from 'node:fs';
import type { CommandRunner } from './command-runner.js';
import { LAUNCHD_LABEL, LAUNCHD_PLIST_PATH, NEWSYSLOG_CONF_PATH, launchdPlist, newsyslogConf } from './launchd-plist.js';
import { ServiceError, type ServiceBackend, type ServiceReport, type ServiceStatus } from './service-backend.js';
import type { ServiceLayout } from './service-layout.js';

const TARGET = `system/${LAUNCHD_LABEL}`;

/** macOS: a LaunchDaemon, managed with launchctl's bootstrap/bootout (the domain-target verbs of macOS 10.11+). */
export class LaunchdBackend implements ServiceBackend {
  constructor(
    private readonly layout: ServiceLayout,
    private readonly run: CommandRunner,
  ) {}

  async install({ start }: { start: boolean }): Promise<ServiceReport> {
    await fs.mkdir(this.layout.logDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.layout.stateDir, { recursive: true, mode: 0o700 });
    await fs.writeFile(LAUNCHD_PLIST_PATH, launchdPlist(this.layout), { mode: 0o644 });
    await fs.writeFile(NEWSYSLOG_CONF_PATH, newsyslogConf(this.layout.logDir), { mode: 0o644 });
    const actions = [`wrote ${LAUNCHD_PLIST_PATH}`, `wrote ${NEWSYSLOG_CONF_PATH} (log rotation for ${this.layout.logDir})`];
    // Reload so a rerun picks up a new plist or version; bootout of a daemon that is not loaded fails harmlessly.
    await this.run('launchctl', ['bootout', TARGET]);
    await this.launchctl('enable', TARGET);
    if (start) {
      await this.launchctl('bootstrap', 'system', LAUNCHD_PLIST_PATH);
      actions.push(`loaded and started ${LAUNCHD_LABEL} (RunAtLoad: starts at boot)`);
    } else {
      actions.push(`enabled ${LAUNCHD_LABEL}: it starts at the next boot`);
    }
    return { actions, status: await this.status() };
  }

  async uninstall(): Promise<ServiceReport> {
    const actions: string[] = [];
    if ((await this.run('launchctl', ['bootout', TARGET])).code === 0) actions.push(`stopped and unloaded ${LAUNCHD_LABEL}`);
    for (const file of [LAUNCHD_PLIST_PATH, NEWSYSLOG_CONF_PATH]) {
      if (existsSync(file)) {
        await fs.rm(file);
        actions.push(`removed ${file}`);
      }
    }
    if (actions.length === 0) actions.push(`${LAUNCHD_LABEL} was not installed`);
    return { actions, status: await this.status() };
  }

  async start(): Promise<ServiceReport> {
    if (!existsSync(LAUNCHD_PLIST_PATH)) throw new ServiceError(`${LAUNCHD_LABEL} is not installed: run \`tender-agent service install\` first`);
    const loaded = (await this.run('launchctl', ['print', TARGET])).code === 0;
    if (loaded) await this.launchctl('kickstart', TARGET);
    else await this.launchctl('bootstrap', 'system', LAUNCHD_PLIST_PATH);
    return { actions: [`started ${LAUNCHD_LABEL}`], status: await this.status() };
  }

  /** Unloads the daemon: launchd would restart a killed one (KeepAlive), so stopping means bootout. */
  async stop(): Promise<ServiceReport> {
    if (!existsSync(LAUNCHD_PLIST_PATH)) throw new ServiceError(`${LAUNCHD_LABEL} is not installed`);
    await this.run('launchctl', ['bootout', TARGET]);
    return { actions: [`stopped ${LAUNCHD_LABEL} (until \`tender-agent service start\` or the next boot)`], status: await this.status() };
  }

  async status(): Promise<ServiceStatus> {
    const installed = existsSync(LAUNCHD_PLIST_PATH);
    const printed = await this.run('launchctl', ['print', TARGET]);
    const state = printed.code === 0 ? (/^\s*state = (.+)$/m.exec(printed.stdout)?.[1] ?? 'loaded') : 'not loaded';
    const pid = Number(/^\s*pid = (\d+)$/m.exec(printed.stdout)?.[1] ?? 0);
    const disabled = await this.run('launchctl', ['print-disabled', 'system']);
    return {
      manager: 'launchd',
      name: LAUNCHD_LABEL,
      ...(installed ? { definition: LAUNCHD_PLIST_PATH } : {}),
      installed,
      enabled: installed && !new RegExp(`"${LAUNCHD_LABEL}" => (true|disabled)`).test(disabled.stdout),
      running: state === 'running',
      ...(pid > 0 ? { pid } : {}),
      state,
    };
  }

  private async launchctl(...args: string[]): Promise<void> {
    const result = await this.run('launchctl', args);
    if (result.code !== 0) throw new ServiceError(`launchctl ${args.join(' ')} failed: ${result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`}`);
  }
}
