import { DeregisterPatchBaselineForPatchGroupCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../../client/api-command.js';

export default class PatchBaselinesRegisterGroup extends ApiCommand {
  static override summary = 'Use a baseline for a patch group (RegisterPatchBaselineForPatchGroup).';
  static override description = 'Instances join a patch group with the tag "Patch Group" (or "PatchGroup") = <group>. A group has one baseline per operating system. --deregister undoes it.';
  static override examples = ['<%= config.bin %> patch baselines register-group pb-0123456789abcdef0 --group web', '<%= config.bin %> patch baselines register-group pb-0123456789abcdef0 --group web --deregister'];
  static override args = { baseline: Args.string({ description: 'baseline id (pb-...) or ARN', required: true }) };
  static override flags = {
    group: Flags.string({ description: 'the patch group (the value of the instances\' Patch Group tag)', required: true }),
    deregister: Flags.boolean({ description: 'remove the registration instead', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PatchBaselinesRegisterGroup);
    await this.connect(flags);
    const input = { BaselineId: args.baseline, PatchGroup: flags.group };
    const answer = flags.deregister ? await this.ssm.send(new DeregisterPatchBaselineForPatchGroupCommand(input)) : await this.ssm.send(new RegisterPatchBaselineForPatchGroupCommand(input));
    if (flags.json) return this.printJson({ BaselineId: answer.BaselineId, PatchGroup: answer.PatchGroup });
    this.log(flags.deregister ? `patch group ${answer.PatchGroup} no longer uses ${answer.BaselineId}` : `patch group ${answer.PatchGroup} uses ${answer.BaselineId}`);
  }
}
