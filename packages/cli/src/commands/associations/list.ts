import { ListAssociationsCommand, type Association, type AssociationFilter } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { associationRow } from '../../client/associations.js';
import { renderTable } from '../../client/table.js';

export default class AssociationsList extends ApiCommand {
  static override summary = 'List associations, with their overall status (ListAssociations).';
  static override examples = ['<%= config.bin %> associations list', '<%= config.bin %> associations list --document AWS-RunShellScript', '<%= config.bin %> associations list --instance mi-0123456789abcdef0 --json'];
  static override flags = {
    document: Flags.string({ description: 'only associations of this document' }),
    name: Flags.string({ description: 'only associations with this association name' }),
    instance: Flags.string({ description: 'only associations that apply to this managed instance now' }),
    status: Flags.string({ description: 'only associations whose overall status is this', options: ['Pending', 'Success', 'Failed'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AssociationsList);
    await this.connect(flags);
    const filters: AssociationFilter[] = [];
    if (flags.document) filters.push({ key: 'Name', value: flags.document });
    if (flags.name) filters.push({ key: 'AssociationName', value: flags.name });
    if (flags.instance) filters.push({ key: 'InstanceId', value: flags.instance });
    if (flags.status) filters.push({ key: 'AssociationStatusName', value: flags.status });
    const associations: Association[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(new ListAssociationsCommand({ AssociationFilterList: filters.length ? filters : undefined, NextToken: token }));
      associations.push(...(page.Associations ?? []));
      token = page.NextToken;
    } while (token);
    if (flags.json) return this.printJson(associations);
    this.log(renderTable(associations.map(associationRow), ['AssociationId', 'Name', 'Document', 'Version', 'Targets', 'Schedule', 'Status', 'LastExecution']));
  }
}
