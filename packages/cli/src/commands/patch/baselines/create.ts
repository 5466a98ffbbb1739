import { CreatePatchBaselineCommand, type OperatingSystem, type PatchAction, type PatchComplianceLevel, type PatchFilter, type PatchFilterKey, type PatchRule } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../../client/api-command.js';
import { EXIT } from '../../../client/exit-codes.js';

function filter(text: string, what: string): PatchFilter {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`${what} ${JSON.stringify(text)} must be KEY=value1,value2`);
  return { Key: text.slice(0, at).trim() as PatchFilterKey, Values: text.slice(at + 1).split(',').map((v) => v.trim()) };
}

/**
 * `--rule "CLASSIFICATION=Security;SEVERITY=Critical,Important;approve-after-days=7;compliance=HIGH;non-security"`:
 * patch filters and the rule's settings, separated by semicolons.
 */
export function parseRule(text: string): PatchRule {
  const rule: PatchRule = { PatchFilterGroup: { PatchFilters: [] } };
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [name, value = ''] = part.split('=', 2).map((p) => p.trim()) as [string, string?];
    if (name === 'approve-after-days') rule.ApproveAfterDays = Number(value);
    else if (name === 'approve-until') rule.ApproveUntilDate = value;
    else if (name === 'compliance') rule.ComplianceLevel = value as PatchComplianceLevel;
    else if (name === 'non-security') rule.EnableNonSecurity = true;
    else rule.PatchFilterGroup!.PatchFilters!.push(filter(part, '--rule filter'));
  }
  if (rule.ApproveAfterDays === undefined && rule.ApproveUntilDate === undefined) rule.ApproveAfterDays = 0;
  return rule;
}

export default class PatchBaselinesCreate extends ApiCommand {
  static override summary = 'Create a patch baseline (CreatePatchBaseline).';
  static override description =
    'Rules approve patches by their properties: --rule "KEY=v1,v2;KEY2=v3;approve-after-days=N|approve-until=YYYY-MM-DD;compliance=LEVEL;non-security" (repeatable; DescribePatchProperties lists the keys and values of each operating system). --global-filter KEY=v1,v2 limits every rule. Approved and rejected patches are named in the operating system\'s format (package names, KB ids, ...).';
  static override examples = [
    '<%= config.bin %> patch baselines create --name debian-security --os DEBIAN --rule "PRIORITY=Required,Important;SECTION=*" --rejected-patch telnet',
    '<%= config.bin %> patch baselines create --name rhel-prod --os REDHAT_ENTERPRISE_LINUX --rule "CLASSIFICATION=Security;SEVERITY=Critical,Important;approve-after-days=7;compliance=HIGH" --json',
  ];
  static override flags = {
    name: Flags.string({ description: 'baseline name (3-128 of a-z A-Z 0-9 _ - .)', required: true }),
    os: Flags.string({ description: 'operating system (SSM\'s default when absent is WINDOWS)' }),
    description: Flags.string({ description: 'a description' }),
    rule: Flags.string({ description: 'an approval rule (see the description; repeatable)', multiple: true }),
    'global-filter': Flags.string({ description: 'KEY=v1,v2 applied before every rule (repeatable)', multiple: true }),
    'approved-patch': Flags.string({ description: 'a patch approved whatever the rules say (repeatable)', multiple: true }),
    'approved-compliance': Flags.string({ description: 'compliance level of the approved patches', options: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'] }),
    'rejected-patch': Flags.string({ description: 'a patch never approved (repeatable)', multiple: true }),
    'rejected-action': Flags.string({ description: 'what rejected patches already installed mean', options: ['ALLOW_AS_DEPENDENCY', 'BLOCK'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PatchBaselinesCreate);
    await this.connect(flags);
    let rules: PatchRule[];
    let global: PatchFilter[];
    try {
      rules = (flags.rule ?? []).map(parseRule);
      global = (flags['global-filter'] ?? []).map((text) => filter(text, '--global-filter'));
    } catch (error) {
      return this.error((error as Error).message, { exit: EXIT.usage });
    }
    const created = await this.ssm.send(
      new CreatePatchBaselineCommand({
        Name: flags.name,
        OperatingSystem: flags.os as OperatingSystem | undefined,
        Description: flags.description,
        ApprovalRules: rules.length ? { PatchRules: rules } : undefined,
        GlobalFilters: global.length ? { PatchFilters: global } : undefined,
        ApprovedPatches: flags['approved-patch'],
        ApprovedPatchesComplianceLevel: flags['approved-compliance'] as PatchComplianceLevel | undefined,
        RejectedPatches: flags['rejected-patch'],
        RejectedPatchesAction: flags['rejected-action'] as PatchAction | undefined,
      }),
    );
    if (flags.json) return this.printJson({ BaselineId: created.BaselineId });
    this.log(created.BaselineId ?? '');
  }
}
