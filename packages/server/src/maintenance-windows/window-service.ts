/**
 * Maintenance windows, their targets and tasks: the definitions the API creates, changes and lists. Every check
 * runs before the one write, so bad input leaves nothing behind. Running windows is the scheduler's
 * (window-scheduler.ts); the history it writes is read here too (executions, task executions, invocations).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../api/errors.js';
import { byKey, byNewestFirst, type SortKey, type TimePosition } from '../api/pagination.js';
import type { Input } from '../api/operation.js';
import { optionalString } from '../api/validate.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { matchesAllTargets } from '../instances/instance-targets.js';
import type { DeepReadonly, Store, Table } from '../store/store.js';
import { completeTask, parseTaskFields } from './task-input.js';
import { parseTaskTargets, parseWindowTargets } from './target-input.js';
import { doesNotExist, idempotentMismatch, invalidInput, resourceLimitExceeded, targetInUse } from './window-errors.js';
import { NAME, optionalBoolean, parseCreateWindow, parseUpdateWindow } from './window-input.js';
import {
  TASK_EXECUTIONS_TABLE,
  TASK_INVOCATIONS_TABLE,
  WINDOW_EXECUTIONS_TABLE,
  WINDOW_TARGETS_TABLE,
  WINDOW_TASKS_TABLE,
  WINDOWS_TABLE,
  type Target,
  type TaskExecutionRecord,
  type TaskInvocationRecord,
  type WindowExecutionRecord,
  type WindowRecord,
  type WindowTargetRecord,
  type WindowTaskRecord,
} from './window-records.js';
import { windowRuns } from './window-schedule.js';

/** Where an execution stands in DescribeMaintenanceWindowExecutions. */
export function windowExecutionPosition(execution: { readonly StartTime: string; readonly WindowExecutionId: string }): TimePosition {
  return { t: execution.StartTime, id: execution.WindowExecutionId };
}

// The orders the Describe operations list in (NextToken holds the last item shown): windows, targets and tasks oldest
// first, task executions as they started, by priority on a tie.
export const windowOrder = (window: WindowRecord): SortKey => [window.CreatedDate, window.WindowId];
export const targetOrder = (target: WindowTargetRecord): SortKey => [target.registeredAt, target.WindowTargetId];
export const taskOrder = (task: WindowTaskRecord): SortKey => [task.registeredAt, task.WindowTaskId];
export const taskExecutionOrder = (task: TaskExecutionRecord): SortKey => [task.StartTime, task.Priority, task.TaskExecutionId];

/** SSM's quotas (Systems Manager service quotas): windows per account and region, targets and tasks per window. */
export const WINDOW_LIMITS = { windows: 50, targetsPerWindow: 100, tasksPerWindow: 20 };

/** The documents service's resolve: InvalidDocument / InvalidDocumentVersion for what does not exist. */
export type ResolveTaskDocument = (name: string, version?: string) => Promise<unknown>;

export interface WindowServiceOptions {
  store: Store;
  resolveDocument: ResolveTaskDocument;
  /** The instance registry's records: who a target takes in now. */
  instances: () => readonly InstanceRecord[];
  now: () => Date;
  limits?: Partial<typeof WINDOW_LIMITS>;
}

/** A managed instance a task runs on, and the window target that brought it in. */
export interface ResolvedTarget {
  instanceId: string;
  windowTargetId?: string;
  ownerInformation?: string;
}

export class WindowService {
  readonly windows: Table<WindowRecord>;
  readonly targets: Table<WindowTargetRecord>;
  readonly tasks: Table<WindowTaskRecord>;
  readonly executions: Table<WindowExecutionRecord>;
  readonly taskExecutions: Table<TaskExecutionRecord>;
  readonly invocations: Table<TaskInvocationRecord>;
  private readonly limits: typeof WINDOW_LIMITS;

  constructor(private readonly options: WindowServiceOptions) {
    const { store } = options;
    this.windows = store.table(WINDOWS_TABLE);
    this.targets = store.table(WINDOW_TARGETS_TABLE);
    this.tasks = store.table(WINDOW_TASKS_TABLE);
    this.executions = store.table(WINDOW_EXECUTIONS_TABLE);
    this.taskExecutions = store.table(TASK_EXECUTIONS_TABLE);
    this.invocations = store.table(TASK_INVOCATIONS_TABLE);
    this.limits = { ...WINDOW_LIMITS, ...options.limits };
  }

