/**
 * Reading CreateAssociation / UpdateAssociation / CreateAssociationBatch entries: the shapes and limits of the
 * SSM API model (ssm-service-2.json), the targets, and the schedule (with @tender/schedules). The document and
 * its parameters are checked by the service, which can resolve documents.
 */
import { ScheduleError, validateAssociationSchedule } from '@tender/schedules';
import { ApiError, constraintViolations } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalInteger, optionalList, optionalString, parseTag, requiredString, type Tag } from '../api/validate.js';
import { MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN } from '../commands/rate-controls.js';
import { DocumentService } from '../documents/document-service.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { invalidSchedule } from './association-errors.js';
import type { AssociationSettings, ComplianceSeverity, SyncCompliance } from './association-records.js';
import { parseTargets } from './association-targets.js';

export const ASSOCIATION_ID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
export const ASSOCIATION_VERSION = /([$]LATEST)|([1-9][0-9]*)/;
const DOCUMENT_ARN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const DOCUMENT_VERSION = /([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)/;
const ASSOCIATION_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
const PARAMETER_NAME = /^.{1,255}$/s;
const SEVERITIES: readonly ComplianceSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED'];
const SYNC: readonly SyncCompliance[] = ['AUTO', 'MANUAL'];
export const MAX_ASSOCIATION_TAGS = 1000;

/** Fields SSM has that Tender does not act on yet: refused rather than silently ignored. */
const UNSUPPORTED: Array<[field: string, code: string, why: string]> = [
  ['OutputLocation', 'InvalidOutputLocation', 'Tender does not write association output to S3; omit OutputLocation (outputs stay on the control plane)'],
  ['TargetMaps', 'InvalidTargetMaps', 'Tender does not support TargetMaps yet; use Targets'],
  ['TargetLocations', 'ValidationException', 'TargetLocations (other accounts and Regions) do not exist in Tender; omit them'],
  ['CalendarNames', 'ValidationException', 'Tender has no Change Calendar; omit CalendarNames'],
  ['AlarmConfiguration', 'ValidationException', 'Tender does not watch CloudWatch alarms; omit AlarmConfiguration'],
  ['AutomationTargetParameterName', 'ValidationException', 'associations of Automation runbooks arrive with Tender\'s Automation capability; omit AutomationTargetParameterName'],
  ['AssociationDispatchAssumeRole', 'ValidationException', 'Tender has no IAM roles to assume; omit AssociationDispatchAssumeRole'],
];

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function enumValue<T extends string>(input: Input, field: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw constraintViolations([{ value, member: field.charAt(0).toLowerCase() + field.slice(1), constraint: `Member must satisfy enum value set: [${allowed.join(', ')}]` }]);
  }
  return value as T;
}

function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `${field} must be a boolean`);
  return value;
}

/** `Parameters`: a map of parameter names to lists of strings, as SendCommand takes them. */
function parameters(input: Input): Record<string, string[]> | undefined {
  const value = input.Parameters;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ApiError('SerializationException', 'Parameters must be a map of names to lists of strings');
  const result: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(value as Record<string, unknown>)) {
    if (!PARAMETER_NAME.test(name)) throw new ApiError('InvalidParameters', `Parameter names are 1-255 characters; ${JSON.stringify(name.slice(0, 40))} is not`);
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new ApiError('SerializationException', `Parameters.${name} must be a list of strings`);
    result[name] = [...(values as string[])];
  }
  return result;
}

export interface ParsedAssociationInput {
  settings: AssociationSettings;
  tags: Tag[];
}

/**
 * Read an association's settings from a request. For UpdateAssociation, `previous` supplies Name and Targets
 * when the request leaves them out; every other optional field takes the request's value, absent meaning unset,
 * as SSM documents ("the system removes all optional parameters from the request and overwrites the association
 * with null values for those parameters").
 */
