/**
 * `tender-agent start`'s options, without oclif: the Start command builds its oclif flags from this table, and a
 * well-formed `start` is parsed from it directly (startWithoutOclif), so the running agent never loads oclif,
 * about 5 MB of the idle agent's resident memory. Anything the direct parser does not take as plainly valid
 * (help, an unknown or repeated option, a bad value) goes to oclif, which explains the problem as always.
 */
import { statSync } from 'node:fs';
import { LockedError, StateFileError } from '@tender/local-state';
import { TestClockError } from '../associations/index.js';
import { NotRegisteredError } from '../identity/agent-identity.js';
import { runAgent, type RunAgentOptions } from '../runtime/run-agent.js';
import { defaultStateDir, STATE_DIR_DESCRIPTION, STATE_DIR_ENV } from './state-dir.js';

interface StartOption {
  kind: 'string' | 'integer' | 'directory';
  description: string;
  env?: string;
  min?: number;
  default?: string | number;
  options?: readonly string[];
  multiple?: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export const START_OPTIONS = {
  'state-dir': { kind: 'string', description: STATE_DIR_DESCRIPTION, env: STATE_DIR_ENV },
  'log-level': { kind: 'string', description: 'log level', options: LOG_LEVELS, default: 'info', env: 'TENDER_AGENT_LOG_LEVEL' },
  plugin: { kind: 'directory', description: 'folder of an extra plugin to load (repeatable)', multiple: true },
  'heartbeat-seconds': { kind: 'integer', description: 'override the heartbeat period the control plane gave', min: 1, env: 'TENDER_AGENT_HEARTBEAT_SECONDS' },
  'inventory-interval-minutes': {
    kind: 'integer',
    description: 'minutes between the agent\'s own inventory gathers (one also runs at start); 0 turns them off',
    min: 0,
    default: 30,
    env: 'TENDER_AGENT_INVENTORY_INTERVAL_MINUTES',
  },
  'inventory-jitter-seconds': {
    kind: 'integer',
    description: 'largest random delay before an inventory upload, so a fleet does not upload at once',
    min: 0,
    default: 60,
    env: 'TENDER_AGENT_INVENTORY_JITTER_SECONDS',
  },
  'custom-inventory-dir': { kind: 'string', description: 'folder of custom inventory JSON files (default: <state dir>/inventory/custom)', env: 'TENDER_AGENT_CUSTOM_INVENTORY_DIR' },
} as const satisfies Record<string, StartOption>;

type OptionName = keyof typeof START_OPTIONS;

/** The values of `start`'s options, as oclif's parse gives them (defaults applied). */
export interface StartFlags {
  'state-dir'?: string;
  'log-level': string;
  plugin?: string[];
  'heartbeat-seconds'?: number;
  'inventory-interval-minutes': number;
  'inventory-jitter-seconds': number;
  'custom-inventory-dir'?: string;
}

export function runAgentOptions(flags: StartFlags): RunAgentOptions {
  return {
    stateDir: flags['state-dir'] ?? defaultStateDir(),
    logLevel: flags['log-level'],
    pluginPaths: flags.plugin,
    heartbeatSeconds: flags['heartbeat-seconds'],
    inventoryIntervalMinutes: flags['inventory-interval-minutes'],
    inventoryJitterSeconds: flags['inventory-jitter-seconds'],
    customInventoryDir: flags['custom-inventory-dir'],
  };
}

/** Runs the agent; resolves with the exit code and, for a non-zero one, the sentence that explains it. */
export async function runStart(flags: StartFlags): Promise<{ code: number; message?: string }> {
  try {
    const exit = await runAgent(runAgentOptions(flags));
    return exit.code === 0 ? { code: 0 } : { code: exit.code, message: exit.reason };
  } catch (error) {
    if (error instanceof NotRegisteredError || error instanceof StateFileError || error instanceof LockedError || error instanceof TestClockError) return { code: 1, message: error.message };
    throw error;
  }
}

/** One value, checked as oclif would take it; undefined when it is not plainly valid (oclif then says why). */
function accept(option: StartOption, value: string): string | number | undefined {
  if (value === '') return undefined;
  if (option.options && !option.options.includes(value)) return undefined;
  if (option.kind === 'integer') {
    if (!/^\d+$/.test(value)) return undefined;
    const number = Number(value);
    return Number.isSafeInteger(number) && number >= (option.min ?? 0) ? number : undefined;
  }
  if (option.kind === 'directory') return statSync(value, { throwIfNoEntry: false })?.isDirectory() ? value : undefined;
  return value;
}

/**
 * `start`'s arguments (after `start`) as StartFlags, when every one is a known option with a plainly valid value
 * (`--name value` or `--name=value`), environment variables and defaults applied as oclif does; otherwise
 * undefined, and oclif parses them.
 */
export function parseStartArguments(argv: readonly string[], env: NodeJS.ProcessEnv): StartFlags | undefined {
  const given = new Map<OptionName, string[]>();
  for (let index = 0; index < argv.length; index++) {
    const match = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(argv[index]!);
    if (!match || !Object.hasOwn(START_OPTIONS, match[1]!)) return undefined;
    const name = match[1] as OptionName;
    const value = match[2] ?? argv[++index];
    if (value === undefined || (match[2] === undefined && value.startsWith('-'))) return undefined;
    const option: StartOption = START_OPTIONS[name];
    if (given.has(name) && !option.multiple) return undefined;
    given.set(name, [...(given.get(name) ?? []), value]);
  }
  const values: Partial<Record<OptionName, string | number | Array<string | number>>> = {};
  for (const name of Object.keys(START_OPTIONS) as OptionName[]) {
    const option: StartOption = START_OPTIONS[name];
    const fromEnv = option.env === undefined ? undefined : env[option.env];
    const raw = given.get(name) ?? (fromEnv === undefined ? undefined : [fromEnv]);
    if (raw === undefined) {
      if (option.default !== undefined) values[name] = option.default;
      continue;
    }
    const accepted = raw.map((value) => accept(option, value));
    if (accepted.some((value) => value === undefined)) return undefined;
    values[name] = option.multiple ? (accepted as Array<string | number>) : accepted[0]!;
  }
  return values as unknown as StartFlags;
}

/**
 * `tender-agent start ...` without oclif. Resolves with the process's exit code, having printed what oclif would
 * for a failure, or undefined (nothing done) when the arguments are for oclif to parse.
 */
export async function startWithoutOclif(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const flags = parseStartArguments(argv, env);
  if (!flags) return undefined;
  const { code, message } = await runStart(flags);
  if (message !== undefined) process.stderr.write(` ›   Error: ${message}\n`);
  return code;
}
