import { existsSync, promises as fs } from 'node:fs';
import { awaitAgentReady } from './await-ready.js';
import type { CommandRunner } from './command-runner.js';
import { ServiceError, type ServiceBackend, type ServiceReport, type ServiceStatus } from './service-backend.js';
import type { ServiceLayout } from './service-layout.js';
import { SYSTEMD_UNIT_NAME, systemdUnit } from './systemd-unit.js';

/** Where the .deb and .rpm put the unit: when one is there, the package owns it and install only enables it. */
const PACKAGED_UNITS = [`/lib/systemd/system/${SYSTEMD_UNIT_NAME}`, `/usr/lib/systemd/system/${SYSTEMD_UNIT_NAME}`];
/** Where `service install` writes the unit for a tarball or source install (and `uninstall` removes it). */
const LOCAL_UNIT = `/etc/systemd/system/${SYSTEMD_UNIT_NAME}`;

export class SystemdBackend implements ServiceBackend {
  constructor(
    private readonly layout: ServiceLayout,
    private readonly run: CommandRunner,
  ) {}

  async install({ start }: { start: boolean }): Promise<ServiceReport> {
    const actions: string[] = [];
    const packaged = PACKAGED_UNITS.find((file) => existsSync(file));
    if (packaged) {
      actions.push(`using the package's unit ${packaged}`);
    } else {
      await fs.writeFile(LOCAL_UNIT, systemdUnit(this.layout), { mode: 0o644 });
      actions.push(`wrote ${LOCAL_UNIT}`);
    }
    await this.systemctl('daemon-reload');
    await this.systemctl('enable', SYSTEMD_UNIT_NAME);
    actions.push(`enabled ${SYSTEMD_UNIT_NAME} (starts at boot)`);
    if (start) {
      // restart, not start: a rerun after an upgrade or a new registration must load the new code and identity.
      await this.systemctl('restart', SYSTEMD_UNIT_NAME);
      actions.push(`started ${SYSTEMD_UNIT_NAME}`);
      await this.expectRunning();
    }
    return { actions, status: await this.status() };
  }

  async uninstall(): Promise<ServiceReport> {
    const actions: string[] = [];
    const before = await this.status();
    if (before.installed) {
      await this.systemctl('disable', '--now', SYSTEMD_UNIT_NAME);
      actions.push(`stopped and disabled ${SYSTEMD_UNIT_NAME}`);
    }
    if (existsSync(LOCAL_UNIT)) {
      await fs.rm(LOCAL_UNIT);
      actions.push(`removed ${LOCAL_UNIT}`);
    } else if (before.definition) {
      actions.push(`left ${before.definition} to its package (remove the package to remove it)`);
    }
    await this.systemctl('daemon-reload');
    if (actions.length === 0) actions.push(`${SYSTEMD_UNIT_NAME} was not installed`);
    return { actions, status: await this.status() };
  }

  async start(): Promise<ServiceReport> {
    await this.requireInstalled();
    await this.systemctl('start', SYSTEMD_UNIT_NAME);
    await this.expectRunning();
    return { actions: [`started ${SYSTEMD_UNIT_NAME}`], status: await this.status() };
  }

  async stop(): Promise<ServiceReport> {
    await this.requireInstalled();
    await this.systemctl('stop', SYSTEMD_UNIT_NAME);
    return { actions: [`stopped ${SYSTEMD_UNIT_NAME}`], status: await this.status() };
  }

  async status(): Promise<ServiceStatus> {
    const props = await this.show();
    const installed = props.LoadState === 'loaded';
    const pid = Number(props.MainPID);
    return {
      manager: 'systemd',
      name: SYSTEMD_UNIT_NAME,
      ...(installed && props.FragmentPath ? { definition: props.FragmentPath } : {}),
      installed,
      enabled: props.UnitFileState === 'enabled',
      running: props.ActiveState === 'active',
      ...(pid > 0 ? { pid } : {}),
      state: `${props.ActiveState ?? 'unknown'} (${props.SubState ?? 'unknown'})`,
    };
  }

  private async show(): Promise<Record<string, string | undefined>> {
    const shown = await this.run('systemctl', ['show', SYSTEMD_UNIT_NAME, '--property=LoadState,ActiveState,SubState,UnitFileState,MainPID,FragmentPath,NRestarts,Environment']);
    if (shown.code !== 0) throw new ServiceError(`systemctl show failed: ${shown.stderr.trim() || `exit ${shown.code}`}`);
    return Object.fromEntries(shown.stdout.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  private async requireInstalled(): Promise<void> {
    if (!(await this.status()).installed) throw new ServiceError(`${SYSTEMD_UNIT_NAME} is not installed: run \`tender-agent service install\` first`);
  }

  /**
   * A start is good once the agent says it is up (await-ready.ts). "active" alone is not enough (Type=exec: active as
   * soon as the program is executed). A process that exits, or is restarted by systemd (NRestarts grows past its
   * value when the start returned: it is not reset by a start of a running unit), fails the start.
   */
  private async expectRunning(): Promise<void> {
    let restartsBefore: number | undefined;
    await awaitAgentReady({
      name: SYSTEMD_UNIT_NAME,
      look: async () => {
        const props = await this.show();
        const restarts = Number(props.NRestarts) || 0;
        restartsBefore ??= restarts;
        const stopped = props.ActiveState !== 'active' || restarts > restartsBefore;
        return {
          pid: Number(props.MainPID) || 0,
          stateDir: unitStateDir(props.Environment) ?? this.layout.stateDir,
          ...(stopped ? { failure: `did not stay running (${props.ActiveState ?? 'unknown'} (${props.SubState ?? 'unknown'})${restarts > restartsBefore ? `, restarted by systemd ${restarts - restartsBefore} times` : ''})` } : {}),
        };
      },
      logTail: async () => (await this.run('journalctl', ['-u', SYSTEMD_UNIT_NAME, '-n', '15', '--no-pager', '-o', 'cat'])).stdout,
    });
  }

  private async systemctl(...args: string[]): Promise<void> {
    const result = await this.run('systemctl', args);
    if (result.code !== 0) throw new ServiceError(`systemctl ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
}

/** The state directory the unit gives the agent (a packaged unit's may differ from this command's --state-dir). */
function unitStateDir(environment: string | undefined): string | undefined {
  // systemctl show quotes an assignment whose value has spaces as a whole: "NAME=value with spaces".
  const match = /(?:^|\s)(?:"TENDER_AGENT_STATE_DIR=([^"]*)"|TENDER_AGENT_STATE_DIR=(\S+))/.exec(environment ?? '');
  return match?.[1] ?? match?.[2];
}
