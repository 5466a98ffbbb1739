/**
 * The Maintenance Windows API: windows (Create/Update/Get/Delete/DescribeMaintenanceWindows, the schedule, the
 * windows of a target), their targets and tasks, their executions with tasks and invocations, and
 * CancelMaintenanceWindowExecution.
 */
import type { CallContext, Input, Operation } from '../api/operation.js';
import { ssmArn } from '../api/operation.js';
import { byKey, pageByKey, pageNewestFirst, type PaginateOptions, type SortKey } from '../api/pagination.js';
import { optionalInteger, optionalString, requiredString } from '../api/validate.js';
import { parseLookupTargets } from './target-input.js';
import { invalidInput } from './window-errors.js';
import { applyFilters, parseFilters } from './window-filters.js';
import { optionalBoolean, UUID_ID, WINDOW_ID } from './window-input.js';
import { isFinal } from './window-records.js';
import type { WindowScheduler } from './window-scheduler.js';
import { windowRuns, formatRunTime } from './window-schedule.js';
import { targetOrder, taskExecutionOrder, taskOrder, windowExecutionPosition, windowOrder, type WindowService } from './window-service.js';
import { executionView, invocationView, targetView, taskExecutionIdentity, taskExecutionView, taskSummaryView, taskView, windowIdentity, windowSettingsView, windowView } from './window-views.js';

/** MaintenanceWindowMaxResults: 10-100. */
const PAGE = { defaultMax: 50, min: 10, max: 100 };
/** MaintenanceWindowSearchMaxResults: at least 1 (the model sets no maximum; Tender caps a page at 1,000). */
const SEARCH_PAGE = { defaultMax: 50, min: 1, max: 1000 };
/** How far ahead DescribeMaintenanceWindowSchedule looks per window. */
const SCHEDULE_RUNS_PER_WINDOW = 100;

const windowId = (input: Input) => requiredString(input, 'WindowId', { min: 20, max: 20, pattern: WINDOW_ID });
const uuid = (input: Input, field: string) => requiredString(input, field, { min: 36, max: 36, pattern: UUID_ID });
/** The schedule's order: by time, then by window. */
const runOrder = ({ window, run }: { window: { WindowId: string }; run: Date }): SortKey => [run.getTime(), window.WindowId];

