import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { CommandRunner } from './command-runner.js';
import { ServiceError, type ServiceBackend, type ServiceReport, type ServiceStatus } from './service-backend.js';
import { SERVICE_NAME, type ServiceLayout } from './service-layout.js';
import { winswConfig } from './winsw-config.js';

/**
 * The WinSW executable node-windows ships (node-windows is the npm registry's maintained Windows-service package;
 * we use its bundled WinSW directly with our own configuration rather than its Service class, whose extra Node
 * wrapper process would sit between WinSW and the agent and duplicate WinSW's own restart handling).
 */
function winswExecutable(): { exe: string; config: string } {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('node-windows/package.json')), 'bin', 'winsw');
  return { exe: path.join(dir, 'winsw.exe'), config: path.join(dir, 'winsw.exe.config') };
}

/**
 * Windows: a service run by WinSW, which lives (renamed tender-agent.exe, beside its XML) in <state dir>\service:
 * outside the install folder, so that an upgrade can replace that folder while the service stays registered.
 */
export class WindowsBackend implements ServiceBackend {
  private readonly dir: string;
  private readonly exe: string;
  private readonly xml: string;

  constructor(
    private readonly layout: ServiceLayout,
    private readonly run: CommandRunner,
  ) {
    this.dir = path.join(layout.stateDir, 'service');
    this.exe = path.join(this.dir, `${SERVICE_NAME}.exe`);
    this.xml = path.join(this.dir, `${SERVICE_NAME}.xml`);
  }

  async install({ start }: { start: boolean }): Promise<ServiceReport> {
    const actions: string[] = [];
    const wasInstalled = (await this.status()).installed;
    if (wasInstalled) await this.winsw('stop', true);
    await fs.mkdir(this.dir, { recursive: true });
    await fs.mkdir(this.layout.logDir, { recursive: true });
    const source = winswExecutable();
    await fs.copyFile(source.exe, this.exe);
    await fs.copyFile(source.config, `${this.exe}.config`);
    await fs.writeFile(this.xml, winswConfig(this.layout));
    actions.push(`wrote ${this.xml} (WinSW, logs in ${this.layout.logDir})`);
    if (!wasInstalled) {
      await this.winsw('install');
      actions.push(`installed the ${SERVICE_NAME} service (automatic start)`);
    }
    if (start) {
      await this.winsw('start');
      actions.push(`started ${SERVICE_NAME}`);
    }
    return { actions, status: await this.status() };
  }

  async uninstall(): Promise<ServiceReport> {
    const actions: string[] = [];
    if ((await this.status()).installed) {
      await this.winsw('stop', true);
      await this.winsw('uninstall');
      actions.push(`stopped and removed the ${SERVICE_NAME} service`);
    }
    if (existsSync(this.dir)) {
      await fs.rm(this.dir, { recursive: true, force: true });
      actions.push(`removed ${this.dir}`);
    }
    if (actions.length === 0) actions.push(`${SERVICE_NAME} was not installed`);
    return { actions, status: await this.status() };
  }

  async start(): Promise<ServiceReport> {
    await this.winsw('start');
    return { actions: [`started ${SERVICE_NAME}`], status: await this.status() };
  }

  async stop(): Promise<ServiceReport> {
    await this.winsw('stop');
    return { actions: [`stopped ${SERVICE_NAME}`], status: await this.status() };
  }

  async status(): Promise<ServiceStatus> {
    // WinSW prints NonExistent, Started or Stopped.
    const printed = existsSync(this.exe) ? await this.run(this.exe, ['status']) : { code: 0, stdout: 'NonExistent', stderr: '' };
    const state = printed.stdout.trim().split(/\r?\n/).pop() ?? 'unknown';
    const installed = state !== 'NonExistent';
    return {
      manager: 'winsw',
      name: SERVICE_NAME,
      ...(installed ? { definition: this.xml } : {}),
      installed,
      enabled: installed,
      running: state === 'Started',
      state,
    };
  }

  private async winsw(verb: string, mayFail = false): Promise<void> {
    const result = await this.run(this.exe, [verb]);
    if (result.code !== 0 && !mayFail) throw new ServiceError(`${path.basename(this.exe)} ${verb} failed: ${result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`}`);
  }
}
