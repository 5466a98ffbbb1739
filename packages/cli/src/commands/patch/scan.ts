import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import SendCommand from '../send-command.js';

/**
 * `tender patch scan`: SendCommand of AWS-RunPatchBaseline with Operation Scan (and `tender patch install`, which
 * extends it). The sending, rate controls and --wait are send-command's; this names the document and parameters.
 */
export default class PatchScan extends ApiCommand {
  static override summary = 'Scan instances for missing patches, changing nothing (AWS-RunPatchBaseline, Operation Scan).';
  static override description =
    'Each instance is scanned against the baseline that applies to it (its patch group\'s for its operating system, or the default). Results: tender patch status. Targets as send-command: --instance-id, or --target tag:Env=prod, --target "tag:Patch Group=web", --target InstanceIds=mi-1,mi-2.';
  static override examples = ['<%= config.bin %> patch scan --target "tag:Patch Group=web" --wait', '<%= config.bin %> patch scan -i mi-0123456789abcdef0 --json'];
  static readonly operation: 'Scan' | 'Install' = 'Scan';
  static override flags = {
    'instance-id': Flags.string({ char: 'i', description: 'instance id (repeatable)', multiple: true }),
    target: Flags.string({ char: 't', description: 'target as Key=Values: InstanceIds=..., tag:Name=..., tag-key=... (repeatable)', multiple: true }),
    'snapshot-id': Flags.string({ description: 'a UUID: instances patched under one snapshot id use the same baseline snapshot' }),
    'baseline-override': Flags.string({ description: 'baseline rules to use instead (SSM\'s BaselineOverride as JSON, or the path of a JSON file on the hosts)' }),
    'max-concurrency': Flags.string({ description: 'most instances at once: a number or a percentage' }),
    'max-errors': Flags.string({ description: 'errors allowed before dispatch stops: a number or a percentage' }),
    wait: Flags.boolean({ description: 'follow the invocations until all have finished', default: false }),
  };

  /** The AWS-RunPatchBaseline parameters beyond Operation (install adds its own). */
  protected extraParameters(_flags: Record<string, unknown>): string[] {
    return [];
  }

  async run(): Promise<void> {
    const command = this.constructor as typeof PatchScan;
    const { flags } = await this.parse(command);
    const parameters = [`Operation=${command.operation}`, ...this.extraParameters(flags)];
    if (flags['snapshot-id']) parameters.push(`SnapshotId=${flags['snapshot-id']}`);
    if (flags['baseline-override']) parameters.push(`BaselineOverride=${flags['baseline-override']}`);
    const argv = ['--document', 'AWS-RunPatchBaseline', ...parameters.flatMap((p) => ['--parameter', p])];
    for (const id of flags['instance-id'] ?? []) argv.push('--instance-id', id);
    for (const target of flags.target ?? []) argv.push('--target', target);
    for (const name of ['max-concurrency', 'max-errors', 'endpoint', 'data-dir', 'profile', 'region'] as const) {
      const value = flags[name];
      if (value !== undefined) argv.push(`--${name}`, value);
    }
    if (flags.wait) argv.push('--wait');
    if (flags.json) argv.push('--json');
    await SendCommand.run(argv, this.config);
  }
}
