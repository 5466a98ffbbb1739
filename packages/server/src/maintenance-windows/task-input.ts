/**
 * RegisterTaskWithMaintenanceWindow's and UpdateMaintenanceWindowTask's requests. Tender runs RUN_COMMAND tasks;
 * AUTOMATION, LAMBDA and STEP_FUNCTIONS are refused with FeatureNotAvailableException (Tender has no Automation
 * yet, and no Lambda or Step Functions to call). Options that would send output elsewhere (S3, SNS, CloudWatch)
 * or watch alarms are refused, not ignored.
 */
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalInteger, optionalString } from '../api/validate.js';
import { MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN } from '../commands/rate-controls.js';
import { DOCUMENT_VERSION_PATTERN, MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS } from '../commands/send-command-input.js';
import { featureNotAvailable, invalidInput } from './window-errors.js';
import { NAME, optionalBoolean } from './window-input.js';
import type { CutoffBehavior, RunCommandParameters, WindowTaskRecord } from './window-records.js';

const TASK_TYPES = ['RUN_COMMAND', 'AUTOMATION', 'STEP_FUNCTIONS', 'LAMBDA'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseParameterMap(value: unknown, field: string): Record<string, string[]> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ApiError('SerializationException', `${field} must be a map of parameter name to a list of strings`);
  const parameters: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(value)) {
    if (!Array.isArray(values) || values.some((item) => typeof item !== 'string')) throw new ApiError('SerializationException', `${field}.${name} must be a list of strings`);
    parameters[name] = [...(values as string[])];
  }
  return parameters;
}

/** The legacy TaskParameters shape: name → {Values: [...]}. */
function parseTaskParameters(value: unknown): Record<string, string[]> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ApiError('SerializationException', 'TaskParameters must be a map of parameter name to {Values: [...]}');
  const parameters: Record<string, string[]> = {};
  for (const [name, expression] of Object.entries(value)) {
    const values = isRecord(expression) ? expression.Values : undefined;
    if (!Array.isArray(values) || values.some((item) => typeof item !== 'string')) throw new ApiError('SerializationException', `TaskParameters.${name} must be {Values: [strings]}`);
    parameters[name] = [...(values as string[])];
  }
  return parameters;
}

function parseRunCommand(value: unknown): RunCommandParameters | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ApiError('SerializationException', 'TaskInvocationParameters.RunCommand must be an object');
  if (typeof value.OutputS3BucketName === 'string' && value.OutputS3BucketName !== '') {
    throw invalidInput('Tender does not write command output to S3: the control plane keeps every step\'s output (GetCommandInvocation); omit OutputS3BucketName');
  }
  if (isRecord(value.NotificationConfig) && typeof value.NotificationConfig.NotificationArn === 'string' && value.NotificationConfig.NotificationArn !== '') {
    throw invalidInput('Tender does not send SNS notifications; omit NotificationConfig');
  }
  if (isRecord(value.CloudWatchOutputConfig) && value.CloudWatchOutputConfig.CloudWatchOutputEnabled === true) {
    throw invalidInput('Tender does not send command output to CloudWatch Logs; omit CloudWatchOutputConfig');
  }
  const hashType = optionalString(value, 'DocumentHashType');
  if (hashType !== undefined && hashType !== 'Sha256' && hashType !== 'Sha1') throw invalidInput(`DocumentHashType must be Sha256 or Sha1, not ${hashType}`);
  const parsed: RunCommandParameters = {
    Comment: optionalString(value, 'Comment', { max: 100 }),
    DocumentHash: optionalString(value, 'DocumentHash', { max: 256 }),
    DocumentHashType: hashType,
    DocumentVersion: optionalString(value, 'DocumentVersion', { pattern: DOCUMENT_VERSION_PATTERN }),
    Parameters: parseParameterMap(value.Parameters, 'TaskInvocationParameters.RunCommand.Parameters'),
    ServiceRoleArn: optionalString(value, 'ServiceRoleArn'),
    TimeoutSeconds: optionalInteger(value, 'TimeoutSeconds', { min: MIN_TIMEOUT_SECONDS, max: MAX_TIMEOUT_SECONDS }),
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as RunCommandParameters;
}

/** The task fields of a request, as given (targets are checked by the caller, which knows the window). */
export type TaskFields = Partial<Omit<WindowTaskRecord, 'WindowId' | 'WindowTaskId' | 'registeredAt' | 'clientToken' | 'Targets'>>;

