import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

export default class CommandsOutput extends ApiCommand {
  static override summary = 'Print the full output of one step of an invocation, byte for byte, whatever its size.';
  static override description = 'GetCommandInvocation shows the first 24,000 characters of stdout (8,000 of stderr); the control plane keeps all of it.';
  static override args = { commandId: Args.string({ description: 'command id', required: true }) };
  static override flags = {
    'instance-id': Flags.string({ description: 'the instance', required: true }),
    step: Flags.string({ description: 'the step (plugin) name; the first step by default' }),
    stream: Flags.string({ description: 'which output', options: ['stdout', 'stderr'], default: 'stdout' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CommandsOutput);
    await this.connect(flags);
    const result = await this.tender<{ Content: string; Bytes: number }>('GetCommandOutput', {
      CommandId: args.commandId,
      InstanceId: flags['instance-id'],
      PluginName: flags.step,
      Stream: flags.stream,
    });
    const bytes = Buffer.from(result.Content, 'base64');
    if (flags.json) return this.printJson({ Bytes: result.Bytes, Content: result.Content });
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
  }
}