/** The caller's MaxResults and NextToken, with the operation's page bounds. */
function pageOptions(input: Input, operation: string, limits = PAGE): PaginateOptions {
  return { operation, ...limits, maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken') };
}

/** A page of a listing sorted by `keyOf`, from just after the last item shown: one added or removed between pages repeats none and hides none. */
function page<T>(items: readonly T[], keyOf: (item: T) => SortKey, input: Input, operation: string, limits = PAGE) {
  return pageByKey(items, keyOf, pageOptions(input, operation, limits));
}

function resourceType(input: Input): void {
  const type = requiredString(input, 'ResourceType');
  if (type === 'RESOURCE_GROUP') throw invalidInput('RESOURCE_GROUP needs AWS Resource Groups, which Tender does not have; use INSTANCE');
  if (type !== 'INSTANCE') throw invalidInput(`1 validation error detected: Value '${type}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [INSTANCE, RESOURCE_GROUP]`);
}

export function maintenanceWindowOperations(service: WindowService, scheduler: Pick<WindowScheduler, 'cancel' | 'advance'>): Operation[] {
  const windowArn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) =>
    typeof input.WindowId === 'string' ? [ssmArn(context, `maintenancewindow/${input.WindowId}`)] : ['*'];
  const op = (name: string, handle: (input: Input) => Promise<unknown>, byWindow = true): Operation => ({
    service: 'AmazonSSM',
    name,
    ...(byWindow ? { resources: windowArn } : {}),
    handle: (input) => handle(input),
  });
  const executionOf = async (input: Input) => service.getExecution(uuid(input, 'WindowExecutionId'));

  return [
    op('CreateMaintenanceWindow', async (input) => ({ WindowId: (await service.createWindow(input)).WindowId }), false),
    op('UpdateMaintenanceWindow', async (input) => windowSettingsView(await service.updateWindow(windowId(input), input))),
    op('GetMaintenanceWindow', async (input) => {
      const window = await service.getWindow(windowId(input));
      return windowView(window, service.nextExecutionTime(window));
    }),
    op('DeleteMaintenanceWindow', async (input) => {
      const id = windowId(input);
      // SSM answers DeleteMaintenanceWindow for an unknown id with success (its only modelled error is internal).
      await service.deleteWindow(id).catch((error: unknown) => {
        if (!(error instanceof Error && 'code' in error && error.code === 'DoesNotExistException')) throw error;
      });
      return { WindowId: id };
    }),
    op(
      'DescribeMaintenanceWindows',
      async (input) => {
        const filters = parseFilters(input.Filters, ['Name', 'Enabled']);
        const windows = applyFilters(await service.listWindows(), filters, (window, key) => (key === 'Name' ? window.Name : String(window.Enabled)));
        const { page: shown, nextToken } = await page(windows, windowOrder, input, 'DescribeMaintenanceWindows');
        return { WindowIdentities: shown.map((window) => windowIdentity(window, service.nextExecutionTime(window))), NextToken: nextToken };
      },
      false,
    ),
    op(
      'DescribeMaintenanceWindowSchedule',
      async (input) => {
        const id = optionalString(input, 'WindowId', { min: 20, max: 20, pattern: WINDOW_ID });
        const targets = input.Targets === undefined || input.Targets === null ? [] : parseLookupTargets(input.Targets);
        if (input.ResourceType !== undefined) resourceType(input);
        if (Array.isArray(input.Filters) && input.Filters.length > 0) throw invalidInput('DescribeMaintenanceWindowSchedule takes no Filters in Tender; narrow by WindowId or Targets');
        if (id === undefined && targets.length === 0) throw invalidInput('Give a WindowId or Targets: the schedule of which window(s)?');
        let windows = id !== undefined ? [await service.getWindow(id)] : await service.listWindows();
        if (targets.length > 0) {
          const touching = new Set((await service.windowsForTargets(targets)).map((w) => w.WindowId));
          windows = windows.filter((window) => touching.has(window.WindowId));
        }
        const now = service.now();
        const runs = windows
          .filter((window) => window.Enabled)
          .flatMap((window) => windowRuns(window, now, SCHEDULE_RUNS_PER_WINDOW).map((run) => ({ window, run })))
          .sort(byKey(runOrder));
        // From just after the last run shown: the runs that passed between pages leave the list without hiding others.
        const { page: shown, nextToken } = await page(runs, runOrder, input, 'DescribeMaintenanceWindowSchedule', SEARCH_PAGE);
        return {
          ScheduledWindowExecutions: shown.map(({ window, run }) => ({ WindowId: window.WindowId, Name: window.Name, ExecutionTime: formatRunTime(run, window.ScheduleTimezone) })),
          NextToken: nextToken,
        };
      },
      false,
    ),
    op(
      'DescribeMaintenanceWindowsForTarget',
      async (input) => {
        resourceType(input);
        const targets = parseLookupTargets(input.Targets);
        if (targets.length === 0) throw invalidInput('Targets must name at least one target: Key=InstanceIds or Key=tag:<name>');
        const windows = await service.windowsForTargets(targets);
        const { page: shown, nextToken } = await page(windows, windowOrder, input, 'DescribeMaintenanceWindowsForTarget', SEARCH_PAGE);
        return { WindowIdentities: shown.map((window) => ({ WindowId: window.WindowId, Name: window.Name })), NextToken: nextToken };
      },
      false,
    ),

    // ---- targets
    op('RegisterTargetWithMaintenanceWindow', async (input) => ({ WindowTargetId: (await service.registerTarget(windowId(input), input)).WindowTargetId })),
    op('UpdateMaintenanceWindowTarget', async (input) => targetView(await service.updateTarget(windowId(input), uuid(input, 'WindowTargetId'), input))),
    op('DeregisterTargetFromMaintenanceWindow', async (input) => {
      const id = windowId(input);
      const targetId = uuid(input, 'WindowTargetId');
      await service.deregisterTarget(id, targetId, optionalBoolean(input, 'Safe') ?? false);
      return { WindowId: id, WindowTargetId: targetId };
    }),
    op('DescribeMaintenanceWindowTargets', async (input) => {
      const id = windowId(input);
      await service.getWindow(id);
      const filters = parseFilters(input.Filters, ['WindowTargetId', 'OwnerInformation', 'Name']);
      const targets = applyFilters(await service.targetsOf(id), filters, (target, key) => (key === 'WindowTargetId' ? target.WindowTargetId : key === 'Name' ? target.Name : target.OwnerInformation));
      const { page: shown, nextToken } = await page(targets, targetOrder, input, 'DescribeMaintenanceWindowTargets');
      return { Targets: shown.map(targetView), NextToken: nextToken };
    }),

    // ---- tasks
    op('RegisterTaskWithMaintenanceWindow', async (input) => ({ WindowTaskId: (await service.registerTask(windowId(input), input)).WindowTaskId })),
    op('UpdateMaintenanceWindowTask', async (input) => taskView(await service.updateTask(windowId(input), uuid(input, 'WindowTaskId'), input))),
    op('GetMaintenanceWindowTask', async (input) => taskView(await service.getTask(windowId(input), uuid(input, 'WindowTaskId')))),
    op('DeregisterTaskFromMaintenanceWindow', async (input) => {
      const id = windowId(input);
      const taskId = uuid(input, 'WindowTaskId');
      await service.deregisterTask(id, taskId);
      return { WindowId: id, WindowTaskId: taskId };
    }),
    op('DescribeMaintenanceWindowTasks', async (input) => {
      const id = windowId(input);
      await service.getWindow(id);
      const filters = parseFilters(input.Filters, ['WindowTaskId', 'TaskArn', 'Priority', 'TaskType']);
      const tasks = applyFilters(await service.tasksOf(id), filters, (task, key) =>
        key === 'WindowTaskId' ? task.WindowTaskId : key === 'TaskArn' ? task.TaskArn : key === 'Priority' ? String(task.Priority) : task.TaskType,
      );
      const { page: shown, nextToken } = await page(tasks, taskOrder, input, 'DescribeMaintenanceWindowTasks');
      return { Tasks: shown.map(taskSummaryView), NextToken: nextToken };
    }),

    // ---- executions
    op('DescribeMaintenanceWindowExecutions', async (input) => {
      const id = windowId(input);
      const filters = parseFilters(input.Filters, ['ExecutedBefore', 'ExecutedAfter']);
      const bound = (key: string) => {
        const value = filters.find((f) => f.Key === key)?.Values[0];
        if (value === undefined) return undefined;
        const ms = Date.parse(value);
        if (Number.isNaN(ms)) throw invalidInput(`Filter ${key} takes an ISO 8601 date and time, not ${JSON.stringify(value)}`);
        return ms;
      };
      const before = bound('ExecutedBefore');
      const after = bound('ExecutedAfter');
      const executions = (await service.executionsOf(id)).filter((e) => (before === undefined || Date.parse(e.StartTime) < before) && (after === undefined || Date.parse(e.StartTime) > after));
      // From just after the last execution shown: one that starts between pages repeats none.
      const { page: shown, nextToken } = await pageNewestFirst(executions, windowExecutionPosition, pageOptions(input, 'DescribeMaintenanceWindowExecutions'));
      return { WindowExecutions: shown.map(executionView), NextToken: nextToken };
    }),
    op(
      'GetMaintenanceWindowExecution',
      async (input) => {
        const execution = await executionOf(input);
        const { WindowId: _w, ...view } = executionView(execution);
        return { ...view, TaskIds: execution.plan.flatMap((planned) => (planned.TaskExecutionId ? [planned.TaskExecutionId] : [])) };
      },
      false,
    ),
    op(
      'DescribeMaintenanceWindowExecutionTasks',
      async (input) => {
        const execution = await executionOf(input);
        const filters = parseFilters(input.Filters, ['Status']);
        const tasks = applyFilters(await service.taskExecutionsOf(execution.WindowExecutionId), filters, (task) => task.Status);
        const { page: shown, nextToken } = await page(tasks, taskExecutionOrder, input, 'DescribeMaintenanceWindowExecutionTasks');
        return { WindowExecutionTaskIdentities: shown.map(taskExecutionIdentity), NextToken: nextToken };
      },
      false,
    ),
    op('GetMaintenanceWindowExecutionTask', async (input) => taskExecutionView(await service.getTaskExecution(uuid(input, 'WindowExecutionId'), uuid(input, 'TaskId'))), false),
    op(
      'DescribeMaintenanceWindowExecutionTaskInvocations',
      async (input) => {
        const filters = parseFilters(input.Filters, ['Status']);
        const invocations = applyFilters(await service.invocationsOf(uuid(input, 'WindowExecutionId'), uuid(input, 'TaskId')), filters, (invocation) => invocation.Status);
        const { page: shown, nextToken } = await page(invocations, (invocation) => invocation.seq, input, 'DescribeMaintenanceWindowExecutionTaskInvocations');
        return { WindowExecutionTaskInvocationIdentities: shown.map(invocationView), NextToken: nextToken };
      },
      false,
    ),
    op('GetMaintenanceWindowExecutionTaskInvocation', async (input) => invocationView(await service.getInvocation(uuid(input, 'WindowExecutionId'), uuid(input, 'TaskId'), uuid(input, 'InvocationId'))), false),
    op(
      'CancelMaintenanceWindowExecution',
      async (input) => {
        const execution = await executionOf(input);
        // An execution that has finished is left as it is (cancelling it again changes nothing).
        if (isFinal(execution.Status)) return { WindowExecutionId: execution.WindowExecutionId };
        await scheduler.cancel(execution.WindowExecutionId);
        await scheduler.advance(execution.WindowExecutionId);
        return { WindowExecutionId: execution.WindowExecutionId };
      },
      false,
    ),
  ];
}
