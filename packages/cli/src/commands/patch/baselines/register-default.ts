import { RegisterDefaultPatchBaselineCommand } from '@aws-sdk/client-ssm';
import { Args } from '@oclif/core';
import { ApiCommand } from '../../../client/api-command.js';

export default class PatchBaselinesRegisterDefault extends ApiCommand {
  static override summary = 'Make a baseline the default for its operating system (RegisterDefaultPatchBaseline).';
  static override description = 'Instances in no patch group, or in a group with no baseline for their operating system, are patched with the default. To go back to the predefined default, register its ARN (patch baselines list --owner AWS).';
  static override examples = ['<%= config.bin %> patch baselines register-default pb-0123456789abcdef0'];
  static override args = { baseline: Args.string({ description: 'baseline id (pb-...) or ARN', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PatchBaselinesRegisterDefault);
    await this.connect(flags);
    const answer = await this.ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: args.baseline }));
    if (flags.json) return this.printJson({ BaselineId: answer.BaselineId });
    this.log(`${answer.BaselineId} is now the default baseline for its operating system`);
  }
}
