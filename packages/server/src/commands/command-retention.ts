/**
 * Run Command history past its retention period (SSM keeps 30 days): a finished command goes with its
 * invocations and its stored outputs, together (StoreDeletions). A command that is still pending or in progress
 * (or cancelling) is never pruned, however old: only a final status in the store, for a command the service no
 * longer runs, counts as finished. Its age is from when it finished (when it was requested, for a record
 * without an end).
 */
import { promises as fs } from 'node:fs';
import { historyPart, storedHistoryRetention, type RetentionKind } from '../retention/index.js';
import type { Store } from '../store/store.js';
import { COMMANDS_TABLE, INVOCATIONS_TABLE, invocationKey, isTerminalCommand, type CommandRecord, type InvocationRecord } from './command-records.js';
import { OutputStore } from './output-store.js';

export interface CommandRetentionOptions {
  store: Store;
  /** Where the full outputs are (the CommandService's outputsDir). */
  outputsDir: string;
  days: number;
  /** Whether the commands service still runs this command (CommandService.isRunning). */
  isRunning: (commandId: string) => boolean;
  now: () => Date;
  /** The commands that went (CommandService.forgetCommands). */
  onPruned?: (commandIds: ReadonlySet<string>) => void;
  groupsPerBatch?: number;
}

export function commandRetention({ outputsDir, isRunning, ...options }: CommandRetentionOptions): RetentionKind {
  const outputs = new OutputStore(outputsDir);
  return storedHistoryRetention<CommandRecord>({
    ...options,
    kind: 'commands',
    records: { table: COMMANDS_TABLE, counted: 'commands', keyOf: (command) => command.CommandId },
    isFinished: (command) => isTerminalCommand(command.Status) && !isRunning(command.CommandId),
    endedAt: (command) => command.finishedAt ?? command.RequestedDateTime,
    parts: [historyPart<InvocationRecord>({ table: INVOCATIONS_TABLE, counted: 'invocations', recordOf: (invocation) => invocation.CommandId, keyOf: (invocation) => invocationKey(invocation.CommandId, invocation.InstanceId) })],
    files: {
      root: outputsDir,
      counted: 'outputDirectories',
      // Most commands have no stored output (small outputs live in the previews): one listing of the outputs
      // directory instead of a look at the disk per command.
      lister: async () => {
        const withOutputs = await outputDirectories(outputsDir);
        return (commandId) => {
          const directory = outputs.directoryOf(commandId);
          return withOutputs.has(directory) ? [directory] : [];
        };
      },
    },
  });
}

async function outputDirectories(dir: string): Promise<Set<string>> {
  try {
    return new Set(await fs.readdir(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}
