import { DescribeAssociationExecutionsCommand, DescribeAssociationExecutionTargetsCommand, type AssociationExecution, type AssociationExecutionTarget } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { executionRow, executionTargetRow } from '../../client/associations.js';
import { renderTable } from '../../client/table.js';

export default class AssociationsExecutions extends ApiCommand {
  static override summary = 'An association\'s executions, newest first, or with --execution the result on each host (DescribeAssociationExecutions, DescribeAssociationExecutionTargets).';
  static override description = 'A scheduled run of every host for one slot of the schedule is one execution; so is each StartAssociationsOnce (tender associations run-now).';
  static override examples = [
    '<%= config.bin %> associations executions 8dfe3659-4309-493a-8755-0123456789ab',
    '<%= config.bin %> associations executions 8dfe3659-4309-493a-8755-0123456789ab --status Failed',
    '<%= config.bin %> associations executions 8dfe3659-4309-493a-8755-0123456789ab --execution 1c1a7c4e-... --json',
  ];
  static override args = { id: Args.string({ description: 'association id', required: true }) };
  static override flags = {
    execution: Flags.string({ description: 'show this execution\'s hosts' }),
    status: Flags.string({ description: 'only executions (or, with --execution, hosts) with this status' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AssociationsExecutions);
    await this.connect(flags);
    if (flags.execution) {
      const targets: AssociationExecutionTarget[] = [];
      let token: string | undefined;
      do {
        const page = await this.ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: args.id, ExecutionId: flags.execution, Filters: flags.status ? [{ Key: 'Status', Value: flags.status }] : undefined, NextToken: token }));
        targets.push(...(page.AssociationExecutionTargets ?? []));
        token = page.NextToken;
      } while (token);
      if (flags.json) return this.printJson(targets);
      this.log(renderTable(targets.map(executionTargetRow), ['ResourceId', 'Status', 'DetailedStatus', 'LastExecution']));
      return;
    }
    const executions: AssociationExecution[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: args.id, Filters: flags.status ? [{ Key: 'Status', Value: flags.status, Type: 'EQUAL' }] : undefined, NextToken: token }));
      executions.push(...(page.AssociationExecutions ?? []));
      token = page.NextToken;
    } while (token);
    if (flags.json) return this.printJson(executions);
    this.log(renderTable(executions.map(executionRow), ['ExecutionId', 'Version', 'Status', 'Resources', 'Created', 'LastExecution']));
  }
}
