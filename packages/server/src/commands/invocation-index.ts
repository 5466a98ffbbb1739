import { KeyedSets } from '../store/keyed-sets.js';

/**
 * Which instances each stored command has an invocation on, and which commands each instance has one of: listings
 * for one command or one instance (ListCommandInvocations, ListCommands with CommandId or InstanceId) read those
 * rows only, not the invocations table, which holds a row per host per command (hundreds of thousands in a month of
 * a large fleet). Kept in memory by the CommandService: built at start from the table, added to as invocations are
 * saved, and told what retention removed.
 */
export class InvocationIndex {
  private readonly instancesByCommand = new KeyedSets();
  private readonly commandsByInstance = new KeyedSets();

  add(commandId: string, instanceId: string): void {
    this.instancesByCommand.add(commandId, instanceId);
    this.commandsByInstance.add(instanceId, commandId);
  }

  instancesOf(commandId: string): ReadonlySet<string> {
    return this.instancesByCommand.get(commandId);
  }

  commandsOn(instanceId: string): ReadonlySet<string> {
    return this.commandsByInstance.get(instanceId);
  }

  /** Retention removed these commands with their invocations. */
  forget(commandIds: ReadonlySet<string>): void {
    for (const commandId of commandIds) {
      for (const instanceId of this.instancesOf(commandId)) this.commandsByInstance.remove(instanceId, commandId);
      this.instancesByCommand.delete(commandId);
    }
  }
}