  now(): Date {
    return this.options.now();
  }

  // ---- windows --------------------------------------------------------------------------------------------

  async createWindow(input: Input): Promise<WindowRecord> {
    const now = this.now();
    const { settings, tags, clientToken } = parseCreateWindow(input, now);
    const all = await this.windows.list();
    if (clientToken !== undefined) {
      const earlier = all.find((window) => window.clientToken === clientToken);
      if (earlier) {
        const { WindowId: _i, Tags, CreatedDate: _c, ModifiedDate: _m, clientToken: _t, scheduleSince: _s, ...kept } = earlier;
        if (isDeepStrictEqual(kept, settings) && isDeepStrictEqual(Tags, tags)) return earlier;
        throw idempotentMismatch(clientToken);
      }
    }
    if (all.length >= this.limits.windows) throw resourceLimitExceeded(`You can have at most ${this.limits.windows} maintenance windows; delete one first`);
    const at = now.toISOString();
    const record: WindowRecord = { ...settings, WindowId: `mw-${randomBytes(9).toString('hex').slice(0, 17)}`, Tags: tags, CreatedDate: at, ModifiedDate: at, scheduleSince: at };
    if (clientToken !== undefined) record.clientToken = clientToken;
    if (!(await this.windows.insert(record.WindowId, record))) throw new ApiError('InternalServerError', 'window id collision; try again', 500);
    return record;
  }

  async getWindow(windowId: string): Promise<WindowRecord> {
    const record = await this.windows.get(windowId);
    if (!record) throw doesNotExist(`Maintenance window ${windowId} does not exist`);
    return record;
  }

  async updateWindow(windowId: string, input: Input): Promise<WindowRecord> {
    const current = await this.getWindow(windowId);
    const now = this.now();
    const { settings, scheduleChanged } = parseUpdateWindow(input, current, now);
    const at = now.toISOString();
    const updated = await this.windows.update(windowId, (record) => {
      if (!record) throw doesNotExist(`Maintenance window ${windowId} does not exist`);
      const next: WindowRecord = { ...settings, WindowId: record.WindowId, Tags: record.Tags, CreatedDate: record.CreatedDate, ModifiedDate: at, scheduleSince: scheduleChanged ? at : record.scheduleSince };
      if (record.clientToken !== undefined) next.clientToken = record.clientToken;
      return next;
    });
    return updated!;
  }

  /** DeleteMaintenanceWindow: the window, its targets and tasks (its execution history stays readable). */
  async deleteWindow(windowId: string): Promise<void> {
    await this.getWindow(windowId);
    for (const task of await this.tasksOf(windowId)) await this.tasks.delete(task.WindowTaskId);
    for (const target of await this.targetsOf(windowId)) await this.targets.delete(target.WindowTargetId);
    await this.windows.delete(windowId);
  }

  /** Every window, oldest first. */
  async listWindows(): Promise<WindowRecord[]> {
    return (await this.windows.list()).sort(byKey(windowOrder));
  }

  /** The next time an enabled window runs after now, or undefined. */
  nextExecutionTime(window: WindowRecord, after = this.now()): Date | undefined {
    if (!window.Enabled) return undefined;
    return windowRuns(window, after, 1)[0];
  }

  // ---- targets --------------------------------------------------------------------------------------------

  async registerTarget(windowId: string, input: Input): Promise<WindowTargetRecord> {
    const window = await this.getWindow(windowId);
    const resourceType = optionalString(input, 'ResourceType');
    if (resourceType === undefined) throw invalidInput("1 validation error detected: Value null at 'resourceType' failed to satisfy constraint: Member must not be null");
    if (resourceType === 'RESOURCE_GROUP') throw invalidInput('RESOURCE_GROUP targets need AWS Resource Groups, which Tender does not have; register ResourceType INSTANCE with instance ids or tags');
    if (resourceType !== 'INSTANCE') throw invalidInput(`1 validation error detected: Value '${resourceType}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [INSTANCE, RESOURCE_GROUP]`);
    const targets = parseWindowTargets(input.Targets);
    const details = targetDetails(input);
    const clientToken = optionalString(input, 'ClientToken', { min: 1, max: 64 });
    const existing = await this.targetsOf(windowId);
    if (clientToken !== undefined) {
      const earlier = existing.find((target) => target.clientToken === clientToken);
      if (earlier) {
        if (isDeepStrictEqual(earlier.Targets, targets) && earlier.Name === details.Name && earlier.OwnerInformation === details.OwnerInformation && earlier.Description === details.Description) return earlier;
        throw idempotentMismatch(clientToken);
      }
    }
    if (existing.length >= this.limits.targetsPerWindow) throw resourceLimitExceeded(`Maintenance window ${window.WindowId} already has ${existing.length} targets; the limit is ${this.limits.targetsPerWindow}`);
    const record: WindowTargetRecord = { WindowId: windowId, WindowTargetId: randomUUID(), ResourceType: 'INSTANCE', Targets: targets, ...details, registeredAt: this.now().toISOString() };
    if (clientToken !== undefined) record.clientToken = clientToken;
    await this.targets.insert(record.WindowTargetId, record);
    return record;
  }

