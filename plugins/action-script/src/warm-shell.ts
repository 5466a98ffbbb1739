import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { statSync } from 'node:fs';
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
 */
export function warmShellSpawner(spawn: Spawner): Spawner {
  if (process.platform === 'win32') return spawn;
  let warm: { child: ChildProcess; env: Record<string, string> } | undefined;
  let warming: NodeJS.Immediate | undefined;

  const makeWarm = (): void => {
    warming = undefined;
    const env = currentEnvironment();
    if (warm || env === undefined) return;
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-s'], { cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch {
      return;
    }
    child.on('error', () => undefined); // a failed start or a dead shell: the next step spawns the usual way
    child.stdin?.on('error', () => undefined);
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

  return (command: string, args: readonly string[], options: SpawnOptions): ChildProcess => {
    const taken = warm;
    const prelude = taken && isPlain(options) && taken.child.exitCode === null && taken.child.signalCode === null ? preludeFor(command, args, options, taken.env) : undefined;
    if (!taken || prelude === undefined) {
      const child = spawn(command, args, options);
      child.once('close', scheduleWarm);
      return child;
    }
    warm = undefined;
    const { child } = taken;
    refAll(child);
    child.stdin?.end(prelude);
    child.once('close', scheduleWarm);
    // It started long ago; whoever supervises it waits for 'spawn' like any other child.
    process.nextTick(() => child.emit('spawn'));
    return child;
  };
}

/** The agent's environment now, or undefined when a name in it cannot pass through the shell unchanged. */
function currentEnvironment(): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (!SHELL_NAME.test(name)) return undefined;
    env[name] = value;
  }
  return env;
}

function isPlain(options: SpawnOptions): boolean {
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
    statSync(options.cwd, { throwIfNoEntry: false })?.isDirectory() === true
  );
}

/** The lines that turn the warm shell into the step's process, or undefined when the environment cannot be given so. */
function preludeFor(command: string, args: readonly string[], options: SpawnOptions, warmEnv: Readonly<Record<string, string>>): string | undefined {
  const env = (options.env ?? process.env) as Record<string, string | undefined>;
  const lines = [`cd -- ${quoteForSh(options.cwd as string)} || exit 126`];
  for (const name of new Set([...Object.keys(warmEnv), ...SHELL_OWN])) if (env[name] === undefined) lines.push(`unset ${name}`);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || (warmEnv[name] === value && !SHELL_OWN.includes(name))) continue;
    if (!SHELL_NAME.test(name) || value.includes('\0')) return undefined;
    lines.push(`export ${name}=${quoteForSh(value)}`);
  }
  lines.push(`exec ${[command, ...args].map(quoteForSh).join(' ')} </dev/null`);
  return `${lines.join('\n')}\n`;
}

function unrefAll(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
}

function refAll(child: ChildProcess): void {
  child.ref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { ref?: () => void } | null)?.ref?.();
}
