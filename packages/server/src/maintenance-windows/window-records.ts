/**
 * What the maintenance-windows capability keeps in the store. PascalCase fields are SSM's (they go out on the
 * API as they are); camelCase ones are Tender's bookkeeping.
 *
 * Tables: windows, their targets and tasks (the definitions); executions, task executions and invocations (the
 * history); and the scheduler's own state (how far each window's schedule has been looked at, and which replica
 * holds a window's lease).
 */
import type { Tag } from '../api/validate.js';

export const WINDOWS_TABLE = 'maintenance-windows';
export const WINDOW_TARGETS_TABLE = 'maintenance-window-targets';
export const WINDOW_TASKS_TABLE = 'maintenance-window-tasks';
export const WINDOW_EXECUTIONS_TABLE = 'maintenance-window-executions';
export const TASK_EXECUTIONS_TABLE = 'maintenance-window-task-executions';
export const TASK_INVOCATIONS_TABLE = 'maintenance-window-task-invocations';
export const SCHEDULE_CURSORS_TABLE = 'maintenance-window-schedule-cursors';
export const WINDOW_LEASES_TABLE = 'maintenance-window-leases';

export interface Target {
  Key: string;
  Values: string[];
}

export interface WindowRecord {
  WindowId: string;
  Name: string;
  Description?: string;
  StartDate?: string;
  EndDate?: string;
  Schedule: string;
  ScheduleTimezone?: string;
  ScheduleOffset?: number;
  Duration: number;
  Cutoff: number;
  AllowUnassociatedTargets: boolean;
  Enabled: boolean;
  Tags: Tag[];
  CreatedDate: string;
  ModifiedDate: string;
  /** Since when the current schedule settings hold (creation, or the update that changed them). */
  scheduleSince: string;
  /** CreateMaintenanceWindow's ClientToken, for idempotent retries. */
  clientToken?: string;
}

export interface WindowTargetRecord {
  WindowId: string;
  WindowTargetId: string;
  ResourceType: 'INSTANCE';
  Targets: Target[];
  OwnerInformation?: string;
  Name?: string;
  Description?: string;
  registeredAt: string;
  clientToken?: string;
}

export type CutoffBehavior = 'CONTINUE_TASK' | 'CANCEL_TASK';

/** MaintenanceWindowRunCommandParameters, as far as Tender runs them. */
export interface RunCommandParameters {
  Comment?: string;
  DocumentHash?: string;
  DocumentHashType?: 'Sha256' | 'Sha1';
  DocumentVersion?: string;
  Parameters?: Record<string, string[]>;
  ServiceRoleArn?: string;
  TimeoutSeconds?: number;
}

export interface WindowTaskRecord {
  WindowId: string;
  WindowTaskId: string;
  /** For RUN_COMMAND: the document name. */
  TaskArn: string;
  TaskType: 'RUN_COMMAND';
  /** Key=WindowTargetIds (registered targets) or Key=InstanceIds (only when the window allows unassociated targets). */
  Targets: Target[];
  Priority: number;
  MaxConcurrency: string;
  MaxErrors: string;
  CutoffBehavior: CutoffBehavior;
  ServiceRoleArn?: string;
  Name?: string;
  Description?: string;
  RunCommand: RunCommandParameters;
  registeredAt: string;
  clientToken?: string;
}

/** SSM's MaintenanceWindowExecutionStatus. */
export type ExecutionStatus = 'PENDING' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' | 'TIMED_OUT' | 'CANCELLING' | 'CANCELLED' | 'SKIPPED_OVERLAPPING';

const FINAL: ReadonlySet<ExecutionStatus> = new Set(['SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED_OVERLAPPING']);

export function isFinal(status: ExecutionStatus): boolean {
  return FINAL.has(status);
}

export interface WindowExecutionRecord {
  WindowExecutionId: string;
  WindowId: string;
  /** The schedule's time this execution is for (the key that keeps one run of a scheduled time, never two). */
  scheduledAt: string;
  Status: ExecutionStatus;
  StatusDetails: string;
  StartTime: string;
  EndTime?: string;
  /** StartTime + Duration - Cutoff: no task starts from then on. */
  cutoffAt: string;
  /** StartTime + Duration: the window closes. */
  endsAt: string;
  /**
   * Which tasks run, in the order they run (priority, then registration): fixed when the execution starts. Each
   * task's own settings (document, parameters, rate controls) are read when that task starts.
   */
  plan: PlannedTask[];
  /** The replica that runs this execution. */
  owner: string;
  cancelRequestedAt?: string;
}

/** A task of an execution's plan: registered before the execution started; a task registered later waits for the next run. */
export interface PlannedTask {
  WindowTaskId: string;
  Priority: number;
  /** Set once the task started: its execution id. */
  TaskExecutionId?: string;
  /** Why a task was not started (the cutoff, a cancel), when it was not. */
  notStarted?: string;
}

export interface TaskExecutionRecord {
  WindowExecutionId: string;
  TaskExecutionId: string;
  WindowId: string;
  WindowTaskId: string;
  TaskArn: string;
  TaskType: 'RUN_COMMAND';
  Priority: number;
  MaxConcurrency: string;
  MaxErrors: string;
  CutoffBehavior: CutoffBehavior;
  ServiceRole?: string;
  /** The task's run-command parameters with the window-level pseudo-parameters filled in. */
  RunCommand: RunCommandParameters;
  Status: ExecutionStatus;
  StatusDetails: string;
  StartTime: string;
  EndTime?: string;
  /** MaxConcurrency and MaxErrors as numbers of invocations. */
  maxConcurrency: number;
  maxErrors: number;
  /** The cutoff cancelled this task (CANCEL_TASK). */
  cutoffCancelledAt?: string;
  /** Its invocations, in the order they start: read by id, so following a task never scans the whole history. */
  invocationIds: string[];
}

export interface TaskInvocationRecord {
  WindowExecutionId: string;
  TaskExecutionId: string;
  InvocationId: string;
  /** Order in which invocations are started. */
  seq: number;
  /** The managed instance this invocation runs on ({{RESOURCE_ID}}). */
  resourceId: string;
  WindowTargetId?: string;
  OwnerInformation?: string;
  /**
   * The Run Command id, chosen and written here BEFORE SendCommand is called with it: after a restart an
   * invocation with an ExecutionId is looked up in the commands service (found: tracked; not found: it was never
   * sent), so no command is lost or sent twice.
   */
  ExecutionId?: string;
  /** The SendCommand request made (instance, document, parameters with pseudo-parameters filled in), as JSON: SSM's Parameters string. */
  Parameters?: string;
  Status: ExecutionStatus;
  StatusDetails: string;
  StartTime?: string;
  EndTime?: string;
}

/** How far the scheduler has looked at a window's schedule: runs at or before `checkedThrough` are dealt with. */
export interface ScheduleCursor {
  WindowId: string;
  checkedThrough: string;
}

/** Which control-plane replica runs a window's executions, until when (renewed while it lives). */
export interface WindowLease {
  WindowId: string;
  owner: string;
  expiresAt: string;
}
