/**
 * Which instances each stored command has an invocation on, and which commands each instance has one of: listings
 * for one command or one instance (ListCommandInvocations, ListCommands with CommandId or InstanceId) read those
 * rows only, not the invocations table, which holds a row per host per command (hundreds of thousands in a month of
 * a large fleet). Kept in memory by the CommandService: built at start from the table, added to as invocations are
 * saved, and told what retention removed.
 */
export class InvocationIndex {
  private readonly instancesByCommand = new Map<string, Set<string>>();
  private readonly commandsByInstance = new Map<string, Set<string>>();

  add(commandId: string, instanceId: string): void {
    addTo(this.instancesByCommand, commandId, instanceId);
    addTo(this.commandsByInstance, instanceId, commandId);
  }

  instancesOf(commandId: string): ReadonlySet<string> {
    return this.instancesByCommand.get(commandId) ?? NONE;
  }

  commandsOn(instanceId: string): ReadonlySet<string> {
    return this.commandsByInstance.get(instanceId) ?? NONE;
  }

  /** Retention removed these commands with their invocations. */
  forget(commandIds: ReadonlySet<string>): void {
    for (const commandId of commandIds) {
      for (const instanceId of this.instancesOf(commandId)) {
        const commands = this.commandsByInstance.get(instanceId);
        commands?.delete(commandId);
        if (commands?.size === 0) this.commandsByInstance.delete(instanceId);
      }
      this.instancesByCommand.delete(commandId);
    }
  }
}

const NONE: ReadonlySet<string> = new Set();

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let values = map.get(key);
  if (!values) map.set(key, (values = new Set()));
  values.add(value);
}
