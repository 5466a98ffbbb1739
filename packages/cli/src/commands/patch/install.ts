import { Flags } from '@oclif/core';
import PatchScan from './scan.js';

export default class PatchInstall extends PatchScan {
  static override summary = 'Install the approved missing patches on instances (AWS-RunPatchBaseline, Operation Install).';
  static override description =
    'Each instance installs what its baseline approves and is missing (or only --install-override-list\'s patches), reboots if a patch needs it (--reboot-option RebootIfNeeded, the default) and reports the state after the reboot. Results: tender patch status. Targets as send-command.';
  static override examples = ['<%= config.bin %> patch install --target "tag:Patch Group=web" --reboot-option NoReboot --wait', '<%= config.bin %> patch install -i mi-0123456789abcdef0 --install-override-list openssl,libssl3'];
  static override readonly operation = 'Install' as const;
  static override flags = {
    ...PatchScan.flags,
    'reboot-option': Flags.string({ description: 'RebootIfNeeded: reboot when a patch needs it; NoReboot: never', options: ['RebootIfNeeded', 'NoReboot'] }),
    'install-override-list': Flags.string({ description: 'install only these patches: names separated by commas, or the path of a file on the hosts listing them' }),
  };

  protected override extraParameters(flags: Record<string, unknown>): Record<string, string[]> {
    const parameters: Record<string, string[]> = {};
    if (typeof flags['reboot-option'] === 'string') parameters.RebootOption = [flags['reboot-option']];
    if (typeof flags['install-override-list'] === 'string') parameters.InstallOverrideList = [flags['install-override-list']];
    return parameters;
  }
}
