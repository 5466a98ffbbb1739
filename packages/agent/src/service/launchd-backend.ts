import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { awaitAgentReady } from './await-ready.js';
import type { CommandResult, CommandRunner } from './command-runner.js';
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
      await this.expectRunning();
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
    await this.expectRunning();
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
    const { state, pid } = launchdJob(await this.run('launchctl', ['print', TARGET]));
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

  /** A start is good once the agent says it is up (await-ready.ts), and the process launchd runs stays the same. */
  private async expectRunning(): Promise<void> {
    const watch = launchdStartWatch();
    await awaitAgentReady({
      name: LAUNCHD_LABEL,
      look: async () => {
        const job = launchdJob(await this.run('launchctl', ['print', TARGET]));
        const failure = watch(job);
        return { pid: job.pid, stateDir: job.stateDir ?? this.layout.stateDir, ...(failure ? { failure } : {}) };
      },
      logTail: () => lastLines(path.join(this.layout.logDir, 'agent.log'), 15),
    });
  }

  private async launchctl(...args: string[]): Promise<void> {
    const result = await this.run('launchctl', args);
    if (result.code !== 0) throw new ServiceError(`launchctl ${args.join(' ')} failed: ${result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`}`);
  }
}

/** What `launchctl print system/<label>` says of the job: its top-level fields (nested blocks have a "state" of their own). */
export interface LaunchdJob {
  loaded: boolean;
  /** running, not running, spawn scheduled, ... ("not loaded" when launchctl knows no such job). */
  state: string;
  /** 0 when no process runs. */
  pid: number;
  /** How many times launchd has started it since it was loaded. */
  runs: number;
  /** "(never exited)", "1", "78: EX_CONFIG", ... */
  lastExitCode: string;
  /** TENDER_AGENT_STATE_DIR from the job's environment, when it has one. */
  stateDir?: string;
}

export function launchdJob(printed: CommandResult): LaunchdJob {
  if (printed.code !== 0) return { loaded: false, state: 'not loaded', pid: 0, runs: 0, lastExitCode: '' };
  const field = (name: string) => new RegExp(`^\\t${name} = (.*)$`, 'm').exec(printed.stdout)?.[1]?.trim();
  const stateDir = /^\t+TENDER_AGENT_STATE_DIR => (.+)$/m.exec(printed.stdout)?.[1]?.trim();
  return {
    loaded: true,
    state: field('state') ?? 'loaded',
    pid: Number(field('pid') ?? 0) || 0,
    runs: Number(field('runs') ?? 0) || 0,
    lastExitCode: field('last exit code') ?? '',
    ...(stateDir ? { stateDir } : {}),
  };
}

/**
 * Judges each look at a job after bootstrap or kickstart; a reason when the start has failed. Once it has been seen
 * running as one process, that process must stay: none, or another (launchd started it again after it exited:
 * KeepAlive), fails the start. A job not seen running yet fails when its run count grows past the first look's (it
 * ran and exited between two looks) or when it is unloaded.
 */
export function launchdStartWatch(): (job: LaunchdJob) => string | undefined {
  let firstRuns: number | undefined;
  let seenPid = 0;
  return (job) => {
    firstRuns ??= job.runs;
    const running = job.state === 'running' && job.pid > 0;
    const now = `${job.state}${job.lastExitCode ? `, last exit code ${job.lastExitCode}` : ''}`;
    if (seenPid > 0 && job.pid !== seenPid) return `did not stay running (${running ? `launchd started it again as pid ${job.pid}` : now})`;
    if (running) {
      seenPid = job.pid;
      return undefined;
    }
    if (!job.loaded) return 'was unloaded';
    if (job.runs > firstRuns) return `exited (${now})`;
    return undefined;
  };
}

/** The last `count` lines of a log file ('' when there is none). */
async function lastLines(file: string, count: number): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