export function parseTaskFields(input: Input, options: { requireType: boolean }): TaskFields {
  const taskType = options.requireType ? optionalString(input, 'TaskType') : undefined;
  if (options.requireType) {
    if (taskType === undefined) throw invalidInput("1 validation error detected: Value null at 'taskType' failed to satisfy constraint: Member must not be null");
    if (!TASK_TYPES.includes(taskType)) throw invalidInput(`1 validation error detected: Value '${taskType}' at 'taskType' failed to satisfy constraint: Member must satisfy enum value set: [${TASK_TYPES.join(', ')}]`);
    if (taskType !== 'RUN_COMMAND') {
      throw featureNotAvailable(`Tender runs RUN_COMMAND maintenance window tasks only: ${taskType === 'AUTOMATION' ? 'Automation is not available yet' : `there is no ${taskType === 'LAMBDA' ? 'Lambda' : 'Step Functions'} to call`}`);
    }
  }
  const invocation = input.TaskInvocationParameters;
  if (invocation !== undefined && invocation !== null && !isRecord(invocation)) throw new ApiError('SerializationException', 'TaskInvocationParameters must be an object');
  for (const other of ['Automation', 'Lambda', 'StepFunctions']) {
    if (isRecord(invocation) && invocation[other] !== undefined && invocation[other] !== null) throw invalidInput(`TaskInvocationParameters.${other} does not apply to a RUN_COMMAND task; give RunCommand`);
  }
  if (isRecord(input.LoggingInfo)) throw invalidInput('Tender does not write task logs to S3; omit LoggingInfo');
  if (input.AlarmConfiguration !== undefined && input.AlarmConfiguration !== null) throw invalidInput('Tender does not watch CloudWatch alarms; omit AlarmConfiguration');
  const cutoff = optionalString(input, 'CutoffBehavior');
  if (cutoff !== undefined && cutoff !== 'CONTINUE_TASK' && cutoff !== 'CANCEL_TASK') {
    throw invalidInput(`1 validation error detected: Value '${cutoff}' at 'cutoffBehavior' failed to satisfy constraint: Member must satisfy enum value set: [CONTINUE_TASK, CANCEL_TASK]`);
  }
  let runCommand = parseRunCommand(isRecord(invocation) ? invocation.RunCommand : undefined);
  const legacy = parseTaskParameters(input.TaskParameters);
  if (legacy !== undefined) runCommand = { ...runCommand, Parameters: { ...legacy, ...runCommand?.Parameters } };
  // SSM reads Parameter Store as the task's service role; Tender has no roles, and running the task as whoever
  // registered it would outlive that caller's own access. Refused here rather than failing at every run.
  const reference = JSON.stringify(runCommand?.Parameters ?? {}).match(/\{\{\s*(ssm|ssm-secure):[^}]*\}\}/)?.[0];
  if (reference !== undefined) throw invalidInput(`Maintenance window tasks cannot use Parameter Store references (${reference}) yet: Tender has no service role to read them as`);
  const fields: TaskFields = {
    TaskArn: optionalString(input, 'TaskArn', { min: 1, max: 1600 }),
    TaskType: taskType as 'RUN_COMMAND' | undefined,
    Priority: optionalInteger(input, 'Priority', { min: 0 }),
    MaxConcurrency: optionalString(input, 'MaxConcurrency', { min: 1, max: 7, pattern: MAX_CONCURRENCY_PATTERN }),
    MaxErrors: optionalString(input, 'MaxErrors', { min: 1, max: 7, pattern: MAX_ERRORS_PATTERN }),
    CutoffBehavior: cutoff as CutoffBehavior | undefined,
    ServiceRoleArn: optionalString(input, 'ServiceRoleArn'),
    Name: optionalString(input, 'Name', { min: 3, max: 128, pattern: NAME }),
    Description: optionalString(input, 'Description', { min: 1, max: 128 }),
    RunCommand: runCommand,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as TaskFields;
}

/** RegisterTaskWithMaintenanceWindow: the task's fields with SSM's defaults, or SSM's error for what is missing. */
export function completeTask(fields: TaskFields): Omit<WindowTaskRecord, 'WindowId' | 'WindowTaskId' | 'registeredAt' | 'Targets'> {
  if (fields.TaskArn === undefined) throw invalidInput("1 validation error detected: Value null at 'taskArn' failed to satisfy constraint: Member must not be null");
  // SSM: MaxConcurrency and MaxErrors may be left out only for tasks without targets, and RUN_COMMAND tasks have targets.
  if (fields.MaxConcurrency === undefined) throw invalidInput('MaxConcurrency is required for a RUN_COMMAND task (how many targets run it at once, e.g. 1, 10 or 50%)');
  if (fields.MaxErrors === undefined) throw invalidInput('MaxErrors is required for a RUN_COMMAND task (how many failures stop it, e.g. 0, 1 or 10%)');
  return {
    ...fields,
    TaskArn: fields.TaskArn,
    TaskType: 'RUN_COMMAND',
    Priority: fields.Priority ?? 1,
    MaxConcurrency: fields.MaxConcurrency,
    MaxErrors: fields.MaxErrors,
    CutoffBehavior: fields.CutoffBehavior ?? 'CONTINUE_TASK',
    RunCommand: fields.RunCommand ?? {},
  };
}

export { optionalBoolean };
