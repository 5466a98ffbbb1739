/**
 * Drives one maintenance window execution, a step at a time (the scheduler calls advance() on every tick):
 *
 *   - tasks run in priority order (lower number first); tasks of equal priority run in parallel; the next
 *     priority starts when every task of the current one has finished;
 *   - no task starts at or after the cutoff (StartTime + Duration - Cutoff); tasks that did not start are
 *     named in the execution's StatusDetails and the execution ends TIMED_OUT;
 *   - at the cutoff a CANCEL_TASK task's running commands are cancelled (CancelCommand) and its invocations not
 *     yet started never start: SSM's "the status for tasks that are not completed is TIMED_OUT"; a
 *     CONTINUE_TASK task keeps going, starting invocations until the window ends (StartTime + Duration);
 *   - each task runs one Run Command per target instance (so {{RESOURCE_ID}} differs per invocation), at most
 *     MaxConcurrency at once, and stops starting new ones once more than MaxErrors have failed.
 *
 * Durability: an invocation's command id is written to its record before SendCommand is called with that id.
 * After a restart the driver finds each recorded command in the commands service and keeps tracking it; an id
 * the commands service does not know was never sent, and is sent then (if the window still allows it). So no
 * invocation is lost or run twice. Task executions and invocations have ids derived from what they belong to
 * (stable-id.ts), so repeating a step after a crash finds the records the first attempt wrote.
 */
import type { CommandRecord } from '../commands/command-records.js';
import { ApiError } from '../api/errors.js';
import { concurrencyLimit, errorLimit } from '../commands/rate-controls.js';
import { fillParameterMap, fillPseudoParameters, type PseudoParameterValues } from './pseudo-parameters.js';
import { stableId } from './stable-id.js';
import type { WindowService } from './window-service.js';
import { isFinal, type ExecutionStatus, type PlannedTask, type TaskExecutionRecord, type TaskInvocationRecord, type WindowExecutionRecord } from './window-records.js';

/** What the driver needs of the commands service (command-service.ts), in process. */
export interface CommandRunner {
  sendCommand(input: Record<string, unknown>, context: undefined, options: { commandId: string }): Promise<unknown>;
  getCommand(commandId: string): Promise<CommandRecord | undefined>;
  cancelCommand(commandId: string): Promise<void>;
}

export interface DriverLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

const MAX_DETAILS = 250;

function details(text: string): string {
  return text.length <= MAX_DETAILS ? text : `${text.slice(0, MAX_DETAILS - 3)}...`;
}

/** A Run Command status as a window invocation's. */
function invocationStatusOf(command: CommandRecord): ExecutionStatus {
  switch (command.Status) {
    case 'Pending':
    case 'InProgress':
      return 'IN_PROGRESS';
    case 'Cancelling':
      return 'CANCELLING';
    case 'Success':
      return 'SUCCESS';
    case 'Cancelled':
      return 'CANCELLED';
    case 'TimedOut':
      return 'TIMED_OUT';
    case 'Failed':
      return 'FAILED';
  }
}

function countsAsError(status: ExecutionStatus): boolean {
  return status === 'FAILED' || status === 'TIMED_OUT';
}

export class ExecutionDriver {
  constructor(
    private readonly service: WindowService,
    private readonly commands: CommandRunner,
    private readonly logger: DriverLogger,
  ) {}