  async getTarget(windowId: string, windowTargetId: string): Promise<WindowTargetRecord> {
    await this.getWindow(windowId);
    const record = await this.targets.get(windowTargetId);
    if (!record || record.WindowId !== windowId) throw doesNotExist(`Maintenance window ${windowId} has no target ${windowTargetId}`);
    return record;
  }

  async updateTarget(windowId: string, windowTargetId: string, input: Input): Promise<WindowTargetRecord> {
    const current = await this.getTarget(windowId, windowTargetId);
    const replace = optionalBoolean(input, 'Replace') ?? false;
    const targets = input.Targets === undefined || input.Targets === null ? undefined : parseWindowTargets(input.Targets);
    if (replace && targets === undefined) throw invalidInput('With Replace, Targets must be given: Replace clears what is not given');
    const details = targetDetails(input);
    const next: WindowTargetRecord = replace
      ? { WindowId: windowId, WindowTargetId: windowTargetId, ResourceType: 'INSTANCE', Targets: targets!, ...details, registeredAt: current.registeredAt }
      : { ...current, ...details, Targets: targets ?? current.Targets };
    await this.targets.put(windowTargetId, next);
    return next;
  }

  /** DeregisterTargetFromMaintenanceWindow. With Safe, a target a task still names is refused (TargetInUseException). */
  async deregisterTarget(windowId: string, windowTargetId: string, safe: boolean): Promise<void> {
    await this.getTarget(windowId, windowTargetId);
    const users = (await this.tasksOf(windowId)).filter((task) => task.Targets.some((t) => t.Key === 'WindowTargetIds' && t.Values.includes(windowTargetId)));
    if (safe && users.length > 0) {
      throw targetInUse(`Target ${windowTargetId} is used by tasks [${users.map((task) => task.WindowTaskId).join(', ')}]: deregister or update them first, or deregister without Safe`);
    }
    for (const task of users) {
      const targets = task.Targets.map((t) => (t.Key === 'WindowTargetIds' ? { ...t, Values: t.Values.filter((id) => id !== windowTargetId) } : t)).filter((t) => t.Values.length > 0);
      await this.tasks.put(task.WindowTaskId, { ...task, Targets: targets });
    }
    await this.targets.delete(windowTargetId);
  }

  async targetsOf(windowId: string): Promise<WindowTargetRecord[]> {
    return (await this.targets.list()).filter((t) => t.WindowId === windowId).sort(byKey(targetOrder));
  }

  // ---- tasks ----------------------------------------------------------------------------------------------

  async registerTask(windowId: string, input: Input): Promise<WindowTaskRecord> {
    const window = await this.getWindow(windowId);
    const fields = completeTask(parseTaskFields(input, { requireType: true }));
    const targets = parseTaskTargets(input.Targets, window, await this.targetsOf(windowId));
    await this.checkDocument(fields.TaskArn, fields.RunCommand.DocumentVersion);
    const clientToken = optionalString(input, 'ClientToken', { min: 1, max: 64 });
    const existing = await this.tasksOf(windowId);
    if (clientToken !== undefined) {
      const earlier = existing.find((task) => task.clientToken === clientToken);
      if (earlier) {
        const { WindowId: _w, WindowTaskId: _i, registeredAt: _r, clientToken: _c, Targets, ...kept } = earlier;
        if (isDeepStrictEqual(kept, fields) && isDeepStrictEqual(Targets, targets)) return earlier;
        throw idempotentMismatch(clientToken);
      }
    }
    if (existing.length >= this.limits.tasksPerWindow) throw resourceLimitExceeded(`Maintenance window ${windowId} already has ${existing.length} tasks; the limit is ${this.limits.tasksPerWindow}`);
    const record: WindowTaskRecord = { ...fields, WindowId: windowId, WindowTaskId: randomUUID(), Targets: targets, registeredAt: this.now().toISOString() };
    if (clientToken !== undefined) record.clientToken = clientToken;
    await this.tasks.insert(record.WindowTaskId, record);
    return record;
  }

