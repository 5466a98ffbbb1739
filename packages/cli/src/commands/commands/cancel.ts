import { Args, Flags } from '@oclif/core';
import { CancelCommandCommand } from '@aws-sdk/client-ssm';
import { ApiCommand } from '../../client/api-command.js';

export default class CommandsCancel extends ApiCommand {
  static override summary = 'Cancel a command on all its instances, or on some (CancelCommand).';
  static override args = { commandId: Args.string({ description: 'command id', required: true }) };
  static override flags = { 'instance-id': Flags.string({ description: 'cancel only on this instance (repeatable)', multiple: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CommandsCancel);
    await this.connect(flags);
    await this.ssm.send(new CancelCommandCommand({ CommandId: args.commandId, InstanceIds: flags['instance-id'] }));
    if (flags.json) return this.printJson({ CommandId: args.commandId, Cancelling: true });
    this.log(`Cancellation of ${args.commandId} requested.`);
  }
}
