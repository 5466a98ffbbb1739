/**
 * SendCommand's request, checked against SSM's model (ssm-service-2.json: SendCommandRequest) before anything
 * is looked up. Shape problems answer the way AWS's validation layer does (ValidationException /
 * SerializationException); what the model cannot express (both or neither of InstanceIds and Targets, options
 * Tender does not have) gets a message that says what to change.
 */
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalInteger, optionalList, optionalString, parseStringList, requiredString } from '../api/validate.js';
import type { Target } from './command-records.js';
import { INSTANCE_ID_PATTERN, MAX_INSTANCE_IDS, MAX_TARGETS, MAX_TARGET_VALUES } from './command-targets.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_ERRORS, MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN } from './rate-controls.js';

export const DOCUMENT_ARN_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
export const DOCUMENT_VERSION_PATTERN = /^(\$LATEST|\$DEFAULT|[1-9][0-9]*)$/;
const TARGET_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name/u;
export const DEFAULT_TIMEOUT_SECONDS = 3600;
export const MIN_TIMEOUT_SECONDS = 30;
export const MAX_TIMEOUT_SECONDS = 2_592_000;
export const MAX_COMMENT_CHARS = 100;

export interface SendCommandRequest {
  documentName: string;
  documentVersion?: string;
  documentHash?: string;
  documentHashType?: 'Sha256' | 'Sha1';
  timeoutSeconds: number;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds?: string[];
  targets?: Target[];
  maxConcurrency: string;
  maxErrors: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseParameters(value: unknown): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new ApiError('SerializationException', 'Parameters must be a map of parameter name to a list of strings');
  const parameters: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(value)) {
    if (!Array.isArray(values) || values.some((item) => typeof item !== 'string')) {
      throw new ApiError('SerializationException', `Parameters.${name} must be a list of strings, e.g. {"${name}": ["value"]}`);
    }
    parameters[name] = values as string[];
  }
  return parameters;
}

function parseTarget(value: unknown, index: number): Target {
  if (!isRecord(value)) throw new ApiError('SerializationException', `Targets[${index}] must be an object with Key and Values`);
  const key = requiredString(value, 'Key', { min: 1, max: 163, pattern: TARGET_KEY_PATTERN });
  const values = optionalList(value, 'Values', parseStringList(`Targets[${index}].Values`), { max: MAX_TARGET_VALUES }) ?? [];
  return { Key: key, Values: values };
}

/** SSM options Tender does not implement: refused when they would change anything, ignored when empty. */
function refuseUnsupported(input: Input): void {
  const bucket = input.OutputS3BucketName;
  if (typeof bucket === 'string' && bucket !== '') {
    throw new ApiError('InvalidOutputFolder', 'Tender does not write command output to S3: the control plane keeps the full output of every step (see StandardOutputUrl and tender commands output); omit OutputS3BucketName');
  }
  const notification = input.NotificationConfig;
  if (isRecord(notification) && typeof notification.NotificationArn === 'string' && notification.NotificationArn !== '') {
    throw new ApiError('InvalidNotificationConfig', 'Tender does not send SNS notifications; omit NotificationConfig');
  }
  const cloudWatch = input.CloudWatchOutputConfig;
  if (isRecord(cloudWatch) && cloudWatch.CloudWatchOutputEnabled === true) {
    throw new ApiError('InvalidParameters', 'Tender does not send command output to CloudWatch Logs; omit CloudWatchOutputConfig');
  }
  if (input.AlarmConfiguration !== undefined && input.AlarmConfiguration !== null) {
    throw new ApiError('ValidationException', 'Tender does not watch CloudWatch alarms; omit AlarmConfiguration');
  }
}

export function parseSendCommand(input: Input): SendCommandRequest {
  const documentName = requiredString(input, 'DocumentName', { pattern: DOCUMENT_ARN_PATTERN });
  const documentVersion = optionalString(input, 'DocumentVersion', { pattern: DOCUMENT_VERSION_PATTERN });
  const documentHash = optionalString(input, 'DocumentHash', { max: 256 });
  const hashType = optionalString(input, 'DocumentHashType');
  if (hashType !== undefined && hashType !== 'Sha256' && hashType !== 'Sha1') {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${hashType}' at 'documentHashType' failed to satisfy constraint: Member must satisfy enum value set: [Sha256, Sha1]`);
  }
  const timeoutSeconds = optionalInteger(input, 'TimeoutSeconds', { min: MIN_TIMEOUT_SECONDS, max: MAX_TIMEOUT_SECONDS }) ?? DEFAULT_TIMEOUT_SECONDS;
  const comment = optionalString(input, 'Comment', { max: MAX_COMMENT_CHARS }) ?? '';
  const parameters = parseParameters(input.Parameters);
  const instanceIds = optionalList(
    input,
    'InstanceIds',
    (value, index) => {
      if (typeof value !== 'string') throw new ApiError('SerializationException', `InstanceIds[${index}] must be a string`);
      if (!INSTANCE_ID_PATTERN.test(value)) throw new ApiError('InvalidInstanceId', `${JSON.stringify(value)} is not a managed instance id (mi- followed by 17 hex digits)`);
      return value;
    },
    { max: MAX_INSTANCE_IDS },
  );
  const targets = optionalList(input, 'Targets', parseTarget, { max: MAX_TARGETS });
  const maxConcurrency = optionalString(input, 'MaxConcurrency', { min: 1, max: 7, pattern: MAX_CONCURRENCY_PATTERN }) ?? DEFAULT_MAX_CONCURRENCY;
  const maxErrors = optionalString(input, 'MaxErrors', { min: 1, max: 7, pattern: MAX_ERRORS_PATTERN }) ?? DEFAULT_MAX_ERRORS;
  refuseUnsupported(input);

  const byIds = instanceIds !== undefined && instanceIds.length > 0;
  const byTargets = targets !== undefined && targets.length > 0;
  if (byIds && byTargets) throw new ApiError('ValidationException', 'Specify either InstanceIds or Targets, not both');
  if (!byIds && !byTargets) throw new ApiError('ValidationException', 'Specify the instances to run on: InstanceIds (at most 50) or Targets (tag:<key>, tag-key or InstanceIds)');

  const request: SendCommandRequest = { documentName, timeoutSeconds, comment, parameters, maxConcurrency, maxErrors };
  if (documentVersion !== undefined) request.documentVersion = documentVersion;
  if (documentHash !== undefined && documentHash !== '') request.documentHash = documentHash;
  if (hashType !== undefined) request.documentHashType = hashType;
  if (byIds) request.instanceIds = instanceIds;
  if (byTargets) request.targets = targets;
  return request;
}
