import { paginateListCommands, type Command } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class CommandsList extends ApiCommand {
  static override summary = 'List commands (ListCommands), newest first.';
  static override flags = {
    'instance-id': Flags.string({ description: 'only commands sent to this instance' }),
    status: Flags.string({ description: 'only commands with this status', options: ['Pending', 'InProgress', 'Success', 'Cancelled', 'Failed', 'TimedOut', 'Cancelling'] }),
    document: Flags.string({ description: 'only commands of this document' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CommandsList);
    await this.connect(flags);
    const filters = [
      ...(flags.status ? [{ key: 'Status' as const, value: flags.status }] : []),
      ...(flags.document ? [{ key: 'DocumentName' as const, value: flags.document }] : []),
    ];
    const commands: Command[] = [];
    for await (const page of paginateListCommands({ client: this.ssm }, { InstanceId: flags['instance-id'], Filters: filters.length ? filters : undefined })) {
      commands.push(...(page.Commands ?? []));
    }
    if (flags.json) return this.printJson(commands);
    this.log(renderTable(commands as Array<Record<string, unknown>>, ['CommandId', 'DocumentName', 'Status', 'TargetCount', 'CompletedCount', 'ErrorCount', 'RequestedDateTime']));
  }
}
