import { LabelParameterVersionCommand, UnlabelParameterVersionCommand } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { EXIT } from '../../client/exit-codes.js';

export default class ParamLabel extends ApiCommand {
  static override summary = 'Put labels on a parameter version, or take them off (LabelParameterVersion, UnlabelParameterVersion).';
  static override description =
    'A label names one version at a time: labelling another version moves it. At most 10 labels per version. Labels the API refuses (reserved words, bad characters, starting with a digit or aws/ssm) are listed and make the exit code 3. Read a labelled version with: tender param get NAME:LABEL.';
  static override examples = [
    '<%= config.bin %> param label /app/db/host prod',
    '<%= config.bin %> param label /app/db/host canary blue --version 4',
    '<%= config.bin %> param label /app/db/host canary --remove --version 4',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'parameter name', required: true }),
    label: Args.string({ description: 'label; several may follow', required: true }),
  };
  static override flags = {
    version: Flags.integer({ description: 'the version to (un)label (default: the latest, when labelling)', min: 1 }),
    remove: Flags.boolean({ description: 'take the labels off the version instead (needs --version)', default: false }),
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(ParamLabel);
    const labels = (argv as string[]).slice(1);
    if (flags.remove && flags.version === undefined) this.error('--remove needs --version: labels are taken off one version', { exit: EXIT.usage });
    await this.connect(flags);
    let invalid: string[];
    if (flags.remove) {
      const result = await this.ssm.send(new UnlabelParameterVersionCommand({ Name: args.name, ParameterVersion: flags.version, Labels: labels }));
      if (flags.json) this.printJson(result);
      else if (result.RemovedLabels?.length) this.log(`${args.name} version ${flags.version}: removed ${result.RemovedLabels.join(', ')}`);
      invalid = result.InvalidLabels ?? [];
    } else {
      const result = await this.ssm.send(new LabelParameterVersionCommand({ Name: args.name, ParameterVersion: flags.version, Labels: labels }));
      if (flags.json) this.printJson(result);
      else {
        const applied = labels.filter((label) => !(result.InvalidLabels ?? []).includes(label));
        if (applied.length) this.log(`${args.name} version ${result.ParameterVersion}: ${applied.join(', ')}`);
      }
      invalid = result.InvalidLabels ?? [];
    }
    if (invalid.length > 0) {
      this.error(flags.remove ? `not on version ${flags.version}: ${invalid.join(', ')}` : `invalid labels: ${invalid.join(', ')}`, { exit: EXIT.apiError });
    }
  }
}
