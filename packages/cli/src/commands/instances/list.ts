import { paginateDescribeInstanceInformation, type InstanceInformation, type InstanceInformationStringFilter } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class InstancesList extends ApiCommand {
  static override summary = 'List managed instances (DescribeInstanceInformation).';
  static override examples = ['<%= config.bin %> instances list --ping-status Online', '<%= config.bin %> instances list --tag Env=prod --json'];
  static override flags = {
    'ping-status': Flags.string({ description: 'only instances with this status', options: ['Online', 'ConnectionLost', 'Inactive'] }),
    platform: Flags.string({ description: 'only this platform type', options: ['Linux', 'Windows', 'MacOS'] }),
    tag: Flags.string({ description: 'only instances with this tag (Key=Value)', multiple: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(InstancesList);
    await this.connect(flags);
    const filters: InstanceInformationStringFilter[] = [];
    if (flags['ping-status']) filters.push({ Key: 'PingStatus', Values: [flags['ping-status']] });
    if (flags.platform) filters.push({ Key: 'PlatformTypes', Values: [flags.platform] });
    for (const tag of flags.tag ?? []) {
      const [key, ...value] = tag.split('=');
      filters.push({ Key: `tag:${key}`, Values: [value.join('=')] });
    }
    const instances: InstanceInformation[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: this.ssm }, { Filters: filters.length ? filters : undefined })) {
      instances.push(...(page.InstanceInformationList ?? []));
    }
    if (flags.json) return this.printJson(instances);
    this.log(renderTable(instances as Array<Record<string, unknown>>, ['InstanceId', 'Name', 'PingStatus', 'PlatformName', 'PlatformVersion', 'ComputerName', 'IPAddress', 'AgentVersion', 'LastPingDateTime']));
  }
}