  async getTask(windowId: string, windowTaskId: string): Promise<WindowTaskRecord> {
    await this.getWindow(windowId);
    const record = await this.tasks.get(windowTaskId);
    if (!record || record.WindowId !== windowId) throw doesNotExist(`Maintenance window ${windowId} has no task ${windowTaskId}`);
    return record;
  }

  /** UpdateMaintenanceWindowTask: given fields replace the task's; with Replace, the rest go back to defaults. */
  async updateTask(windowId: string, windowTaskId: string, input: Input): Promise<WindowTaskRecord> {
    const window = await this.getWindow(windowId);
    const current = await this.getTask(windowId, windowTaskId);
    const fields = parseTaskFields(input, { requireType: false });
    const replace = optionalBoolean(input, 'Replace') ?? false;
    const { WindowId: _w, WindowTaskId: _i, registeredAt, clientToken, Targets: currentTargets, ...kept } = current;
    const merged = completeTask(replace ? { TaskType: 'RUN_COMMAND', ...fields } : { ...kept, ...fields });
    const targets = input.Targets === undefined || input.Targets === null ? (replace ? parseTaskTargets(undefined, window, []) : currentTargets) : parseTaskTargets(input.Targets, window, await this.targetsOf(windowId));
    if (fields.TaskArn !== undefined || fields.RunCommand?.DocumentVersion !== undefined) await this.checkDocument(merged.TaskArn, merged.RunCommand.DocumentVersion);
    const next: WindowTaskRecord = { ...merged, WindowId: windowId, WindowTaskId: windowTaskId, Targets: targets, registeredAt };
    if (clientToken !== undefined) next.clientToken = clientToken;
    await this.tasks.put(windowTaskId, next);
    return next;
  }

  async deregisterTask(windowId: string, windowTaskId: string): Promise<void> {
    await this.getTask(windowId, windowTaskId);
    await this.tasks.delete(windowTaskId);
  }

  async tasksOf(windowId: string): Promise<WindowTaskRecord[]> {
    return (await this.tasks.list()).filter((t) => t.WindowId === windowId).sort(byKey(taskOrder));
  }

