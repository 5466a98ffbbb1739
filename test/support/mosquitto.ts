/**
 * Starts a real Mosquitto 2 with the dynamic-security plugin for tests (one throwaway broker per call).
 *
 * Layout of the temp dir: mosquitto.conf, dynamic-security.json (the plugin rewrites it through a `.new` file, so
 * the dir must be writable by the broker's user), mosquitto.log (log_type all: denials show up as "Denied ..."),
 * and server.crt/server.key when TLS is asked for.
 *
 * The admin user is made by `mosquitto_ctrl dynsec init`, which gives it the plugin's `admin` role: full use of
 * $CONTROL/dynamic-security/#, subscribe/receive `#`, but NO publishing outside $CONTROL. So that the control plane
 * can use the same connection, we also give it a role `tender-control-plane`:
 *   publishClientSend / publishClientReceive / subscribePattern / unsubscribePattern  tender/#
 *   subscribePattern / unsubscribePattern  $share/+/tender/#   (shared subscriptions are ACL-checked with the prefix)
 * That role is written into dynamic-security.json BEFORE the broker starts: granting a role to a user through the
 * plugin (addClientRole) kicks that user's live connections, the admin's own included.
 *
 * Running as root, Mosquitto drops privileges to the `mosquitto` user, so the dir and its files are chowned to it
 * (if there is no such user, the config says `user root` instead).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface MosquittoInstance {
  port: number;
  /** The broker's process id (benchmarks read its CPU time). */
  pid: number | undefined;
  url: string;
  adminUsername: string;
  adminPassword: string;
  dir: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartMosquittoOptions {
  tls?: { certFile: string; keyFile: string };
}

const BIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/sbin', '/opt/homebrew/bin'];
const PLUGIN_FILE = 'mosquitto_dynamic_security.so';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...BIN_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function findDynsecPlugin(): string | undefined {
  const fromEnv = process.env.TENDER_MOSQUITTO_DYNSEC_PLUGIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const dirs: string[] = [];
  for (const root of ['/usr/lib', '/usr/local/lib']) {
    dirs.push(root, path.join(root, 'mosquitto'));
    try {
      for (const entry of readdirSync(root)) {
        if (entry.endsWith('-linux-gnu') || entry.endsWith('-linux-musl')) dirs.push(path.join(root, entry));
      }
    } catch {
      // no such dir
    }
  }
  dirs.push('/usr/lib64', '/usr/local/lib64', '/opt/homebrew/lib', '/opt/homebrew/opt/mosquitto/lib', '/usr/local/opt/mosquitto/lib');
  for (const dir of dirs) {
    const file = path.join(dir, PLUGIN_FILE);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** True when the broker, mosquitto_ctrl and the dynamic-security plugin are all installed. */
export function mosquittoAvailable(): boolean {
  return findExecutable('mosquitto') !== undefined && findExecutable('mosquitto_ctrl') !== undefined && findDynsecPlugin() !== undefined;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args[0] ?? ''} ${args[1] ?? ''} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** uid/gid of the `mosquitto` user, from /etc/passwd. */
function mosquittoUser(): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'mosquitto' && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // not a passwd system
  }
  return undefined;
}

interface DynsecConfigFile {
  clients?: Array<{ username: string; roles?: Array<{ rolename: string; priority?: number }> }>;
  roles?: Array<{ rolename: string; acls?: Array<{ acltype: string; topic: string; allow: boolean }> }>;
}

const CONTROL_PLANE_ROLE = {
  rolename: 'tender-control-plane',
  acls: [
    { acltype: 'publishClientSend', topic: 'tender/#', allow: true },
    { acltype: 'publishClientReceive', topic: 'tender/#', allow: true },
    { acltype: 'subscribePattern', topic: 'tender/#', allow: true },
    { acltype: 'subscribePattern', topic: '$share/+/tender/#', allow: true },
    { acltype: 'unsubscribePattern', topic: 'tender/#', allow: true },
    { acltype: 'unsubscribePattern', topic: '$share/+/tender/#', allow: true },
  ],
};

