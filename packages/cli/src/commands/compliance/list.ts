import { paginateListComplianceItems, type ComplianceItem, type ComplianceStringFilter } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class ComplianceList extends ApiCommand {
  static override summary = "List an instance's compliance items (ListComplianceItems).";
  static override examples = [
    '<%= config.bin %> compliance list mi-0123456789abcdef0',
    '<%= config.bin %> compliance list mi-0123456789abcdef0 --type Patch --status NON_COMPLIANT',
    '<%= config.bin %> compliance list mi-0123456789abcdef0 --json',
  ];
  static override args = { instance: Args.string({ description: 'managed instance id (mi-...)', required: true }) };
  static override flags = {
    type: Flags.string({ description: 'only this compliance type (Association, Patch, Custom:<name>)' }),
    status: Flags.string({ description: 'only items with this status', options: ['COMPLIANT', 'NON_COMPLIANT'] }),
    severity: Flags.string({ description: 'only items of this severity', options: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ComplianceList);
    await this.connect(flags);
    const filters: ComplianceStringFilter[] = [];
    if (flags.type) filters.push({ Key: 'ComplianceType', Values: [flags.type], Type: 'EQUAL' });
    if (flags.status) filters.push({ Key: 'Status', Values: [flags.status], Type: 'EQUAL' });
    if (flags.severity) filters.push({ Key: 'Severity', Values: [flags.severity], Type: 'EQUAL' });
    const items: ComplianceItem[] = [];
    const input = { ResourceIds: [args.instance], ResourceTypes: ['ManagedInstance'], ...(filters.length ? { Filters: filters } : {}) };
    for await (const page of paginateListComplianceItems({ client: this.ssm, pageSize: 50 }, input)) items.push(...(page.ComplianceItems ?? []));
    if (flags.json) return this.printJson(items);
    const rows = items.map((item) => ({ ...item, ExecutionTime: item.ExecutionSummary?.ExecutionTime }));
    this.log(renderTable(rows, ['ComplianceType', 'Id', 'Status', 'Severity', 'Title', 'ExecutionTime']));
    const failing = items.filter((item) => item.Status === 'NON_COMPLIANT').length;
    this.log(`${items.length} item(s) on ${args.instance}, ${failing} non-compliant`);
  }
}
