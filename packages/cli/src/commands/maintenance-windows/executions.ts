import {
  DescribeMaintenanceWindowExecutionTaskInvocationsCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  GetMaintenanceWindowExecutionCommand,
  GetMaintenanceWindowExecutionTaskCommand,
  paginateDescribeMaintenanceWindowExecutions,
  type MaintenanceWindowExecution,
  type MaintenanceWindowExecutionTaskInvocationIdentity,
} from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

/** A RUN_COMMAND invocation's Parameters are the SendCommand request it made: its instanceIds name the instance. */
function instanceOf(invocation: MaintenanceWindowExecutionTaskInvocationIdentity): string {
  try {
    return (JSON.parse(invocation.Parameters ?? '{}') as { instanceIds?: string[] }).instanceIds?.join(',') ?? '-';
  } catch {
    return '-';
  }
}

const time = (date: Date | undefined) => (date ? date.toISOString() : '-');

export default class MaintenanceWindowsExecutions extends ApiCommand {
  static override summary = 'A window\'s executions, or one execution with its tasks and their invocations.';
  static override description =
    'Without --execution: every execution of the window, newest first (DescribeMaintenanceWindowExecutions), missed and skipped runs included. With --execution: that execution, each task in the order it ran (priority, status, rate controls) and each task\'s invocations: the instance, the Run Command id (see tender commands get) and its status.';
  static override examples = ['<%= config.bin %> maintenance-windows executions mw-0123456789abcdef0', '<%= config.bin %> maintenance-windows executions mw-0123456789abcdef0 --execution 2f1c...'];
  static override args = { windowId: Args.string({ description: 'window id (mw-...)', required: true }) };
  static override flags = { execution: Flags.string({ description: 'show this execution\'s tasks and invocations' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MaintenanceWindowsExecutions);
    await this.connect(flags);
    if (!flags.execution) {
      const executions: MaintenanceWindowExecution[] = [];
      for await (const page of paginateDescribeMaintenanceWindowExecutions({ client: this.ssm }, { WindowId: args.windowId })) executions.push(...(page.WindowExecutions ?? []));
      if (flags.json) return this.printJson(executions);
      this.log(renderTable(executions as Array<Record<string, unknown>>, ['WindowExecutionId', 'Status', 'StartTime', 'EndTime', 'StatusDetails']));
      return;
    }
    const execution = await this.ssm.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: flags.execution }));
    const identities = (await this.ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: flags.execution }))).WindowExecutionTaskIdentities ?? [];
    const tasks = [];
    for (const identity of identities) {
      const task = await this.ssm.send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: flags.execution, TaskId: identity.TaskExecutionId }));
      const invocations: MaintenanceWindowExecutionTaskInvocationIdentity[] = [];
      let token: string | undefined;
      do {
        const page = await this.ssm.send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: flags.execution, TaskId: identity.TaskExecutionId, NextToken: token }));
        invocations.push(...(page.WindowExecutionTaskInvocationIdentities ?? []));
        token = page.NextToken;
      } while (token);
      tasks.push({ ...task, $metadata: undefined, Invocations: invocations });
    }
    if (flags.json) return this.printJson({ ...execution, $metadata: undefined, Tasks: tasks });
    this.log(`Execution ${execution.WindowExecutionId}  ${execution.Status}  ${time(execution.StartTime)} → ${time(execution.EndTime)}`);
    if (execution.StatusDetails) this.log(`  ${execution.StatusDetails}`);
    for (const task of tasks) {
      this.log('');
      this.log(`Task ${task.TaskExecutionId}  priority ${task.Priority}  ${task.Type} ${task.TaskArn}  ${task.Status}  (MaxConcurrency ${task.MaxConcurrency}, MaxErrors ${task.MaxErrors})`);
      if (task.StatusDetails) this.log(`  ${task.StatusDetails}`);
      const rows = task.Invocations.map((invocation) => ({
        Instance: instanceOf(invocation),
        CommandId: invocation.ExecutionId,
        Status: invocation.Status,
        Details: invocation.StatusDetails,
        Started: invocation.StartTime,
        Ended: invocation.EndTime,
      }));
      this.log(renderTable(rows, ['Instance', 'CommandId', 'Status', 'Details', 'Started', 'Ended']).replace(/^/gm, '  '));
    }
  }
}
