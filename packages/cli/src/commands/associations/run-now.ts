import { StartAssociationsOnceCommand } from '@aws-sdk/client-ssm';
import { Args } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

export default class AssociationsRunNow extends ApiCommand {
  static override summary = 'Run associations now on every host they target, outside their schedule (StartAssociationsOnce).';
  static override description = 'Each association gets a new execution; follow it with tender associations executions ID. At most 10 ids at once.';
  static override examples = ['<%= config.bin %> associations run-now 8dfe3659-4309-493a-8755-0123456789ab', '<%= config.bin %> associations run-now ID1 ID2 --json'];
  static override strict = false;
  static override args = { id: Args.string({ description: 'association id (more may follow)', required: true }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(AssociationsRunNow);
    const ids = argv as string[];
    await this.connect(flags);
    await this.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: ids }));
    if (flags.json) return this.printJson({ AssociationIds: ids, Started: true });
    this.log(`started ${ids.join(', ')}; see tender associations executions ${ids[0]}`);
  }
}
