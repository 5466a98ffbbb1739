import { CreateAssociationCommand, type AssociationComplianceSeverity, type AssociationSyncCompliance } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { parseParameters, parseTarget, associationRow } from '../../client/associations.js';
import { EXIT } from '../../client/exit-codes.js';
import { parseTag } from '../../client/parameters.js';
import { renderTable } from '../../client/table.js';

export default class AssociationsCreate extends ApiCommand {
  static override summary = 'Declare that some hosts run a document, with these parameters, on this schedule (CreateAssociation).';
  static override description =
    'The association is delivered at once to every host its targets take in (and to hosts that come to match later, e.g. when tagged), applied there, and re-applied on its schedule by the agent itself, even while the host cannot reach the control plane. Without --schedule it runs once per version. Parameters may refer to Parameter Store: {{ssm:name}} is resolved by the control plane, {{ssm-secure:name}} is sealed to each host.';
  static override examples = [
    '<%= config.bin %> associations create AWS-RunShellScript --target tag:Role=web --parameter commands="systemctl restart nginx" --schedule "rate(1 hour)"',
    '<%= config.bin %> associations create AWS-GatherSoftwareInventory --target InstanceIds=* --schedule "rate(30 minutes)" --name inventory',
    '<%= config.bin %> associations create team-Motd --target Key=tag:Env,Values=prod --schedule "cron(0 2 ? * SUN *)" --compliance-severity HIGH --json',
  ];
  static override args = { document: Args.string({ description: 'document name or ARN', required: true }) };
  static override flags = {
    target: Flags.string({ description: 'which hosts: InstanceIds=ID,ID (or InstanceIds=*), tag:KEY=V,V, tag-key=KEY (repeatable: a host must match all)', multiple: true, required: true }),
    parameter: Flags.string({ description: 'a document parameter as NAME=VALUE (repeatable; the same NAME again adds a list item)', multiple: true }),
    schedule: Flags.string({ description: 'cron(...) or rate(...) expression (see tender schedule explain)' }),
    name: Flags.string({ description: 'association name' }),
    'document-version': Flags.string({ description: 'document version: a number, $DEFAULT (default) or $LATEST' }),
    'max-concurrency': Flags.string({ description: 'hosts that run it at once: a number or a percentage' }),
    'max-errors': Flags.string({ description: 'errors allowed before it stops: a number or a percentage' }),
    'compliance-severity': Flags.string({ description: 'severity of its compliance items', options: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED'] }),
    'sync-compliance': Flags.string({ description: 'AUTO: its results are compliance items; MANUAL: only PutComplianceItems', options: ['AUTO', 'MANUAL'] }),
    'apply-only-at-cron-interval': Flags.boolean({ description: 'do not run at creation; only at the schedule\'s times', default: false }),
    'schedule-offset': Flags.integer({ description: 'days after the cron time to run (1-6)' }),
    tag: Flags.string({ description: 'tag of the association as Key=Value (repeatable)', multiple: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AssociationsCreate);
    let targets, parameters, tags;
    try {
      targets = flags.target.map(parseTarget);
      parameters = flags.parameter ? parseParameters(flags.parameter) : undefined;
      tags = flags.tag?.map(parseTag);
    } catch (error) {
      this.error((error as Error).message, { exit: EXIT.usage });
    }
    await this.connect(flags);
    const created = await this.ssm.send(
      new CreateAssociationCommand({
        Name: args.document,
        Targets: targets,
        Parameters: parameters,
        ScheduleExpression: flags.schedule,
        AssociationName: flags.name,
        DocumentVersion: flags['document-version'],
        MaxConcurrency: flags['max-concurrency'],
        MaxErrors: flags['max-errors'],
        ComplianceSeverity: flags['compliance-severity'] as AssociationComplianceSeverity | undefined,
        SyncCompliance: flags['sync-compliance'] as AssociationSyncCompliance | undefined,
        ApplyOnlyAtCronInterval: flags['apply-only-at-cron-interval'] || undefined,
        ScheduleOffset: flags['schedule-offset'],
        Tags: tags,
      }),
    );
    const description = created.AssociationDescription!;
    if (flags.json) return this.printJson(description);
    this.log(renderTable([associationRow(description)], ['AssociationId', 'Name', 'Document', 'Version', 'Targets', 'Schedule', 'Status']));
  }
}
