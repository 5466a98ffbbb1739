import { paginateDescribeMaintenanceWindows, type MaintenanceWindowIdentity } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class MaintenanceWindowsList extends ApiCommand {
  static override summary = 'List maintenance windows (DescribeMaintenanceWindows) with their next execution time.';
  static override examples = ['<%= config.bin %> maintenance-windows list', '<%= config.bin %> maintenance-windows list --name patch-sunday --json'];
  static override flags = {
    name: Flags.string({ description: 'only windows with this name' }),
    enabled: Flags.string({ description: 'only enabled (true) or disabled (false) windows', options: ['true', 'false'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MaintenanceWindowsList);
    await this.connect(flags);
    const filters = [...(flags.name ? [{ Key: 'Name', Values: [flags.name] }] : []), ...(flags.enabled ? [{ Key: 'Enabled', Values: [flags.enabled] }] : [])];
    const windows: MaintenanceWindowIdentity[] = [];
    for await (const page of paginateDescribeMaintenanceWindows({ client: this.ssm }, { Filters: filters.length ? filters : undefined })) windows.push(...(page.WindowIdentities ?? []));
    if (flags.json) return this.printJson(windows);
    const rows = windows.map((w) => ({ ...w, Timezone: w.ScheduleTimezone ?? 'UTC', Hours: `${w.Duration}h, cutoff ${w.Cutoff}h` }));
    this.log(renderTable(rows as Array<Record<string, unknown>>, ['WindowId', 'Name', 'Enabled', 'Schedule', 'Timezone', 'Hours', 'NextExecutionTime']));
  }
}