  /** One step of an execution at `now`. Returns the record as it now is. */
  async advance(executionId: string, now: Date): Promise<WindowExecutionRecord> {
    let execution = await this.service.getExecution(executionId);
    if (isFinal(execution.Status)) return execution;
    const nowIso = now.toISOString();
    if (execution.Status === 'PENDING') execution = await this.saveExecution({ ...execution, Status: 'IN_PROGRESS', StatusDetails: 'In progress' });

    // Tasks already started: follow their invocations.
    const tasks: TaskExecutionRecord[] = [];
    for (const planned of execution.plan) {
      if (planned.TaskExecutionId === undefined) continue;
      tasks.push(await this.advanceTask(execution, planned.TaskExecutionId, now));
    }
    const running = tasks.filter((task) => !isFinal(task.Status));

    // Start the next priority when nothing is running, unless the cutoff or a cancel stops it.
    if (running.length === 0) {
      const waiting = execution.plan.filter((planned) => planned.TaskExecutionId === undefined && planned.notStarted === undefined);
      if (waiting.length > 0) {
        const stop =
          execution.cancelRequestedAt !== undefined
            ? 'the execution was cancelled'
            : now.getTime() >= Date.parse(execution.cutoffAt)
              ? `the window reached its cutoff at ${execution.cutoffAt}`
              : undefined;
        if (stop !== undefined) {
          const plan = execution.plan.map((planned) => (waiting.includes(planned) ? { ...planned, notStarted: stop } : planned));
          execution = await this.saveExecution({ ...execution, plan });
        } else {
          const priority = Math.min(...waiting.map((planned) => planned.Priority));
          const starting = waiting.filter((planned) => planned.Priority === priority);
          for (const planned of starting) {
            const started = await this.startTask(execution, planned, now);
            execution = await this.saveExecution({ ...execution, plan: execution.plan.map((p) => (p.WindowTaskId === planned.WindowTaskId ? { ...p, TaskExecutionId: started.TaskExecutionId } : p)) });
            running.push(await this.advanceTask(execution, started.TaskExecutionId, now));
          }
        }
      }
    }

    // Finished: every planned task either ran to a final status or was not started.
    const done = running.every((task) => isFinal(task.Status)) && execution.plan.every((planned) => planned.TaskExecutionId !== undefined || planned.notStarted !== undefined);
    if (!done) return execution;
    const final: TaskExecutionRecord[] = [];
    for (const planned of execution.plan) if (planned.TaskExecutionId !== undefined) final.push(await this.service.getTaskExecution(execution.WindowExecutionId, planned.TaskExecutionId));
    const { Status, StatusDetails } = executionOutcome(execution, final);
    this.logger.info({ windowId: execution.WindowId, windowExecutionId: executionId, status: Status }, 'maintenance window execution finished');
    return this.saveExecution({ ...execution, Status, StatusDetails: details(StatusDetails), EndTime: nowIso });
  }

  private async saveExecution(record: WindowExecutionRecord): Promise<WindowExecutionRecord> {
    await this.service.executions.put(record.WindowExecutionId, record);
    return record;
  }

  /** Create the task's execution and its invocations (one per target instance), all not started yet. */
  private async startTask(execution: WindowExecutionRecord, planned: PlannedTask, now: Date): Promise<TaskExecutionRecord> {
    const taskExecutionId = stableId(execution.WindowExecutionId, planned.WindowTaskId);
    const existing = await this.service.taskExecutions.get(taskExecutionId);
    if (existing) return existing;
    const task = await this.service.tasks.get(planned.WindowTaskId);
    const nowIso = now.toISOString();
    const base = {
      WindowExecutionId: execution.WindowExecutionId,
      TaskExecutionId: taskExecutionId,
      WindowId: execution.WindowId,
      WindowTaskId: planned.WindowTaskId,
      Priority: planned.Priority,
      StartTime: nowIso,
    };
    if (!task) {
      // Deregistered between the execution's start and its turn.
      const record: TaskExecutionRecord = { ...base, TaskArn: '', TaskType: 'RUN_COMMAND', MaxConcurrency: '1', MaxErrors: '0', CutoffBehavior: 'CONTINUE_TASK', RunCommand: {}, Status: 'FAILED', StatusDetails: 'The task was deregistered before it could start', EndTime: nowIso, maxConcurrency: 1, maxErrors: 0, invocationIds: [] };
      await this.service.taskExecutions.insert(taskExecutionId, record);
      return record;
    }
    const targets = await this.service.resolveTaskTargets(task);
    const record: TaskExecutionRecord = {
      ...base,
      TaskArn: task.TaskArn,
      TaskType: task.TaskType,
      MaxConcurrency: task.MaxConcurrency,
      MaxErrors: task.MaxErrors,
      CutoffBehavior: task.CutoffBehavior,
      ...(task.ServiceRoleArn !== undefined ? { ServiceRole: task.ServiceRoleArn } : {}),
      RunCommand: task.RunCommand,
      Status: targets.length === 0 ? 'FAILED' : 'IN_PROGRESS',
      StatusDetails: targets.length === 0 ? 'No managed instance matched the task\'s targets' : 'In progress',
      maxConcurrency: concurrencyLimit(task.MaxConcurrency, Math.max(1, targets.length)),
      maxErrors: errorLimit(task.MaxErrors, targets.length),
      ...(targets.length === 0 ? { EndTime: nowIso } : {}),
      invocationIds: targets.map((target) => stableId(taskExecutionId, target.instanceId)),
    };
    // Invocations first, the task execution last: the plan names the task execution only once all exist.
    for (const [seq, target] of targets.entries()) {
      const invocationId = record.invocationIds[seq]!;
      const invocation: TaskInvocationRecord = {
        WindowExecutionId: execution.WindowExecutionId,
        TaskExecutionId: taskExecutionId,
        InvocationId: invocationId,
        seq,
        resourceId: target.instanceId,
        ...(target.windowTargetId !== undefined ? { WindowTargetId: target.windowTargetId } : {}),
        ...(target.ownerInformation !== undefined ? { OwnerInformation: target.ownerInformation } : {}),
        Status: 'PENDING',
        StatusDetails: 'Pending',
      };
      await this.service.invocations.insert(invocationId, invocation);
    }
    await this.service.taskExecutions.insert(taskExecutionId, record);
    this.logger.info({ windowExecutionId: execution.WindowExecutionId, taskExecutionId, task: task.WindowTaskId, priority: task.Priority, targets: targets.length }, 'maintenance window task started');
    return record;
  }

