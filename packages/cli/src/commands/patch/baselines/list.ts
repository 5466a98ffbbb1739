import { paginateDescribePatchBaselines, type PatchBaselineIdentity, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../../client/api-command.js';
import { renderTable } from '../../../client/table.js';

export default class PatchBaselinesList extends ApiCommand {
  static override summary = 'List patch baselines, the predefined ones and your own (DescribePatchBaselines).';
  static override examples = ['<%= config.bin %> patch baselines list', '<%= config.bin %> patch baselines list --owner Self --os UBUNTU --json'];
  static override flags = {
    owner: Flags.string({ description: 'AWS: the predefined baselines; Self: yours', options: ['AWS', 'Self', 'All'] }),
    os: Flags.string({ description: 'only baselines for this operating system (UBUNTU, DEBIAN, WINDOWS, REDHAT_ENTERPRISE_LINUX, ...)' }),
    'name-prefix': Flags.string({ description: 'only baselines whose name starts with this' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PatchBaselinesList);
    await this.connect(flags);
    const filters: PatchOrchestratorFilter[] = [];
    if (flags.owner) filters.push({ Key: 'OWNER', Values: [flags.owner] });
    if (flags.os) filters.push({ Key: 'OPERATING_SYSTEM', Values: [flags.os] });
    if (flags['name-prefix']) filters.push({ Key: 'NAME_PREFIX', Values: [flags['name-prefix']] });
    const baselines: PatchBaselineIdentity[] = [];
    for await (const page of paginateDescribePatchBaselines({ client: this.ssm }, { Filters: filters.length ? filters : undefined })) baselines.push(...(page.BaselineIdentities ?? []));
    if (flags.json) return this.printJson(baselines);
    this.log(renderTable(baselines.map((b) => ({ ...b, Default: b.DefaultBaseline ? 'yes' : '' })), ['BaselineId', 'BaselineName', 'OperatingSystem', 'Default']));
  }
}
