/**
 * Records to SSM's response shapes: Command (SendCommand, ListCommands), CommandInvocation and CommandPlugin
 * (ListCommandInvocations) and GetCommandInvocation's result. Timestamps are epoch seconds on the wire
 * (AWS JSON 1.1) except GetCommandInvocation's Execution* fields, which SSM's model types as ISO 8601 strings.
 */
import type { StepResultBody } from '@tender/protocol';
import { epochSeconds } from '../api/wire-format.js';
import type { DeepReadonly } from '../store/store.js';
import type { CommandRecord, DocumentStepRef, InvocationRecord, InvocationStatus } from './command-records.js';
import { isTerminalInvocation } from './command-records.js';
import type { OutputStream } from '@tender/protocol';
import { elapsedTime, isoTime, pluginOutput } from './plugin-output.js';

export const STANDARD_OUTPUT_CONTENT_CHARS = 24_000;
export const STANDARD_ERROR_CONTENT_CHARS = 8_000;

const EMPTY_NOTIFICATION = { NotificationArn: '', NotificationEvents: [] as string[], NotificationType: '' };
const NO_CLOUDWATCH = { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false };

export function describeCommand(record: DeepReadonly<CommandRecord>) {
  return {
    CommandId: record.CommandId,
    DocumentName: record.DocumentName,
    DocumentVersion: record.DocumentVersion,
    Comment: record.Comment,
    ExpiresAfter: epochSeconds(record.ExpiresAfter),
    Parameters: record.Parameters,
    InstanceIds: record.InstanceIds,
    Targets: record.Targets,
    RequestedDateTime: epochSeconds(record.RequestedDateTime),
    Status: record.Status,
    StatusDetails: record.StatusDetails,
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    MaxConcurrency: record.MaxConcurrency,
    MaxErrors: record.MaxErrors,
    TargetCount: record.TargetCount,
    CompletedCount: record.CompletedCount,
    ErrorCount: record.ErrorCount,
    DeliveryTimedOutCount: record.DeliveryTimedOutCount,
    ServiceRole: '',
    NotificationConfig: EMPTY_NOTIFICATION,
    CloudWatchOutputConfig: NO_CLOUDWATCH,
    TimeoutSeconds: record.TimeoutSeconds,
  };
}

/** What one plugin (document step) of an invocation looks like now. */
export interface PluginState {
  name: string;
  /** A CommandInvocationStatus (GetCommandInvocation); pluginStatus() narrows it for CommandPlugin. */
  status: InvocationStatus;
  statusDetails: string;
  responseCode: number;
  startedAt?: string;
  endedAt?: string;
  stdout: string;
  stderr: string;
  /** The step reached a final state: its full output can be asked for. */
  finished: boolean;
}

const PLUGIN_STATUSES: ReadonlySet<string> = new Set(['Pending', 'InProgress', 'Success', 'TimedOut', 'Cancelled', 'Failed']);

function reportedState(step: StepResultBody): Pick<PluginState, 'status' | 'statusDetails'> {
  if (PLUGIN_STATUSES.has(step.status)) return { status: step.status as InvocationStatus, statusDetails: step.statusDetails ?? step.status };
  // SSM reports a step skipped by its precondition as a success whose detail says so.
  if (step.status === 'Skipped') return { status: 'Success', statusDetails: step.statusDetails ?? 'Skipped' };
  return { status: 'Failed', statusDetails: step.statusDetails ?? `Failed: ${step.status}`.slice(0, 100) };
}

/** The state of `ref` in `invocation`; a step the agent has not reported takes the invocation's state. */
export function pluginState(invocation: DeepReadonly<InvocationRecord>, ref: DeepReadonly<DocumentStepRef>): PluginState {
  const reported = invocation.steps.find((step) => step.name === ref.name);
  if (reported) {
    const { status, statusDetails } = reportedState(reported);
    const state: PluginState = {
      name: ref.name,
      status,
      statusDetails,
      responseCode: reported.responseCode,
      stdout: reported.stdout?.preview ?? '',
      stderr: reported.stderr?.preview ?? '',
      finished: isTerminalInvocation(status) || isTerminalInvocation(invocation.Status),
    };
    if (reported.startedAt !== undefined) state.startedAt = reported.startedAt;
    if (reported.endedAt !== undefined) state.endedAt = reported.endedAt;
    return state;
  }
  const terminal = isTerminalInvocation(invocation.Status);
  let status: InvocationStatus = invocation.Status;
  let statusDetails = invocation.StatusDetails;
  if (!terminal && (invocation.Status === 'InProgress' || invocation.Status === 'Cancelling') && invocation.steps.length > 0) {
    // Another step of this invocation is under way; this one has not started.
    status = 'Pending';
    statusDetails = 'Pending';
  }
  return { name: ref.name, status, statusDetails, responseCode: -1, stdout: '', stderr: '', finished: terminal };
}