  /** Follow a task's invocations, apply the cutoff, start what the rate controls allow, and close it when done. */
  private async advanceTask(execution: WindowExecutionRecord, taskExecutionId: string, now: Date): Promise<TaskExecutionRecord> {
    let task = await this.service.taskExecutions.get(taskExecutionId);
    if (!task) throw new Error(`task execution ${taskExecutionId} of ${execution.WindowExecutionId} is missing`);
    if (isFinal(task.Status)) return task;
    const invocations = await this.service.invocationsByIds(task.invocationIds);
    const nowMs = now.getTime();
    const pastCutoff = nowMs >= Date.parse(execution.cutoffAt);
    const pastEnd = nowMs >= Date.parse(execution.endsAt);

    // 1. What the commands service says of the commands already sent (or, after a crash, maybe not sent).
    for (const invocation of invocations) {
      if (invocation.ExecutionId === undefined || isFinal(invocation.Status)) continue;
      const before = `${invocation.Status}/${invocation.StatusDetails}`;
      const command = await this.commands.getCommand(invocation.ExecutionId);
      if (command) {
        this.follow(invocation, command, now);
      } else if (!pastCutoff || task.CutoffBehavior === 'CONTINUE_TASK') {
        // Recorded but never handed to the commands service (a crash in between): send it now.
        await this.send(execution, task, invocation, now);
      } else {
        this.end(invocation, 'TIMED_OUT', 'Not started: the window reached its cutoff', now);
      }
      // Written only when it changed: a tick a second must not rewrite every running invocation.
      if (`${invocation.Status}/${invocation.StatusDetails}` !== before) await this.service.invocations.put(invocation.InvocationId, invocation);
    }

    // 2. The cutoff: CANCEL_TASK cancels the running commands and starts nothing more.
    if (pastCutoff && task.CutoffBehavior === 'CANCEL_TASK' && task.cutoffCancelledAt === undefined) {
      task = { ...task, cutoffCancelledAt: now.toISOString() };
      await this.service.taskExecutions.put(taskExecutionId, task);
      for (const invocation of invocations) {
        if (invocation.ExecutionId === undefined || isFinal(invocation.Status)) continue;
        await this.commands.cancelCommand(invocation.ExecutionId).catch((error: unknown) => {
          if (!(error instanceof ApiError && error.code === 'InvalidCommandId')) throw error;
        });
        const command = await this.commands.getCommand(invocation.ExecutionId);
        if (command) this.follow(invocation, command, now);
        await this.service.invocations.put(invocation.InvocationId, invocation);
      }
      this.logger.info({ windowExecutionId: execution.WindowExecutionId, taskExecutionId }, 'cutoff reached: CANCEL_TASK cancelled the task\'s running commands');
    }

    // 3. Start invocations while the rate controls, the cutoff and the window allow.
    const errors = invocations.filter((i) => countsAsError(i.Status)).length;
    const stopReason =
      task.cutoffCancelledAt !== undefined
        ? { status: 'TIMED_OUT' as const, why: 'Not started: the window reached its cutoff (CANCEL_TASK)' }
        : pastEnd
          ? { status: 'TIMED_OUT' as const, why: 'Not started: the maintenance window ended' }
          : errors > task.maxErrors
            ? { status: 'CANCELLED' as const, why: `Not started: more than MaxErrors (${task.MaxErrors}) invocations failed` }
            : execution.cancelRequestedAt !== undefined
              ? { status: 'CANCELLED' as const, why: 'Not started: the execution was cancelled' }
              : undefined;
    let inFlight = invocations.filter((i) => i.ExecutionId !== undefined && !isFinal(i.Status)).length;
    for (const invocation of invocations) {
      if (invocation.ExecutionId !== undefined || isFinal(invocation.Status)) continue;
      if (stopReason) {
        this.end(invocation, stopReason.status, stopReason.why, now);
        await this.service.invocations.put(invocation.InvocationId, invocation);
        continue;
      }
      if (inFlight >= task.maxConcurrency) break;
      await this.send(execution, task, invocation, now);
      if (!isFinal(invocation.Status)) inFlight += 1;
    }

    // 4. Done when every invocation is final.
    if (invocations.some((i) => !isFinal(i.Status))) return task;
    const outcome = taskOutcome(task, invocations);
    task = { ...task, ...outcome, StatusDetails: details(outcome.StatusDetails), EndTime: now.toISOString() };
    await this.service.taskExecutions.put(taskExecutionId, task);
    this.logger.info({ windowExecutionId: execution.WindowExecutionId, taskExecutionId, status: task.Status }, 'maintenance window task finished');
    return task;
  }

