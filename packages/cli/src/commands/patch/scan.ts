import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { EXIT } from '../../client/exit-codes.js';
import { renderTable } from '../../client/table.js';
import { ApiCommand } from '../../client/api-command.js';
import { targetFlag } from '../../client/key-value-flags.js';
import { followInvocations } from '../send-command.js';

/**
 * `tender patch scan`: SendCommand of AWS-RunPatchBaseline with Operation Scan (and `tender patch install`, which
 * extends it). Targets, rate controls and --wait work as send-command's; the parameters go as given (a
 * BaselineOverride's JSON keeps its commas).
 */
export default class PatchScan extends ApiCommand {
  static override summary = 'Scan instances for missing patches, changing nothing (AWS-RunPatchBaseline, Operation Scan).';
  static override description =
    'Each instance is scanned against the baseline that applies to it (its patch group\'s for its operating system, or the default). Results: tender patch status. Targets as send-command: --instance-id, or --target tag:Env=prod, --target "tag:Patch Group=web", --target InstanceIds=mi-1,mi-2.';
  static override examples = ['<%= config.bin %> patch scan --target "tag:Patch Group=web" --wait', '<%= config.bin %> patch scan -i mi-0123456789abcdef0 --json'];
  static readonly operation: 'Scan' | 'Install' = 'Scan';
  static override flags = {
    'instance-id': Flags.string({ char: 'i', description: 'instance id (repeatable)', multiple: true }),
    target: targetFlag(),
    'snapshot-id': Flags.string({ description: 'a UUID: instances patched under one snapshot id use the same baseline snapshot' }),
    'baseline-override': Flags.string({ description: 'baseline rules to use instead (SSM\'s BaselineOverride as JSON, or the path of a JSON file on the hosts)' }),
    'max-concurrency': Flags.string({ description: 'most instances at once: a number or a percentage' }),
    'max-errors': Flags.string({ description: 'errors allowed before dispatch stops: a number or a percentage' }),
    comment: Flags.string({ description: 'a note kept with the command' }),
    wait: Flags.boolean({ description: 'follow the invocations until all have finished', default: false }),
  };

  /** The AWS-RunPatchBaseline parameters beyond Operation, SnapshotId and BaselineOverride (install adds its own). */
  protected extraParameters(_flags: Record<string, unknown>): Record<string, string[]> {
    return {};
  }

  async run(): Promise<void> {
    const command = this.constructor as typeof PatchScan;
    const { flags } = await this.parse(command);
    const targets = flags.target ?? [];
    await this.connect(flags);
    const parameters: Record<string, string[]> = { Operation: [command.operation], ...this.extraParameters(flags) };
    if (flags['snapshot-id']) parameters.SnapshotId = [flags['snapshot-id']];
    if (flags['baseline-override']) parameters.BaselineOverride = [flags['baseline-override']];
    const sent = await this.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunPatchBaseline',
        Parameters: parameters,
        InstanceIds: flags['instance-id'],
        Targets: targets.length ? targets : undefined,
        MaxConcurrency: flags['max-concurrency'],
        MaxErrors: flags['max-errors'],
        Comment: flags.comment,
      }),
    );
    const sentCommand = sent.Command;
    const commandId = sentCommand?.CommandId ?? '';
    if (!flags.wait) {
      if (flags.json) return this.printJson(sentCommand);
      this.log(`${commandId}  ${sentCommand?.Status}  ${sentCommand?.TargetCount ?? 0} target(s)  (results: tender patch status)`);
      return;
    }
    const invocations = await followInvocations(this.ssm, commandId, sentCommand?.TargetCount ?? 0, flags.json);
    if (flags.json) this.printJson({ Command: sentCommand, Invocations: invocations });
    else this.log(renderTable(invocations as Array<Record<string, unknown>>, ['InstanceId', 'InstanceName', 'Status', 'StatusDetails']));
    if (invocations.some((i) => i.Status !== 'Success')) this.exit(EXIT.failure);
  }
}