  /** The document must exist (SSM's DoesNotExistException names it). */
  private async checkDocument(name: string, version: string | undefined): Promise<void> {
    try {
      await this.options.resolveDocument(name, version);
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'InvalidDocument' || error.code === 'InvalidDocumentVersion')) {
        throw doesNotExist(`TaskArn: ${error.message}`);
      }
      throw error;
    }
  }

  // ---- who a window or task runs on -----------------------------------------------------------------------

  /** The instances a task runs on now, each once, in a stable order (by window target, then instance id). */
  async resolveTaskTargets(task: Pick<WindowTaskRecord, 'WindowId' | 'Targets'>): Promise<ResolvedTarget[]> {
    const instances = [...this.options.instances()].sort((a, b) => a.InstanceId.localeCompare(b.InstanceId));
    const registered = await this.targetsOf(task.WindowId);
    const seen = new Set<string>();
    const resolved: ResolvedTarget[] = [];
    const add = (entry: ResolvedTarget) => {
      if (seen.has(entry.instanceId)) return;
      seen.add(entry.instanceId);
      resolved.push(entry);
    };
    for (const target of task.Targets) {
      if (target.Key === 'InstanceIds') {
        for (const id of target.Values) if (instances.some((i) => i.InstanceId === id)) add({ instanceId: id });
        continue;
      }
      for (const id of target.Values) {
        const windowTarget = registered.find((r) => r.WindowTargetId === id);
        if (!windowTarget) continue;
        for (const instance of instances) {
          if (!matchesAllTargets(windowTarget.Targets, instance)) continue;
          add({ instanceId: instance.InstanceId, windowTargetId: id, ...(windowTarget.OwnerInformation !== undefined ? { ownerInformation: windowTarget.OwnerInformation } : {}) });
        }
      }
    }
    return resolved;
  }

  /**
   * DescribeMaintenanceWindowsForTarget: the windows with a registered target that takes in these instances (by
   * InstanceIds) or that names these tags (by tag:<key>).
   */
  async windowsForTargets(lookup: readonly Target[]): Promise<WindowRecord[]> {
    const instances = this.options.instances();
    const windows = await this.listWindows();
    const targets = await this.targets.list();
    return windows.filter((window) =>
      targets.some((registered) => {
        if (registered.WindowId !== window.WindowId) return false;
        return lookup.some((asked) => {
          if (asked.Key === 'InstanceIds') {
            return asked.Values.some((id) => {
              const instance = instances.find((i) => i.InstanceId === id);
              return instance ? matchesAllTargets(registered.Targets, instance) : registered.Targets.some((t) => t.Key === 'InstanceIds' && t.Values.includes(id));
            });
          }
          if (asked.Key.startsWith('tag:')) {
            return registered.Targets.some((t) => t.Key === asked.Key && t.Values.some((v) => asked.Values.includes(v)));
          }
          return false;
        });
      }),
    );
  }

  /** Whether a window could run on instances matching these lookup targets (DescribeMaintenanceWindowSchedule's Targets). */
  async windowTouches(windowId: string, lookup: readonly Target[]): Promise<boolean> {
    const window = await this.getWindow(windowId);
    return (await this.windowsForTargets(lookup)).some((w) => w.WindowId === window.WindowId);
  }

  // ---- history --------------------------------------------------------------------------------------------

  async getExecution(windowExecutionId: string): Promise<WindowExecutionRecord> {
    const record = await this.executions.get(windowExecutionId);
    if (!record) throw doesNotExist(`Maintenance window execution ${windowExecutionId} does not exist`);
    return record;
  }

  /** A window's executions, newest first (by StartTime, ties by id); shared (the table holds every window's history): to read, not to change. */
  async executionsOf(windowId: string): Promise<Array<DeepReadonly<WindowExecutionRecord>>> {
    return (await this.executions.readAll()).filter((e) => e.WindowId === windowId).sort(byNewestFirst(windowExecutionPosition));
  }

  /** An execution's task executions, in the order they started (the execution's plan names them). */
  async taskExecutionsOf(windowExecutionId: string): Promise<TaskExecutionRecord[]> {
    const execution = await this.getExecution(windowExecutionId);
    const found: TaskExecutionRecord[] = [];
    for (const planned of execution.plan) {
      const task = planned.TaskExecutionId === undefined ? undefined : await this.taskExecutions.get(planned.TaskExecutionId);
      if (task) found.push(task);
    }
    return found.sort(byKey(taskExecutionOrder));
  }

  async getTaskExecution(windowExecutionId: string, taskExecutionId: string): Promise<TaskExecutionRecord> {
    await this.getExecution(windowExecutionId);
    const record = await this.taskExecutions.get(taskExecutionId);
    if (!record || record.WindowExecutionId !== windowExecutionId) throw doesNotExist(`Maintenance window execution ${windowExecutionId} has no task execution ${taskExecutionId}`);
    return record;
  }

  async invocationsOf(windowExecutionId: string, taskExecutionId: string): Promise<TaskInvocationRecord[]> {
    const task = await this.getTaskExecution(windowExecutionId, taskExecutionId);
    return this.invocationsByIds(task.invocationIds);
  }

  /** A task execution's invocations by id, in start order (the caller's own copies). */
  async invocationsByIds(ids: readonly string[]): Promise<TaskInvocationRecord[]> {
    const found: TaskInvocationRecord[] = [];
    for (const id of ids) {
      const invocation = await this.invocations.get(id);
      if (invocation) found.push(invocation);
    }
    return found.sort((a, b) => a.seq - b.seq);
  }

  async getInvocation(windowExecutionId: string, taskExecutionId: string, invocationId: string): Promise<TaskInvocationRecord> {
    await this.getTaskExecution(windowExecutionId, taskExecutionId);
    const record = await this.invocations.get(invocationId);
    if (!record || record.TaskExecutionId !== taskExecutionId) throw doesNotExist(`Task execution ${taskExecutionId} has no invocation ${invocationId}`);
    return record;
  }
}

function targetDetails(input: Input): Pick<WindowTargetRecord, 'Name' | 'Description' | 'OwnerInformation'> {
  const details = {
    Name: optionalString(input, 'Name', { min: 3, max: 128, pattern: NAME }),
    Description: optionalString(input, 'Description', { min: 1, max: 128 }),
    OwnerInformation: optionalString(input, 'OwnerInformation', { min: 1, max: 128 }),
  };
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

