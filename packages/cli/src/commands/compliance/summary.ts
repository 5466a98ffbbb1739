import {
  paginateListComplianceSummaries,
  paginateListResourceComplianceSummaries,
  type ComplianceStringFilter,
  type ComplianceSummaryItem,
  type ResourceComplianceSummaryItem,
  type SeveritySummary,
} from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

/** The severity counts as columns, most severe first. */
const SEVERITY_COLUMNS = ['Critical', 'High', 'Medium', 'Low', 'Informational', 'Unspecified'] as const;

function severityColumns(summary: SeveritySummary | undefined): Record<string, number> {
  return {
    Critical: summary?.CriticalCount ?? 0,
    High: summary?.HighCount ?? 0,
    Medium: summary?.MediumCount ?? 0,
    Low: summary?.LowCount ?? 0,
    Informational: summary?.InformationalCount ?? 0,
    Unspecified: summary?.UnspecifiedCount ?? 0,
  };
}

export default class ComplianceSummary extends ApiCommand {
  static override summary = 'Compliance of the fleet per compliance type (ListComplianceSummaries), or of one instance (ListResourceComplianceSummaries).';
  static override description =
    'Without --instance: for each compliance type, how many instances are compliant and how many are not, the non-compliant ones by their most severe failing item. With --instance: each type on that instance, its status, overall severity and item counts.';
  static override examples = [
    '<%= config.bin %> compliance summary',
    '<%= config.bin %> compliance summary --type Patch',
    '<%= config.bin %> compliance summary --instance mi-0123456789abcdef0',
    '<%= config.bin %> compliance summary --type Custom:Baseline --json',
  ];
  static override flags = {
    type: Flags.string({ description: 'only this compliance type (Association, Patch, Custom:<name>)' }),
    instance: Flags.string({ description: 'summarise this managed instance (mi-...) per type instead of the fleet' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ComplianceSummary);
    await this.connect(flags);
    const filters: ComplianceStringFilter[] = [];
    if (flags.type) filters.push({ Key: 'ComplianceType', Values: [flags.type], Type: 'EQUAL' });
    if (flags.instance) {
      filters.push({ Key: 'ResourceId', Values: [flags.instance], Type: 'EQUAL' });
      const items: ResourceComplianceSummaryItem[] = [];
      for await (const page of paginateListResourceComplianceSummaries({ client: this.ssm }, { Filters: filters })) items.push(...(page.ResourceComplianceSummaryItems ?? []));
      if (flags.json) return this.printJson(items);
      if (items.length === 0) return this.log(`no compliance recorded for ${flags.instance}${flags.type ? ` of type ${flags.type}` : ''}`);
      const rows = items.map((item) => ({
        ComplianceType: item.ComplianceType,
        Status: item.Status,
        OverallSeverity: item.OverallSeverity,
        Compliant: item.CompliantSummary?.CompliantCount ?? 0,
        NonCompliant: item.NonCompliantSummary?.NonCompliantCount ?? 0,
        ExecutionTime: item.ExecutionSummary?.ExecutionTime,
        ExecutionId: item.ExecutionSummary?.ExecutionId,
      }));
      this.log(renderTable(rows, ['ComplianceType', 'Status', 'OverallSeverity', 'Compliant', 'NonCompliant', 'ExecutionTime', 'ExecutionId']));
      return;
    }
    const items: ComplianceSummaryItem[] = [];
    for await (const page of paginateListComplianceSummaries({ client: this.ssm }, filters.length ? { Filters: filters } : {})) items.push(...(page.ComplianceSummaryItems ?? []));
    if (flags.json) return this.printJson(items);
    if (items.length === 0) return this.log(`no compliance recorded${flags.type ? ` of type ${flags.type}` : ''}`);
    // Instance counts; the severity columns break down the non-compliant ones, which is what needs attention.
    const rows = items.map((item) => ({
      ComplianceType: item.ComplianceType,
      Compliant: item.CompliantSummary?.CompliantCount ?? 0,
      NonCompliant: item.NonCompliantSummary?.NonCompliantCount ?? 0,
      ...severityColumns(item.NonCompliantSummary?.SeveritySummary),
    }));
    this.log(renderTable(rows, ['ComplianceType', 'Compliant', 'NonCompliant', ...SEVERITY_COLUMNS]));
    this.log('(instances per type; the severity columns count non-compliant instances by their most severe failing item)');
  }
}
