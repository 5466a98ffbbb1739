import { GetPatchBaselineCommand, type GetPatchBaselineCommandOutput, type PatchFilter } from '@aws-sdk/client-ssm';
import { Args } from '@oclif/core';
import { ApiCommand } from '../../../client/api-command.js';

const filters = (list: PatchFilter[] | undefined): string => (list ?? []).map((f) => `${f.Key}=${(f.Values ?? []).join(',')}`).join(' ') || '(all patches)';

/** A baseline as a few readable lines. */
export function describeBaselineText(b: Omit<GetPatchBaselineCommandOutput, '$metadata'>): string {
  const lines = [
    `${b.Name} (${b.BaselineId})`,
    `  operating system: ${b.OperatingSystem}`,
    ...(b.Description ? [`  description: ${b.Description}`] : []),
    `  global filters: ${filters(b.GlobalFilters?.PatchFilters)}`,
  ];
  (b.ApprovalRules?.PatchRules ?? []).forEach((rule, i) => {
    const when = rule.ApproveUntilDate ? `released by ${rule.ApproveUntilDate}` : `${rule.ApproveAfterDays ?? 0} day(s) after release`;
    lines.push(`  rule ${i + 1}: ${filters(rule.PatchFilterGroup?.PatchFilters)}; approved ${when}; compliance ${rule.ComplianceLevel ?? 'UNSPECIFIED'}${rule.EnableNonSecurity ? '; non-security updates too' : ''}`);
  });
  lines.push(`  approved patches: ${(b.ApprovedPatches ?? []).join(', ') || '-'} (compliance ${b.ApprovedPatchesComplianceLevel ?? 'UNSPECIFIED'})`);
  lines.push(`  rejected patches: ${(b.RejectedPatches ?? []).join(', ') || '-'} (${b.RejectedPatchesAction ?? 'ALLOW_AS_DEPENDENCY'})`);
  lines.push(`  patch groups: ${(b.PatchGroups ?? []).join(', ') || '-'}`);
  return lines.join('\n');
}

export default class PatchBaselinesGet extends ApiCommand {
  static override summary = 'Show a patch baseline: its rules, lists and patch groups (GetPatchBaseline).';
  static override examples = ['<%= config.bin %> patch baselines get pb-0123456789abcdef0', '<%= config.bin %> patch baselines get pb-0123456789abcdef0 --json'];
  static override args = { baseline: Args.string({ description: 'baseline id (pb-...) or ARN', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PatchBaselinesGet);
    await this.connect(flags);
    const { $metadata: _meta, ...baseline } = await this.ssm.send(new GetPatchBaselineCommand({ BaselineId: args.baseline }));
    if (flags.json) return this.printJson(baseline);
    this.log(describeBaselineText(baseline));
  }
}
