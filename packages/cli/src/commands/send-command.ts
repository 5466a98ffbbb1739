import { ListCommandInvocationsCommand, SendCommandCommand, type CommandInvocation, type SSMClient } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../client/api-command.js';
import { EXIT } from '../client/exit-codes.js';
import { parameterFlag, parametersOf, targetFlag } from '../client/key-value-flags.js';
import { renderTable } from '../client/table.js';

const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Undeliverable', 'Terminated', 'DeliveryTimedOut', 'ExecutionTimedOut']);

export default class SendCommand extends ApiCommand {
  static override summary = 'Run a command document on instances (SendCommand).';
  static override description =
    'Targets are instance ids (--instance-id, at most 50) or selections (--target InstanceIds=mi-1,mi-2, --target tag:Env=prod, --target tag-key=Role). Rate controls as SSM: --max-concurrency and --max-errors take a number or a percentage. With --wait it follows the invocations until every one has finished and exits 0 only if all succeeded.';
  static override examples = [
    '<%= config.bin %> send-command --document AWS-RunShellScript --parameter commands="uname -a" --target tag:Env=prod --wait',
    '<%= config.bin %> send-command -d AWS-RunShellScript -p commands="df -h" -i mi-0123456789abcdef0 --json',
  ];
  static override flags = {
    document: Flags.string({ char: 'd', description: 'document name', required: true }),
    'document-version': Flags.string({ description: 'document version: a number, $LATEST or $DEFAULT' }),
    parameter: parameterFlag(),
    'instance-id': Flags.string({ char: 'i', description: 'instance id (repeatable)', multiple: true }),
    target: targetFlag(),
    'max-concurrency': Flags.string({ description: 'most invocations at once: a number or a percentage (default 50)' }),
    'max-errors': Flags.string({ description: 'errors allowed before dispatch stops: a number or a percentage (default 0)' }),
    'timeout-seconds': Flags.integer({ description: 'how long an instance has to receive the command (delivery timeout)' }),
    comment: Flags.string({ description: 'a note kept with the command' }),
    wait: Flags.boolean({ description: 'follow the invocations until all have finished', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SendCommand);
    const parameters = parametersOf(flags.parameter);
    const targets = flags.target ?? [];
    await this.connect(flags);
    const sent = await this.ssm.send(
      new SendCommandCommand({
        DocumentName: flags.document,
        DocumentVersion: flags['document-version'],
        Parameters: Object.keys(parameters).length ? parameters : undefined,
        InstanceIds: flags['instance-id'],
        Targets: targets.length ? targets : undefined,
        MaxConcurrency: flags['max-concurrency'],
        MaxErrors: flags['max-errors'],
        TimeoutSeconds: flags['timeout-seconds'],
        Comment: flags.comment,
      }),
    );
    const command = sent.Command;
    const commandId = command?.CommandId ?? '';
    if (!flags.wait) {
      if (flags.json) return this.printJson(command);
      this.log(`${commandId}  ${command?.Status}  ${command?.TargetCount ?? 0} target(s)`);
      return;
    }
    const invocations = await this.follow(commandId, command?.TargetCount ?? 0, flags.json);
    if (flags.json) this.printJson({ Command: command, Invocations: invocations });
    else this.log(renderTable(invocations as Array<Record<string, unknown>>, ['InstanceId', 'InstanceName', 'Status', 'StatusDetails']));
    if (invocations.some((i) => i.Status !== 'Success')) this.exit(EXIT.failure);
  }

  private follow(commandId: string, targetCount: number, quiet: boolean): Promise<CommandInvocation[]> {
    return followInvocations(this.ssm, commandId, targetCount, quiet);
  }
}

/** Poll a command's invocations, showing progress on stderr, until all have a final status (also `tender patch scan|install --wait`). */
export async function followInvocations(ssm: SSMClient, commandId: string, targetCount: number, quiet: boolean): Promise<CommandInvocation[]> {
  let last = '';
  for (;;) {
    const invocations: CommandInvocation[] = [];
    let token: string | undefined;
    do {
      const page = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, NextToken: token, MaxResults: 50 }));
      invocations.push(...(page.CommandInvocations ?? []));
      token = page.NextToken;
    } while (token);
    const counts = new Map<string, number>();
    for (const invocation of invocations) counts.set(invocation.Status ?? '?', (counts.get(invocation.Status ?? '?') ?? 0) + 1);
    const line = `${commandId}: ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'waiting'} (of ${Math.max(targetCount, invocations.length)})`;
    if (!quiet && line !== last) process.stderr.write(`${line}\n`);
    last = line;
    const done = invocations.length >= targetCount && invocations.every((i) => FINAL.has(i.Status ?? '') || FINAL.has(i.StatusDetails ?? ''));
    if (done) return invocations;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
