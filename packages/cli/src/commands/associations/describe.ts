import { DescribeAssociationCommand } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { targetsText } from '../../client/associations.js';

export default class AssociationsDescribe extends ApiCommand {
  static override summary = 'Show one association: its settings, its overall status and counts by status (DescribeAssociation).';
  static override examples = ['<%= config.bin %> associations describe 8dfe3659-4309-493a-8755-0123456789ab', '<%= config.bin %> associations describe 8dfe3659-4309-493a-8755-0123456789ab --version 1 --json'];
  static override args = { id: Args.string({ description: 'association id', required: true }) };
  static override flags = { version: Flags.string({ description: 'an earlier version (default: the current one)' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AssociationsDescribe);
    await this.connect(flags);
    const a = (await this.ssm.send(new DescribeAssociationCommand({ AssociationId: args.id, AssociationVersion: flags.version }))).AssociationDescription!;
    if (flags.json) return this.printJson(a);
    const counts = Object.entries(a.Overview?.AssociationStatusAggregatedCount ?? {}).map(([status, n]) => `${status}=${n}`).join(' ');
    const lines: Array<[string, unknown]> = [
      ['AssociationId', a.AssociationId],
      ['Name', a.AssociationName],
      ['Document', `${a.Name} (${a.DocumentVersion ?? '$DEFAULT'})`],
      ['Version', a.AssociationVersion],
      ['Targets', targetsText(a.Targets)],
      ['Parameters', a.Parameters ? JSON.stringify(a.Parameters) : undefined],
      ['Schedule', a.ScheduleExpression ? `${a.ScheduleExpression}${a.ApplyOnlyAtCronInterval ? ' (only at the cron interval)' : ''}${a.ScheduleOffset ? ` +${a.ScheduleOffset} days` : ''}` : 'once per version'],
      ['Compliance', `${a.SyncCompliance ?? 'AUTO'}${a.ComplianceSeverity ? `, severity ${a.ComplianceSeverity}` : ''}`],
      ['Status', `${a.Overview?.Status ?? '-'}${counts ? ` (${counts})` : ''}`],
      ['LastExecution', a.LastExecutionDate?.toISOString()],
      ['LastSuccess', a.LastSuccessfulExecutionDate?.toISOString()],
      ['Created', a.Date?.toISOString()],
    ];
    for (const [key, value] of lines) this.log(`${key.padEnd(14)} ${value === undefined || value === '' ? '-' : String(value)}`);
  }
}
