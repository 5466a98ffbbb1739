import { paginateDescribeActivations, type Activation } from '@aws-sdk/client-ssm';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class ActivationsList extends ApiCommand {
  static override summary = 'List hybrid activations (DescribeActivations).';

  async run(): Promise<void> {
    const { flags } = await this.parse(ActivationsList);
    await this.connect(flags);
    const activations: Activation[] = [];
    for await (const page of paginateDescribeActivations({ client: this.ssm }, {})) activations.push(...(page.ActivationList ?? []));
    if (flags.json) return this.printJson(activations);
    this.log(renderTable(activations as Array<Record<string, unknown>>, ['ActivationId', 'DefaultInstanceName', 'RegistrationsCount', 'RegistrationLimit', 'Expired', 'ExpirationDate']));
  }
}