export function parseAssociationInput(input: Input, lookup: (id: string) => InstanceRecord | undefined, now: Date, previous?: AssociationSettings): ParsedAssociationInput {
  for (const [field, code, why] of UNSUPPORTED) if (present(input[field])) throw new ApiError(code, why);
  if (present(input.InstanceId)) {
    throw new ApiError('InvalidParameters', 'InstanceId is deprecated in SSM and not supported by Tender: target nodes with Targets, e.g. Key=InstanceIds,Values=mi-0123456789abcdef0');
  }
  const nameOrArn = previous ? optionalString(input, 'Name', { pattern: DOCUMENT_ARN }) : requiredString(input, 'Name', { pattern: DOCUMENT_ARN });
  const name = nameOrArn === undefined ? previous!.Name : DocumentService.nameOf(nameOrArn);
  const documentVersion = optionalString(input, 'DocumentVersion', { pattern: DOCUMENT_VERSION }) ?? '$DEFAULT';
  const targets = previous && !present(input.Targets) ? previous.Targets : parseTargets(input.Targets, lookup);
  const scheduleExpression = optionalString(input, 'ScheduleExpression', { min: 1, max: 256 });
  const applyOnlyAtCronInterval = optionalBoolean(input, 'ApplyOnlyAtCronInterval') ?? false;
  const scheduleOffset = optionalInteger(input, 'ScheduleOffset', { min: 1, max: 6 });
  const duration = optionalInteger(input, 'Duration', { min: 1, max: 24 });
  try {
    validateAssociationSchedule({
      ...(scheduleExpression !== undefined ? { ScheduleExpression: scheduleExpression } : {}),
      ApplyOnlyAtCronInterval: applyOnlyAtCronInterval,
      ...(scheduleOffset !== undefined ? { ScheduleOffset: scheduleOffset } : {}),
    }, { now });
  } catch (error) {
    if (error instanceof ScheduleError) throw invalidSchedule(error.message);
    throw error;
  }
  if (duration !== undefined && !applyOnlyAtCronInterval) {
    throw new ApiError('ValidationException', 'Duration applies only to associations with ApplyOnlyAtCronInterval set to true (SSM cancels a run after Duration hours only for runs at the cron interval)');
  }
  const settings: AssociationSettings = {
    Name: name,
    DocumentVersion: documentVersion,
    Targets: targets,
    SyncCompliance: enumValue(input, 'SyncCompliance', SYNC) ?? 'AUTO',
    ApplyOnlyAtCronInterval: applyOnlyAtCronInterval,
  };
  const params = parameters(input);
  if (params !== undefined) settings.Parameters = params;
  if (scheduleExpression !== undefined) settings.ScheduleExpression = scheduleExpression;
  const associationName = optionalString(input, 'AssociationName', { pattern: ASSOCIATION_NAME });
  if (associationName !== undefined) settings.AssociationName = associationName;
  const maxErrors = optionalString(input, 'MaxErrors', { min: 1, max: 7, pattern: MAX_ERRORS_PATTERN });
  if (maxErrors !== undefined) settings.MaxErrors = maxErrors;
  const maxConcurrency = optionalString(input, 'MaxConcurrency', { min: 1, max: 7, pattern: MAX_CONCURRENCY_PATTERN });
  if (maxConcurrency !== undefined) settings.MaxConcurrency = maxConcurrency;
  const severity = enumValue(input, 'ComplianceSeverity', SEVERITIES);
  if (severity !== undefined) settings.ComplianceSeverity = severity;
  if (scheduleOffset !== undefined) settings.ScheduleOffset = scheduleOffset;
  if (duration !== undefined) settings.Duration = duration;

  const tagList = previous ? [] : (optionalList(input, 'Tags', parseTag, { max: MAX_ASSOCIATION_TAGS }) ?? []);
  const tags = [...new Map(tagList.map((tag) => [tag.Key, tag])).values()];
  return { settings, tags };
}