  /** Record the command id, then send: the order that makes a restart find the command instead of resending it. */
  private async send(execution: WindowExecutionRecord, task: TaskExecutionRecord, invocation: TaskInvocationRecord, now: Date): Promise<void> {
    const values: PseudoParameterValues = {
      WINDOW_ID: execution.WindowId,
      WINDOW_TASK_ID: task.WindowTaskId,
      WINDOW_EXECUTION_ID: execution.WindowExecutionId,
      TASK_EXECUTION_ID: task.TaskExecutionId,
      RESOURCE_ID: invocation.resourceId,
      TARGET_ID: invocation.resourceId,
      RESOURCE_TYPE: 'INSTANCE',
      TARGET_TYPE: 'INSTANCE',
      WINDOW_TARGET_ID: invocation.WindowTargetId ?? '',
    };
    const run = task.RunCommand;
    const parameters = fillParameterMap(run.Parameters, values);
    const commandId = invocation.ExecutionId ?? stableId(invocation.InvocationId, 'command');
    const comment = fillPseudoParameters(run.Comment ?? `Maintenance window ${execution.WindowId} task ${task.WindowTaskId}`, values).slice(0, 100);
    if (invocation.ExecutionId === undefined) {
      invocation.ExecutionId = commandId;
      // SSM's Parameters of a RUN_COMMAND invocation: the SendCommand request it made, as JSON.
      invocation.Parameters = JSON.stringify({ comment, documentName: task.TaskArn, instanceIds: [invocation.resourceId], maxConcurrency: '1', maxErrors: '0', parameters, ...(run.TimeoutSeconds !== undefined ? { timeoutSeconds: run.TimeoutSeconds } : {}) });
      invocation.Status = 'IN_PROGRESS';
      invocation.StatusDetails = 'In progress';
      invocation.StartTime = now.toISOString();
      await this.service.invocations.put(invocation.InvocationId, invocation);
    }
    const input: Record<string, unknown> = {
      DocumentName: task.TaskArn,
      InstanceIds: [invocation.resourceId],
      Parameters: parameters,
      MaxConcurrency: '1',
      MaxErrors: '0',
      Comment: comment,
    };
    if (run.DocumentVersion !== undefined) input.DocumentVersion = run.DocumentVersion;
    if (run.DocumentHash !== undefined) input.DocumentHash = run.DocumentHash;
    if (run.DocumentHashType !== undefined) input.DocumentHashType = run.DocumentHashType;
    if (run.TimeoutSeconds !== undefined) input.TimeoutSeconds = run.TimeoutSeconds;
    try {
      await this.commands.sendCommand(input, undefined, { commandId });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // The command could not be created (the document changed, a parameter is refused): this invocation fails.
      this.end(invocation, 'FAILED', `Run Command refused the task: ${error.code}: ${error.message}`, now);
      await this.service.invocations.put(invocation.InvocationId, invocation);
      return;
    }
    const command = await this.commands.getCommand(commandId);
    if (command) this.follow(invocation, command, now);
    await this.service.invocations.put(invocation.InvocationId, invocation);
  }

