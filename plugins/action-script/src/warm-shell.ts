import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { agentEnvironment } from './environment.js';
import type { Spawner } from './spawner.js';
import { quoteForSh } from './shell-command.js';

/** A name the shell can export: anything else in an environment makes the step start the ordinary way. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables a shell may set for itself (cd, bash's start-up): always given the step's value, or unset. */
const SHELL_OWN = ['PWD', 'OLDPWD', 'SHLVL', '_'];

/**
 * Starts script processes from a /bin/sh made ahead of time, waiting on its standard input. Forking the agent (tens of
 * megabytes of address space to copy, then to tear down at exec) blocks its event loop for about 10 ms on a small VM,
 * a third of a command's round trip; forking at rest costs nothing anyone waits for. When a step starts, the warm
 * shell reads a few lines: `cd` to the step's folder, the step's environment as differences from its own (every
 * value single-quoted, so data and never code, as with spawn), and `exec` of the step's command with standard input
 * from /dev/null. It then is the step's process: the same pid, its own session and process group (it was started
 * detached, so stopping the tree works as before), the same output pipes, and the environment spawn would have
 * given it, marker included.
 *
 * Only the plain case is served warm (Unix; detached; output piped, input ignored; a folder that exists; names the
 * shell can export); anything else, or no warm shell at hand, is spawned as usual. A warm shell is made after the
 * first step has run (an agent that never runs a command keeps none) and again after each use. It reads
 * end-of-file and exits if the agent goes away, and never keeps the agent's event loop alive.
 *
 * A shell script without `#!` can go further (prepareScript): its `/bin/sh <path>` is started while the runner saves
 * the step's record, and waits behind a gate until spawn() is called for it (see GATE).
 */