/** CommandPluginStatus has no Delayed or Cancelling. */
function pluginStatus(status: InvocationStatus): string {
  if (status === 'Delayed') return 'Pending';
  if (status === 'Cancelling') return 'InProgress';
  return status;
}

export interface InvocationViewContext {
  instanceName(instanceId: string): string;
  /** The URL of a stream's full output, or '' when it cannot be asked for (yet). */
  outputUrl(invocation: DeepReadonly<InvocationRecord>, step: string, stream: OutputStream): string;
}

export function describeInvocation(command: DeepReadonly<CommandRecord>, invocation: DeepReadonly<InvocationRecord>, details: boolean, context: InvocationViewContext) {
  const plugins = command.steps.map((ref) => pluginState(invocation, ref));
  const urlOf = (state: PluginState, stream: OutputStream): string => (state.finished ? context.outputUrl(invocation, state.name, stream) : '');
  const only = plugins.length === 1 ? plugins[0] : undefined;
  const view: Record<string, unknown> = {
    CommandId: invocation.CommandId,
    InstanceId: invocation.InstanceId,
    InstanceName: context.instanceName(invocation.InstanceId),
    Comment: command.Comment,
    DocumentName: command.DocumentName,
    DocumentVersion: command.DocumentVersion,
    RequestedDateTime: epochSeconds(invocation.dispatchedAt ?? command.RequestedDateTime),
    Status: invocation.Status,
    StatusDetails: invocation.StatusDetails,
    TraceOutput: '',
    StandardOutputUrl: only ? urlOf(only, 'stdout') : '',
    StandardErrorUrl: only ? urlOf(only, 'stderr') : '',
    CommandPlugins: details
      ? plugins.map((state) => ({
          Name: state.name,
          Status: pluginStatus(state.status),
          StatusDetails: state.statusDetails,
          ResponseCode: state.responseCode,
          ResponseStartDateTime: epochSeconds(state.startedAt),
          ResponseFinishDateTime: epochSeconds(state.endedAt),
          Output: pluginOutput(state.stdout, state.stderr),
          StandardOutputUrl: urlOf(state, 'stdout'),
          StandardErrorUrl: urlOf(state, 'stderr'),
          OutputS3BucketName: '',
          OutputS3KeyPrefix: '',
        }))
      : [],
    ServiceRole: '',
    NotificationConfig: EMPTY_NOTIFICATION,
    CloudWatchOutputConfig: NO_CLOUDWATCH,
  };
  return view;
}

export function describeInvocationPlugin(command: DeepReadonly<CommandRecord>, invocation: DeepReadonly<InvocationRecord>, state: PluginState, now: Date, context: InvocationViewContext) {
  return {
    CommandId: invocation.CommandId,
    InstanceId: invocation.InstanceId,
    Comment: command.Comment,
    DocumentName: command.DocumentName,
    DocumentVersion: command.DocumentVersion,
    PluginName: state.name,
    ResponseCode: state.responseCode,
    ExecutionStartDateTime: isoTime(state.startedAt),
    ExecutionElapsedTime: elapsedTime(state.startedAt, state.endedAt, now),
    ExecutionEndDateTime: isoTime(state.endedAt),
    Status: state.status,
    StatusDetails: state.statusDetails,
    StandardOutputContent: state.stdout.slice(0, STANDARD_OUTPUT_CONTENT_CHARS),
    StandardOutputUrl: state.finished ? context.outputUrl(invocation, state.name, 'stdout') : '',
    StandardErrorContent: state.stderr.slice(0, STANDARD_ERROR_CONTENT_CHARS),
    StandardErrorUrl: state.finished ? context.outputUrl(invocation, state.name, 'stderr') : '',
    CloudWatchOutputConfig: NO_CLOUDWATCH,
  };
}
