// Support for the agent-service suites: the packages `npm run package` builds, and a Debian 12 root booted with
// systemd-nspawn (real systemd as PID 1 of the container, the host's network shared so the container reaches a
// control plane on the host's loopback).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/processes.js';

const execFileAsync = promisify(execFile);

export const INSTALL_SCRIPT = path.join(REPO_ROOT, 'install', 'install.sh');
/** The packages the suites install: built once per test run into a folder git ignores. */
export const PACKAGES_DIR = path.join(REPO_ROOT, 'dist-packages', 'test');

export interface BuiltPackages {
  version: string;
  upgradeVersion: string;
  tar: string;
  deb: string;
  rpm: string;
  upgradeTar: string;
  upgradeDeb: string;
}

let built: Promise<BuiltPackages> | undefined;

/**
 * Builds 0.1.0 (tarball, .deb, .rpm) from this checkout, then a 0.1.1 of the same tree (tarball and .deb) to
 * upgrade to. One to two minutes on this machine; later calls in the same run reuse the result.
 */
export function buildPackages(): Promise<BuiltPackages> {
  built ??= (async () => {
    // TENDER_TEST_REUSE_PACKAGES=1: use what an earlier run built (while working on the tests, not the packages).
    const reuse = process.env.TENDER_TEST_REUSE_PACKAGES === '1' && existsSync(path.join(PACKAGES_DIR, 'tender-agent_0.1.1_all.deb'));
    const build = async (args: string[]) => reuse || execFileAsync(process.execPath, [path.join(REPO_ROOT, 'packaging/build.mjs'), '--out', PACKAGES_DIR, ...args], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    await build(['--version', '0.1.0']);
    await build(['--version', '0.1.1', '--formats', 'tar,deb', '--reuse-stage']);
    return {
      version: '0.1.0',
      upgradeVersion: '0.1.1',
      tar: path.join(PACKAGES_DIR, 'tender-agent-0.1.0.tar.gz'),
      deb: path.join(PACKAGES_DIR, 'tender-agent_0.1.0_all.deb'),
      rpm: path.join(PACKAGES_DIR, 'tender-agent-0.1.0-1.noarch.rpm'),
      upgradeTar: path.join(PACKAGES_DIR, 'tender-agent-0.1.1.tar.gz'),
      upgradeDeb: path.join(PACKAGES_DIR, 'tender-agent_0.1.1_all.deb'),
    };
  })();
  return built;
}

/** Where the Debian root is cached between runs (outside the repository; ~260 MB, made once by debootstrap). */
export const CONTAINER_CACHE = process.env.TENDER_TEST_CONTAINER_CACHE ?? '/var/cache/tender-test';
const ROOTFS = path.join(CONTAINER_CACHE, 'debian12-systemd');
const ROOTFS_READY = path.join(ROOTFS, '.tender-ready');

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/**
 * Why the container suite cannot run here, or undefined when it can. Making the root the first time takes ~3
 * minutes (debootstrap), so that is opt-in: TENDER_TEST_CONTAINER=1, or `sh packaging/test/container-root.sh`
 * beforehand (which .ci/run does).
 */
export function containerUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'systemd containers need Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'systemd-nspawn needs root';
  for (const tool of ['systemd-nspawn', 'nsenter', 'dpkg-deb']) if (!has(tool)) return `${tool} is not installed (apt-get install systemd-container util-linux dpkg)`;
  if (!existsSync(ROOTFS_READY) && process.env.TENDER_TEST_CONTAINER !== '1' && !has('debootstrap')) return 'debootstrap is not installed and there is no cached container root';
  if (!existsSync(ROOTFS_READY) && process.env.TENDER_TEST_CONTAINER !== '1') {
    return `no cached container root in ${ROOTFS}: making one takes ~3 minutes, so it is opt-in (TENDER_TEST_CONTAINER=1, or sh packaging/test/container-root.sh)`;
  }
  return undefined;
}

/** Makes the root once (packaging/test/container-root.sh: debootstrap, plus this host's Node.js). */
export async function prepareContainerRoot(): Promise<string> {
  if (existsSync(ROOTFS_READY)) return ROOTFS;
  await execFileAsync('sh', [path.join(REPO_ROOT, 'packaging/test/container-root.sh'), CONTAINER_CACHE], { maxBuffer: 16 << 20 });
  return ROOTFS;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface BootedContainer {
  /** Runs a command inside the container (all its namespaces, as root), never throwing. */
  exec(args: string[], env?: Record<string, string>): Promise<ExecResult>;
  /** Like exec, but throws with the output when the command fails. */
  ok(args: string[], env?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Boots the cached root with systemd-nspawn. --volatile=overlay puts a tmpfs over the cached root, so every run
 * starts from the same clean Debian and nothing it does reaches the cache. --register=no and --keep-unit: this
 * host has no systemd/machined to register the container with (they are what fails here without them).
 */
export async function bootContainer(binds: Record<string, string>): Promise<BootedContainer> {
  const rootfs = await prepareContainerRoot();
  const name = `tender-test-${process.pid}`;
  const args = ['-D', rootfs, '--boot', '--register=no', '--keep-unit', '--console=pipe', '--volatile=overlay', `--machine=${name}`];
  for (const [host, inside] of Object.entries(binds)) args.push(`--bind-ro=${host}:${inside}`);
  const child: ChildProcess = spawn('systemd-nspawn', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // The container's PID 1 is the child of systemd-nspawn; nsenter enters all of its namespaces.
  let initPid = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const children = await fs.readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '');
    initPid = Number(children.trim().split(/\s+/)[0] ?? 0);
    if (initPid > 0) {
      const state = spawnSync('nsenter', ['-t', String(initPid), '-a', 'systemctl', 'is-system-running'], { encoding: 'utf8' }).stdout.trim();
      if (state === 'running' || state === 'degraded') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  if (child.exitCode !== null || initPid === 0 || Date.now() >= deadline) {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    throw new Error(`the container did not boot:\n${output.slice(-3000)}`);
  }

  const exec = (cmd: string[], env: Record<string, string> = {}): Promise<ExecResult> =>
    new Promise((resolve) => {
      const envArgs = Object.entries({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env }).map(([k, v]) => `${k}=${v}`);
      execFile('nsenter', ['-t', String(initPid), '-a', 'env', '-i', ...envArgs, ...cmd], { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 180_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  return {
    exec,
    async ok(cmd, env) {
      const result = await exec(cmd, env);
      if (result.code !== 0) throw new Error(`${cmd.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    },
    async stop() {
      // SIGTERM asks nspawn to shut the container down cleanly; after 20 s it is killed.
      if (child.exitCode !== null) return;
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