export function warmShellSpawner(spawn: Spawner): WarmShellSpawner {
  if (process.platform === 'win32') return Object.assign((...args: Parameters<Spawner>) => spawn(...args), { prepareScript: () => undefined });
  let warm: { child: ChildProcess; env: Readonly<Record<string, string>> } | undefined;
  let warming: NodeJS.Immediate | undefined;
  /** Shells started by prepareScript(), by the spawn they stand for, until it comes or they expire. */
  const gated = new Map<string, { child: ChildProcess; expiry: NodeJS.Timeout }>();

  const makeWarm = (): void => {
    warming = undefined;
    const env = currentEnvironment();
    if (warm || env === undefined) return;
    let child: ChildProcess;
    try {
      // fd 3: the gate's own pipe (GATE). The shell reads its commands from fd 0 in chunks, so a word for the gate
      // sent there could be swallowed by the shell before its exec; it never reads fd 3.
      child = spawn('/bin/sh', ['-s'], { cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
    } catch {
      return;
    }
    child.on('error', () => undefined); // a failed start or a dead shell: the next step spawns the usual way
    child.stdin?.on('error', () => undefined);
    gatePipe(child)?.on('error', () => undefined);
    child.once('exit', () => {
      if (warm?.child === child) warm = undefined;
    });
    unrefAll(child);
    warm = { child, env };
  };
  // Called as a step's process closes: the step's result is worked out and sent in the same turn of the event loop
  // (microtasks), so a fork in the next turn delays nothing anyone waits for; the next command is at least a
  // round trip to the control plane away.
  const scheduleWarm = (): void => {
    if (warm || warming) return;
    warming = setImmediate(makeWarm);
    warming.unref();
  };

  /**
   * The warm shell, if there is one and it can become this process; it is then no longer warm. `enter`: it goes to
   * the folder now (which must exist), or the `last` line does (a prepared shell's folder may not exist yet).
   */
  const takeWarm = (options: SpawnOptions, last: string, enter: boolean): ChildProcess | undefined => {
    const taken = warm;
    const prelude = taken && isPlain(options, enter) && isAlive(taken.child) ? preludeFor(options, taken.env, enter) : undefined;
    if (!taken || prelude === undefined) return undefined;
    warm = undefined;
    taken.child.stdin?.end(`${prelude}${last}\n`);
    taken.child.once('close', scheduleWarm);
    return taken.child;
  };

  const spawner = (command: string, args: readonly string[], options: SpawnOptions): ChildProcess => {
    const key = spawnKey(command, args, options);
    const waiting = gated.get(key);
    gated.delete(key);
    if (waiting) clearTimeout(waiting.expiry);
    let child: ChildProcess | undefined;
    if (waiting && isAlive(waiting.child)) {
      child = waiting.child;
      gatePipe(child)?.end(`${GATE_OPEN}\n`);
    } else {
      if (waiting) shut(waiting.child);
      child = takeWarm(options, `exec ${[command, ...args].map(quoteForSh).join(' ')} </dev/null 3<&-`, true);
    }
    if (!child) {
      const spawned = spawn(command, args, options);
      spawned.once('close', scheduleWarm);
      return spawned;
    }
    refAll(child);
    // It started earlier; whoever supervises it waits for 'spawn' like any other child.
    const started = child;
    process.nextTick(() => started.emit('spawn'));
    return started;
  };

  const prepareScript = (scriptPath: string, options: SpawnOptions): void => {
    const command = '/bin/sh';
    const key = spawnKey(command, [scriptPath], options);
    if (gated.has(key)) return;
    // Into the folder only once the gate opens; `cd -P`, so PWD is the physical path, as sh finds it when started
    // there; then OLDPWD as the step has it (cd just set it).
    const oldPwd = (options.env as Record<string, string | undefined> | undefined)?.OLDPWD;
    const oldPwdLine = oldPwd === undefined ? 'unset OLDPWD' : `OLDPWD=${quoteForSh(oldPwd)}`;
    const gate = `${GATE}; cd -P -- ${quoteForSh(options.cwd as string)} || exit 126; ${oldPwdLine}\n. "$0"`;
    const child = takeWarm(options, `exec /bin/sh -c ${quoteForSh(gate)} ${quoteForSh(scriptPath)} </dev/null`, false);
    if (!child) return;
    // The step did not come (the agent's save failed, the step was cancelled): the shell goes, having run nothing.
    const expiry = setTimeout(() => {
      if (gated.get(key)?.child !== child) return;
      gated.delete(key);
      shut(child);
    }, GATED_SHELL_TTL_MS);
    expiry.unref();
    gated.set(key, { child, expiry });
  };

  return Object.assign(spawner, { prepareScript });
}

/** A spawner that can also start a shell script's process ahead of its spawn. */
export interface WarmShellSpawner extends Spawner {
  /**
   * Starts the process of a coming `spawn('/bin/sh', [scriptPath], options)` now, from the warm shell if there is
   * one (otherwise nothing happens and that spawn starts the usual way). It is exec'd as `/bin/sh -c GATE
   * scriptPath`, and neither enters its folder nor reads anything of the script until the spawn comes: neither
   * need exist yet. That spawn opens the gate; a different one leaves it shut, and an unopened gate is shut after a
   * while.
   */
  prepareScript(scriptPath: string, options: SpawnOptions): void;
}

/**
 * How a prepared shell starts: wait on fd 3 (a pipe from the agent) for the word `go`; then (prepareScript adds it)
 * enter the step's folder and read the script as `sh <path>` would. `$0` is the script's path (so `dirname "$0"`
 * finds its folder, as AWS-RunAnsiblePlaybook does), `$#` is 0, input is /dev/null, the gate's own variable and
 * descriptor are gone, and `set -e` in the script works as usual (the `.` is a command of its own, not part of an
 * and-or list). The one visible difference: dash prefixes an error in a sourced file with the file twice
 * (`<path>: 2: <path>: foo: not found`; bash prints what `bash <path>` prints). End-of-file instead of `go` (the
 * agent has gone) or anything else ends it with 125 before any of the script is read.
 */
const GATE = 'IFS= read -r go <&3; exec 3<&-; [ "$go" = go ] || exit 125; unset go';
const GATE_OPEN = 'go';
/** How long a prepared shell waits for its spawn; the runner's save takes milliseconds. */
const GATED_SHELL_TTL_MS = 30_000;

function spawnKey(command: string, args: readonly string[], options: SpawnOptions): string {
  return JSON.stringify([command, args, options.cwd, options.env ?? null, options.stdio, options.detached]);
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The agent's end of a warm shell's fd 3. */
function gatePipe(child: ChildProcess): Writable | undefined {
  return (child.stdio[3] as Writable | null | undefined) ?? undefined;
}

/** Ends a prepared shell that will not be used: end-of-file at its gate, so it exits having read nothing. */
function shut(child: ChildProcess): void {
  gatePipe(child)?.end();
}

/** The agent's environment, or undefined when a name in it cannot pass through the shell unchanged. */
function currentEnvironment(): Readonly<Record<string, string>> | undefined {
  const env = agentEnvironment();
  return Object.keys(env).every((name) => SHELL_NAME.test(name)) ? env : undefined;
}

function isPlain(options: SpawnOptions, folderMustExist: boolean): boolean {
  const stdio = options.stdio;
  return (
    process.platform !== 'win32' &&
    options.detached === true &&
    Array.isArray(stdio) &&
    stdio[0] === 'ignore' &&
    stdio[1] === 'pipe' &&
    stdio[2] === 'pipe' &&
    options.shell === undefined &&
    options.uid === undefined &&
    options.gid === undefined &&
    options.argv0 === undefined &&
    typeof options.cwd === 'string' &&
    (!folderMustExist || statSync(options.cwd, { throwIfNoEntry: false })?.isDirectory() === true)
  );
}

/**
 * The lines that give the warm shell the step's folder and environment (the caller adds the `exec` that follows), or
 * undefined when the environment cannot be given so.
 */
function preludeFor(options: SpawnOptions, warmEnv: Readonly<Record<string, string>>, enter: boolean): string | undefined {
  const env = (options.env ?? process.env) as Record<string, string | undefined>;
  const lines = enter ? [`cd -- ${quoteForSh(options.cwd as string)} || exit 126`] : [];
  for (const name of new Set([...Object.keys(warmEnv), ...SHELL_OWN])) if (env[name] === undefined) lines.push(`unset ${name}`);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || (warmEnv[name] === value && !SHELL_OWN.includes(name))) continue;
    if (!SHELL_NAME.test(name) || value.includes('\0')) return undefined;
    lines.push(`export ${name}=${quoteForSh(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function unrefAll(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr, gatePipe(child)]) (stream as { unref?: () => void } | null)?.unref?.();
}

function refAll(child: ChildProcess): void {
  child.ref();
  for (const stream of [child.stdin, child.stdout, child.stderr, gatePipe(child)]) (stream as { ref?: () => void } | null)?.ref?.();
}
