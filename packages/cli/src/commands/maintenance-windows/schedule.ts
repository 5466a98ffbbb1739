import { DescribeMaintenanceWindowScheduleCommand, type ScheduledWindowExecution } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class MaintenanceWindowsSchedule extends ApiCommand {
  static override summary = 'The next runs of a window, or of the windows that target an instance (DescribeMaintenanceWindowSchedule).';
  static override description = 'Times are shown in each window\'s time zone, with its UTC offset: across a daylight-saving change the offset changes and the wall-clock time stays.';
  static override examples = ['<%= config.bin %> maintenance-windows schedule mw-0123456789abcdef0 --count 10', '<%= config.bin %> maintenance-windows schedule --instance-id mi-0123456789abcdef0'];
  static override args = { windowId: Args.string({ description: 'window id (mw-...)' }) };
  static override flags = {
    'instance-id': Flags.string({ description: 'the windows whose targets take in this instance' }),
    tag: Flags.string({ description: 'the windows whose targets name this tag (Key=Value)' }),
    count: Flags.integer({ char: 'n', description: 'how many runs to list', default: 10, min: 1, max: 1000 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MaintenanceWindowsSchedule);
    if (!args.windowId && !flags['instance-id'] && !flags.tag) this.error('give a window id, --instance-id or --tag', { exit: 2 });
    await this.connect(flags);
    const targets = [
      ...(flags['instance-id'] ? [{ Key: 'InstanceIds', Values: [flags['instance-id']] }] : []),
      ...(flags.tag ? [{ Key: `tag:${flags.tag.split('=')[0]}`, Values: [flags.tag.split('=').slice(1).join('=')] }] : []),
    ];
    const runs: ScheduledWindowExecution[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(
        new DescribeMaintenanceWindowScheduleCommand({ WindowId: args.windowId, Targets: targets.length ? targets : undefined, ResourceType: targets.length ? 'INSTANCE' : undefined, MaxResults: Math.min(flags.count - runs.length, 1000), NextToken: token }),
      );
      runs.push(...(page.ScheduledWindowExecutions ?? []));
      token = page.NextToken;
    } while (token && runs.length < flags.count);
    if (flags.json) return this.printJson(runs);
    this.log(renderTable(runs as Array<Record<string, unknown>>, ['ExecutionTime', 'WindowId', 'Name']));
  }
}
