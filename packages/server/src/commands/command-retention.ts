/**
 * Run Command history past its retention period (SSM keeps 30 days): a finished command goes with its
 * invocations and its stored outputs, together (StoreDeletions). A command that is still pending or in progress
 * (or cancelling) is never pruned, however old: only a final status in the store, for a command the service no
 * longer runs, counts as finished. Its age is from when it finished (when it was requested, for a record
 * without an end).
 */
import { promises as fs } from 'node:fs';
import { StoreDeletions, type DeletionGroup, type PruneCounts, type RetentionKind } from '../retention/index.js';
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
  groupsPerBatch?: number;
}

export function commandRetention(options: CommandRetentionOptions): RetentionKind {
  const outputs = new OutputStore(options.outputsDir);
  const deletions = new StoreDeletions(options.store, { kind: 'commands', fileRoot: options.outputsDir, now: options.now, ...(options.groupsPerBatch ? { groupsPerBatch: options.groupsPerBatch } : {}) });
  const commands = options.store.table<CommandRecord>(COMMANDS_TABLE);
  const invocations = options.store.table<InvocationRecord>(INVOCATIONS_TABLE);
  return {
    name: 'commands',
    days: options.days,
    async prune(cutoff: Date): Promise<PruneCounts> {
      const resumed = await deletions.resume();
      const expired = new Map<string, DeletionGroup>();
      // Most commands have no stored output (small outputs live in the previews): one listing of the outputs
      // directory instead of a look at the disk per command.
      const withOutputs = await outputDirectories(options.outputsDir);
      for (const command of await commands.readAll()) {
        if (!isTerminalCommand(command.Status) || options.isRunning(command.CommandId)) continue;
        const ended = Date.parse(command.finishedAt ?? command.RequestedDateTime);
        if (!(ended < cutoff.getTime())) continue;
        const directory = outputs.directoryOf(command.CommandId);
        expired.set(command.CommandId, { rows: [], files: withOutputs.has(directory) ? [directory] : [] });
      }
      if (expired.size > 0) {
        // Invocations are keyed by command and instance: one pass over the table finds every expired command's.
        for (const invocation of await invocations.readAll()) {
          expired.get(invocation.CommandId)?.rows.push({ table: INVOCATIONS_TABLE, key: invocationKey(invocation.CommandId, invocation.InstanceId) });
        }
        for (const [commandId, group] of expired) group.rows.push({ table: COMMANDS_TABLE, key: commandId });
      }
      const removed = await deletions.deleteGroups([...expired.values()]);
      return {
        commands: (resumed.rows[COMMANDS_TABLE] ?? 0) + (removed.rows[COMMANDS_TABLE] ?? 0),
        invocations: (resumed.rows[INVOCATIONS_TABLE] ?? 0) + (removed.rows[INVOCATIONS_TABLE] ?? 0),
        outputDirectories: resumed.files + removed.files,
      };
    },
  };
}

async function outputDirectories(dir: string): Promise<Set<string>> {
  try {
    return new Set(await fs.readdir(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}
