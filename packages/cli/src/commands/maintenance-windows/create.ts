import { CreateMaintenanceWindowCommand, GetMaintenanceWindowCommand, UpdateMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

export default class MaintenanceWindowsCreate extends ApiCommand {
  static override summary = 'Create a maintenance window (CreateMaintenanceWindow) and print when it first runs.';
  static override description =
    'A window opens on its --schedule (cron, rate or at, read in --timezone), stays open --duration hours, and starts no task in its last --cutoff hours. Register targets and tasks with the SSM API (RegisterTargetWithMaintenanceWindow, RegisterTaskWithMaintenanceWindow), e.g. with the AWS CLI pointed at this control plane.';
  static override examples = [
    '<%= config.bin %> maintenance-windows create --name patch-sunday --schedule "cron(0 2 ? * SUN *)" --duration 4 --cutoff 1 --timezone Europe/Paris',
    '<%= config.bin %> maintenance-windows create --name third-tuesday --schedule "cron(30 23 ? * TUE#3 *)" --schedule-offset 2 --duration 3 --cutoff 1 --json',
  ];
  static override flags = {
    name: Flags.string({ description: 'window name (3-128 of a-z A-Z 0-9 _ - .)', required: true }),
    schedule: Flags.string({ description: 'cron(...), rate(...) or at(...)', required: true }),
    duration: Flags.integer({ description: 'hours the window stays open (1-24)', required: true }),
    cutoff: Flags.integer({ description: 'hours before the end when no new task starts (0-23, less than --duration)', required: true }),
    timezone: Flags.string({ description: 'IANA time zone the schedule is read in (ScheduleTimezone); default UTC' }),
    'schedule-offset': Flags.integer({ description: 'days to wait after each cron time (1-6)' }),
    'start-date': Flags.string({ description: 'ISO 8601: the window is inactive before' }),
    'end-date': Flags.string({ description: 'ISO 8601: the window is inactive after' }),
    'allow-unassociated-targets': Flags.boolean({ description: 'tasks may name instance ids not registered as window targets', default: false }),
    disabled: Flags.boolean({ description: 'create it disabled (it does not run until enabled)', default: false }),
    description: Flags.string({ description: 'what the window is for' }),
    tag: Flags.string({ description: 'tag (Key=Value)', multiple: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MaintenanceWindowsCreate);
    await this.connect(flags);
    const { WindowId } = await this.ssm.send(
      new CreateMaintenanceWindowCommand({
        Name: flags.name,
        Schedule: flags.schedule,
        Duration: flags.duration,
        Cutoff: flags.cutoff,
        ScheduleTimezone: flags.timezone,
        ScheduleOffset: flags['schedule-offset'],
        StartDate: flags['start-date'],
        EndDate: flags['end-date'],
        AllowUnassociatedTargets: flags['allow-unassociated-targets'],
        Description: flags.description,
        Tags: flags.tag?.map((tag) => {
          const [Key, ...value] = tag.split('=');
          return { Key: Key ?? '', Value: value.join('=') };
        }),
      }),
    );
    // CreateMaintenanceWindow has no Enabled field; a window is created enabled, so --disabled updates it after.
    if (flags.disabled) await this.ssm.send(new UpdateMaintenanceWindowCommand({ WindowId, Enabled: false }));
    const window = await this.ssm.send(new GetMaintenanceWindowCommand({ WindowId }));
    if (flags.json) return this.printJson({ WindowId, NextExecutionTime: window.NextExecutionTime, Enabled: window.Enabled });
    this.log(`WindowId:          ${WindowId}`);
    this.log(`Next execution:    ${window.NextExecutionTime ?? (window.Enabled ? 'none' : 'none (disabled)')}`);
    this.log('');
    this.log('Next: register targets and tasks (RegisterTargetWithMaintenanceWindow, RegisterTaskWithMaintenanceWindow).');
  }
}
