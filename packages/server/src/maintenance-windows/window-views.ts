/** The API's shapes of windows, targets, tasks and their history (SSM's field names; timestamps as epoch seconds). */
import { epochSeconds } from '../api/wire-format.js';
import type { DeepReadonly } from '../store/store.js';
import type { TaskExecutionRecord, TaskInvocationRecord, WindowExecutionRecord, WindowRecord, WindowTargetRecord, WindowTaskRecord } from './window-records.js';
import { formatRunTime } from './window-schedule.js';

const date = epochSeconds;

export function windowSettingsView(window: WindowRecord) {
  return {
    WindowId: window.WindowId,
    Name: window.Name,
    Description: window.Description,
    StartDate: window.StartDate,
    EndDate: window.EndDate,
    Schedule: window.Schedule,
    ScheduleTimezone: window.ScheduleTimezone,
    ScheduleOffset: window.ScheduleOffset,
    Duration: window.Duration,
    Cutoff: window.Cutoff,
    AllowUnassociatedTargets: window.AllowUnassociatedTargets,
    Enabled: window.Enabled,
  };
}

export function nextExecutionView(window: WindowRecord, next: Date | undefined): string | undefined {
  return next === undefined ? undefined : formatRunTime(next, window.ScheduleTimezone);
}

/** GetMaintenanceWindow. */
export function windowView(window: WindowRecord, next: Date | undefined) {
  return { ...windowSettingsView(window), NextExecutionTime: nextExecutionView(window, next), CreatedDate: date(window.CreatedDate), ModifiedDate: date(window.ModifiedDate) };
}

/** DescribeMaintenanceWindows' MaintenanceWindowIdentity. */
export function windowIdentity(window: WindowRecord, next: Date | undefined) {
  const { AllowUnassociatedTargets: _a, ...identity } = windowSettingsView(window);
  return { ...identity, NextExecutionTime: nextExecutionView(window, next) };
}

export function targetView(target: WindowTargetRecord) {
  return {
    WindowId: target.WindowId,
    WindowTargetId: target.WindowTargetId,
    ResourceType: target.ResourceType,
    Targets: target.Targets,
    OwnerInformation: target.OwnerInformation,
    Name: target.Name,
    Description: target.Description,
  };
}

function taskParametersView(task: Pick<WindowTaskRecord, 'RunCommand'>): Record<string, { Values: string[] }> {
  return Object.fromEntries(Object.entries(task.RunCommand.Parameters ?? {}).map(([name, values]) => [name, { Values: values }]));
}

/** DescribeMaintenanceWindowTasks' MaintenanceWindowTask. */
export function taskSummaryView(task: WindowTaskRecord) {
  return {
    WindowId: task.WindowId,
    WindowTaskId: task.WindowTaskId,
    TaskArn: task.TaskArn,
    Type: task.TaskType,
    Targets: task.Targets,
    TaskParameters: taskParametersView(task),
    Priority: task.Priority,
    ServiceRoleArn: task.ServiceRoleArn,
    MaxConcurrency: task.MaxConcurrency,
    MaxErrors: task.MaxErrors,
    Name: task.Name,
    Description: task.Description,
    CutoffBehavior: task.CutoffBehavior,
  };
}

/** GetMaintenanceWindowTask / UpdateMaintenanceWindowTask. */
export function taskView(task: WindowTaskRecord) {
  const { Type, ...rest } = taskSummaryView(task);
  return { ...rest, TaskType: Type, TaskInvocationParameters: { RunCommand: task.RunCommand } };
}

export function executionView(execution: DeepReadonly<WindowExecutionRecord>) {
  return {
    WindowId: execution.WindowId,
    WindowExecutionId: execution.WindowExecutionId,
    Status: execution.Status,
    StatusDetails: execution.StatusDetails,
    StartTime: date(execution.StartTime),
    EndTime: date(execution.EndTime),
  };
}

export function taskExecutionIdentity(task: TaskExecutionRecord) {
  return {
    WindowExecutionId: task.WindowExecutionId,
    TaskExecutionId: task.TaskExecutionId,
    Status: task.Status,
    StatusDetails: task.StatusDetails,
    StartTime: date(task.StartTime),
    EndTime: date(task.EndTime),
    TaskArn: task.TaskArn,
    TaskType: task.TaskType,
  };
}

export function taskExecutionView(task: TaskExecutionRecord) {
  return {
    WindowExecutionId: task.WindowExecutionId,
    TaskExecutionId: task.TaskExecutionId,
    TaskArn: task.TaskArn,
    ServiceRole: task.ServiceRole,
    Type: task.TaskType,
    TaskParameters: [taskParametersView(task)],
    Priority: task.Priority,
    MaxConcurrency: task.MaxConcurrency,
    MaxErrors: task.MaxErrors,
    Status: task.Status,
    StatusDetails: task.StatusDetails,
    StartTime: date(task.StartTime),
    EndTime: date(task.EndTime),
  };
}

export function invocationView(invocation: TaskInvocationRecord) {
  return {
    WindowExecutionId: invocation.WindowExecutionId,
    TaskExecutionId: invocation.TaskExecutionId,
    InvocationId: invocation.InvocationId,
    ExecutionId: invocation.ExecutionId,
    TaskType: 'RUN_COMMAND',
    Parameters: invocation.Parameters,
    Status: invocation.Status,
    StatusDetails: invocation.StatusDetails,
    StartTime: date(invocation.StartTime),
    EndTime: date(invocation.EndTime),
    OwnerInformation: invocation.OwnerInformation,
    WindowTargetId: invocation.WindowTargetId,
  };
}
