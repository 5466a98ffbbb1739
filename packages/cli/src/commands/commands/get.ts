import { Args } from '@oclif/core';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, type CommandInvocation } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class CommandsGet extends ApiCommand {
  static override summary = 'Show a command\'s invocations, or one invocation with its output preview.';
  static override args = { commandId: Args.string({ description: 'command id', required: true }) };
  static override flags = { 'instance-id': Flags.string({ description: 'show this instance\'s invocation (GetCommandInvocation)' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CommandsGet);
    await this.connect(flags);
    if (flags['instance-id']) {
      const invocation = await this.ssm.send(new GetCommandInvocationCommand({ CommandId: args.commandId, InstanceId: flags['instance-id'] }));
      if (flags.json) return this.printJson(invocation);
      this.log(`${invocation.InstanceId}  ${invocation.Status} (${invocation.StatusDetails})  exit ${invocation.ResponseCode}`);
      if (invocation.StandardOutputContent) this.log(`--- stdout ---\n${invocation.StandardOutputContent}`);
      if (invocation.StandardErrorContent) this.log(`--- stderr ---\n${invocation.StandardErrorContent}`);
      return;
    }
    const invocations: CommandInvocation[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(new ListCommandInvocationsCommand({ CommandId: args.commandId, NextToken: token, Details: true }));
      invocations.push(...(page.CommandInvocations ?? []));
      token = page.NextToken;
    } while (token);
    if (flags.json) return this.printJson(invocations);
    this.log(renderTable(invocations as Array<Record<string, unknown>>, ['InstanceId', 'InstanceName', 'Status', 'StatusDetails', 'RequestedDateTime']));
  }
}