  private follow(invocation: TaskInvocationRecord, command: CommandRecord, now: Date): void {
    const status = invocationStatusOf(command);
    invocation.Status = status;
    invocation.StatusDetails = command.StatusDetails;
    if (isFinal(status)) invocation.EndTime = command.finishedAt ?? now.toISOString();
  }

  private end(invocation: TaskInvocationRecord, status: ExecutionStatus, why: string, now: Date): void {
    invocation.Status = status;
    invocation.StatusDetails = details(why);
    invocation.EndTime = now.toISOString();
  }
}

/** A task's final status from its invocations. */
function taskOutcome(task: TaskExecutionRecord, invocations: readonly TaskInvocationRecord[]): { Status: ExecutionStatus; StatusDetails: string } {
  const count = (status: ExecutionStatus) => invocations.filter((i) => i.Status === status).length;
  const summary = `${count('SUCCESS')} succeeded, ${count('FAILED')} failed, ${count('TIMED_OUT')} timed out, ${count('CANCELLED')} cancelled, of ${invocations.length}`;
  if (task.cutoffCancelledAt !== undefined && count('SUCCESS') < invocations.length) return { Status: 'TIMED_OUT', StatusDetails: `Cancelled at the cutoff (CANCEL_TASK): ${summary}` };
  if (invocations.length > 0 && count('SUCCESS') === invocations.length) return { Status: 'SUCCESS', StatusDetails: `Success: ${summary}` };
  if (count('TIMED_OUT') > 0) return { Status: 'TIMED_OUT', StatusDetails: `Timed out: ${summary}` };
  if (count('FAILED') > 0) return { Status: 'FAILED', StatusDetails: `Failed: ${summary}` };
  return { Status: 'CANCELLED', StatusDetails: `Cancelled: ${summary}` };
}

/** The execution's final status from its tasks and the tasks it did not start. */
function executionOutcome(execution: WindowExecutionRecord, tasks: readonly TaskExecutionRecord[]): { Status: ExecutionStatus; StatusDetails: string } {
  const notStarted = execution.plan.filter((planned) => planned.notStarted !== undefined);
  const skipped = notStarted.length > 0 ? ` Tasks not started (${notStarted[0]!.notStarted}): ${notStarted.map((p) => p.WindowTaskId).join(', ')}.` : '';
  if (execution.cancelRequestedAt !== undefined) return { Status: 'CANCELLED', StatusDetails: `Cancelled.${skipped}` };
  if (tasks.length === 0 && notStarted.length === 0) return { Status: 'SUCCESS', StatusDetails: 'No tasks to run' };
  if (tasks.some((t) => t.Status === 'TIMED_OUT') || notStarted.length > 0) return { Status: 'TIMED_OUT', StatusDetails: `One or more tasks did not finish within the window.${skipped}` };
  if (tasks.some((t) => t.Status === 'FAILED')) return { Status: 'FAILED', StatusDetails: 'One or more tasks in the orchestration failed.' };
  if (tasks.some((t) => t.Status === 'CANCELLED')) return { Status: 'CANCELLED', StatusDetails: 'One or more tasks were cancelled.' };
  return { Status: 'SUCCESS', StatusDetails: 'Success' };
}