async function grantControlPlaneRole(configFile: string, adminUsername: string): Promise<void> {
  const config = JSON.parse(await readFile(configFile, 'utf8')) as DynsecConfigFile;
  const admin = config.clients?.find((c) => c.username === adminUsername);
  if (!admin) throw new Error(`mosquitto_ctrl dynsec init did not create ${adminUsername} in ${configFile}`);
  (config.roles ??= []).push(CONTROL_PLANE_ROLE);
  (admin.roles ??= []).push({ rolename: CONTROL_PLANE_ROLE.rolename });
  await writeFile(configFile, JSON.stringify(config, null, 2));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function tail(file: string, output: string): Promise<string> {
  let log = '';
  try {
    log = await readFile(file, 'utf8');
  } catch {
    // not written yet
  }
  const lines = `${log}${output}`.trimEnd().split('\n');
  return lines.slice(-30).join('\n');
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startMosquitto(opts: StartMosquittoOptions = {}): Promise<MosquittoInstance> {
  const mosquitto = findExecutable('mosquitto');
  const ctrl = findExecutable('mosquitto_ctrl');
  const plugin = findDynsecPlugin();
  if (!mosquitto || !ctrl || !plugin) {
    throw new Error(`Mosquitto is not fully installed (mosquitto: ${mosquitto ?? 'missing'}, mosquitto_ctrl: ${ctrl ?? 'missing'}, ${PLUGIN_FILE}: ${plugin ?? 'missing'})`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-mosquitto-'));
  try {
    const adminUsername = 'tender-admin';
    const adminPassword = randomBytes(18).toString('base64url');
    const dynsecFile = path.join(dir, 'dynamic-security.json');
    const confFile = path.join(dir, 'mosquitto.conf');
    const logFile = path.join(dir, 'mosquitto.log');
    // The password goes on the command line: without it mosquitto_ctrl prompts on the terminal.
    await run(ctrl, ['dynsec', 'init', dynsecFile, adminUsername, adminPassword]);
    await grantControlPlaneRole(dynsecFile, adminUsername);
    await writeFile(logFile, '');

    let tlsLines: string[] = [];
    if (opts.tls) {
      const certFile = path.join(dir, 'server.crt');
      const keyFile = path.join(dir, 'server.key');
      await copyFile(opts.tls.certFile, certFile);
      await copyFile(opts.tls.keyFile, keyFile);
      await chmod(keyFile, 0o600);
      tlsLines = [`certfile ${certFile}`, `keyfile ${keyFile}`];
    }

    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const owner = asRoot ? mosquittoUser() : undefined;

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const conf = [
        'per_listener_settings false',
        'allow_anonymous false',
        'persistence false',
        // The control plane's one subscription receives every agent's messages at once during a fan-out; the
        // default per-client queue (1000) would drop acks and results. docs/mosquitto.md says the same.
        'max_queued_messages 100000',
        'max_inflight_messages 0',
        // Forward each small message at once rather than after the client's delayed ACK (Nagle): see docs/mosquitto.md.
        'set_tcp_nodelay true',
        `log_dest file ${logFile}`,
        'log_type all',
        ...(asRoot && !owner ? ['user root'] : []),
        `plugin ${plugin}`,
        `plugin_opt_config_file ${dynsecFile}`,
        `listener ${port} 127.0.0.1`,
        ...tlsLines,
        '',
      ].join('\n');
      await writeFile(confFile, conf);
      if (owner) {
        await chown(dir, owner.uid, owner.gid);
        for (const entry of await readdir(dir)) await chown(path.join(dir, entry), owner.uid, owner.gid);
      }

      let output = '';
      const child = spawn(mosquitto, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-8192);
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      let spawnError: Error | undefined;
      child.once('error', (err) => {
        spawnError = err;
      });
      const killOnExit = (): void => {
        // The test process is exiting without stop() (e.g. mocha --exit): do not leave the broker or its files.
        child.kill('SIGKILL');
        if (!process.env.TENDER_KEEP_MOSQUITTO_DIR) rmSync(dir, { recursive: true, force: true });
      };
      process.once('exit', killOnExit);

      const deadline = Date.now() + START_TIMEOUT_MS;
      let ready = false;
      while (Date.now() < deadline && !spawnError && child.exitCode === null && child.signalCode === null) {
        if (await canConnect(port)) {
          ready = child.exitCode === null && child.signalCode === null;
          break;
        }
        await delay(50);
      }
      if (!ready) {
        child.kill('SIGKILL');
        await waitExit(child, STOP_TIMEOUT_MS);
        process.off('exit', killOnExit);
        const log = await tail(logFile, output);
        if (attempt < 3 && /address already in use/i.test(log)) continue; // lost the port race: try another
        const why = spawnError
          ? `could not be run (${spawnError.message})`
          : child.exitCode !== null
            ? `exited with code ${child.exitCode} before listening on 127.0.0.1:${port}`
            : `was not listening on 127.0.0.1:${port} after ${START_TIMEOUT_MS} ms`;
        throw new Error(`Mosquitto ${why}.\nConfig:\n${conf}Log tail:\n${log}`);
      }

      let stopped = false;
      return {
        port,
        pid: child.pid,
        url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
        adminUsername,
        adminPassword,
        dir,
        logFile,
        async stop(): Promise<void> {
          if (stopped) return;
          stopped = true;
          child.kill('SIGTERM');
          if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
            child.kill('SIGKILL');
            await waitExit(child, STOP_TIMEOUT_MS);
          }
          process.off('exit', killOnExit);
          if (!process.env.TENDER_KEEP_MOSQUITTO_DIR) await rm(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
