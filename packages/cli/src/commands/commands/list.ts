import { ListCommandsCommand, type Command } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class CommandsList extends ApiCommand {
  static override summary = 'List commands (ListCommands), newest first.';
  static override description = 'Shows the newest 50 unless told otherwise: a control plane keeps a month of commands by default, which can be hundreds of thousands.';
  static override examples = ['<%= config.bin %> commands list', '<%= config.bin %> commands list --status Failed --limit 0 --json'];
  static override flags = {
    'instance-id': Flags.string({ description: 'only commands sent to this instance' }),
    status: Flags.string({ description: 'only commands with this status', options: ['Pending', 'InProgress', 'Success', 'Cancelled', 'Failed', 'TimedOut', 'Cancelling'] }),
    document: Flags.string({ description: 'only commands of this document' }),
    limit: Flags.integer({ description: 'at most this many, the newest (0: every one)', min: 0, default: 50 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CommandsList);
    await this.connect(flags);
    const filters = [
      ...(flags.status ? [{ key: 'Status' as const, value: flags.status }] : []),
      ...(flags.document ? [{ key: 'DocumentName' as const, value: flags.document }] : []),
    ];
    const wanted = flags.limit === 0 ? Infinity : flags.limit;
    const commands: Command[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(
        new ListCommandsCommand({ InstanceId: flags['instance-id'], Filters: filters.length ? filters : undefined, MaxResults: Math.min(50, wanted - commands.length), NextToken: token }),
      );
      commands.push(...(page.Commands ?? []));
      token = page.NextToken;
    } while (token && commands.length < wanted);
    if (flags.json) return this.printJson(commands);
    this.log(renderTable(commands as Array<Record<string, unknown>>, ['CommandId', 'DocumentName', 'Status', 'TargetCount', 'CompletedCount', 'ErrorCount', 'RequestedDateTime']));
    if (token) process.stderr.write(`(the newest ${commands.length}; there are more: --limit N for more, --limit 0 for all)\n`);
  }
}
