/**
 * The executions side of the Associations API: StartAssociationsOnce, DescribeAssociationExecutions,
 * DescribeAssociationExecutionTargets, DescribeInstanceAssociationsStatus, UpdateAssociationStatus. Shapes,
 * filters, limits and errors as the SSM model (ssm-service-2.json) has them.
 */
import { ApiError, constraintViolations, validation } from '../api/errors.js';
import type { CallContext, Input, Operation } from '../api/operation.js';
import { ssmArn } from '../api/operation.js';
import { pageByKey, pageNewestFirst, type SortKey } from '../api/pagination.js';
import { optionalInteger, optionalString, requiredString } from '../api/validate.js';
import { epochSeconds } from '../api/wire-format.js';
import { DocumentService } from '../documents/document-service.js';
import { executionPosition, type AssociationExecutions, type IndexedExecution } from './association-executions.js';
import { ASSOCIATION_ID } from './association-input.js';
import { INSTANCE_ID_PATTERN } from './association-targets.js';
import { describeAssociation } from './association-views.js';
import { executionStatus, type AssociationExecutionRecord, type ExecutionTargetRecord, type InstanceAssociationStatusRecord } from './execution-records.js';

const MAX_RESULTS = { defaultMax: 50, min: 1, max: 50 };
const ID = { pattern: new RegExp(`^${ASSOCIATION_ID.source}$`) };
const DOCUMENT_ARN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const OPERATORS = ['EQUAL', 'LESS_THAN', 'GREATER_THAN'] as const;
const STATUS_NAMES = ['Pending', 'Success', 'Failed'] as const;

type Filter = { Key: string; Value: string; Type?: string };

/** A filter list as the model has it: 1 or more {Key, Value[, Type]} with Key from `keys`. */
function parseFilters(value: unknown, member: string, keys: readonly string[], withType: boolean): Filter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError('SerializationException', 'Filters must be a list');
  if (value.length === 0) throw constraintViolations([{ value: '[]', member, constraint: 'Member must have length greater than or equal to 1' }]);
  return value.map((item, index) => {
    const filter = (item ?? {}) as Record<string, unknown>;
    const where = `${member}.${index + 1}.member`;
    if (typeof filter.Key !== 'string' || !keys.includes(filter.Key)) {
      throw constraintViolations([{ value: String(filter.Key), member: `${where}.key`, constraint: `Member must satisfy enum value set: [${keys.join(', ')}]` }]);
    }
    if (typeof filter.Value !== 'string' || filter.Value.length === 0) {
      throw constraintViolations([{ value: String(filter.Value), member: `${where}.value`, constraint: 'Member must have length greater than or equal to 1' }]);
    }
    if (withType && (typeof filter.Type !== 'string' || !(OPERATORS as readonly string[]).includes(filter.Type))) {
      throw constraintViolations([{ value: String(filter.Type), member: `${where}.type`, constraint: `Member must satisfy enum value set: [${OPERATORS.join(', ')}]` }]);
    }
    return { Key: filter.Key, Value: filter.Value, ...(withType ? { Type: filter.Type as string } : {}) };
  });
}

/**
 * DescribeAssociationExecutions' filters: ExecutionId and Status compare with EQUAL; CreatedTime with any operator.
 * ExecutionId and CreatedTime are answered from the index (no read); Status needs the execution's record.
 */
type ExecutionPredicate =
  | { on: 'index'; matches: (execution: IndexedExecution) => boolean }
  | { on: 'record'; matches: (execution: AssociationExecutionRecord) => boolean };

function executionPredicate(filter: Filter): ExecutionPredicate {
  if (filter.Key === 'CreatedTime') {
    const at = Date.parse(filter.Value);
    if (Number.isNaN(at)) throw validation(`CreatedTime filters take a date and time (ISO 8601, e.g. 2026-11-01T00:00:00Z), not ${JSON.stringify(filter.Value)}`);
    return {
      on: 'index',
      matches: (execution) => {
        const created = Date.parse(execution.CreatedTime);
        return filter.Type === 'LESS_THAN' ? created < at : filter.Type === 'GREATER_THAN' ? created > at : created === at;
      },
    };
  }
  if (filter.Type !== 'EQUAL') throw validation(`The ${filter.Key} filter compares with EQUAL only; LESS_THAN and GREATER_THAN are for CreatedTime`);
  if (filter.Key === 'ExecutionId') return { on: 'index', matches: (execution) => execution.ExecutionId === filter.Value };
  return { on: 'record', matches: (execution) => executionStatus(execution).Status === filter.Value };
}

function targetPredicate(filter: Filter): (target: ExecutionTargetRecord) => boolean {
  if (filter.Key === 'ResourceId') return (target) => target.ResourceId === filter.Value;
  if (filter.Key === 'ResourceType') return () => filter.Value === 'ManagedInstance';
  return (target) => target.Status === filter.Value;
}

function executionView(execution: AssociationExecutionRecord) {
  return {
    AssociationId: execution.AssociationId,
    AssociationVersion: execution.AssociationVersion,
    ExecutionId: execution.ExecutionId,
    ...executionStatus(execution),
    CreatedTime: epochSeconds(execution.CreatedTime),
    LastExecutionDate: epochSeconds(execution.LastExecutionDate),
  };
}

function targetView(execution: AssociationExecutionRecord, target: ExecutionTargetRecord) {
  return {
    AssociationId: execution.AssociationId,
    AssociationVersion: execution.AssociationVersion,
    ExecutionId: execution.ExecutionId,
    ResourceId: target.ResourceId,
    ResourceType: 'ManagedInstance',
    Status: target.Status,
    DetailedStatus: target.DetailedStatus,
    LastExecutionDate: target.LastExecutionDate ? epochSeconds(target.LastExecutionDate) : undefined,
    ...(target.runId ? { OutputSource: { OutputSourceId: target.runId, OutputSourceType: 'RunCommand' } } : {}),
  };
}

function instanceStatusView(status: InstanceAssociationStatusRecord) {
  return {
    AssociationId: status.AssociationId,
    Name: status.Name,
    DocumentVersion: status.DocumentVersion,
    AssociationVersion: status.AssociationVersion,
    InstanceId: status.InstanceId,
    ExecutionDate: epochSeconds(status.ExecutionDate),
    Status: status.Status,
    DetailedStatus: status.DetailedStatus,
    ExecutionSummary: status.ExecutionSummary,
    ErrorCode: status.ErrorCode,
    AssociationName: status.AssociationName,
  };
}

function associationStatus(input: Input): { Date: Date; Name: string; Message: string; AdditionalInfo?: string } {
  const value = input.AssociationStatus;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validation('AssociationStatus is required: {Date, Name (Pending|Success|Failed), Message}');
  const status = value as Input;
  const name = requiredString(status, 'Name');
  if (!(STATUS_NAMES as readonly string[]).includes(name)) {
    throw constraintViolations([{ value: name, member: 'associationStatus.name', constraint: `Member must satisfy enum value set: [${STATUS_NAMES.join(', ')}]` }]);
  }
  const message = requiredString(status, 'Message', { min: 1, max: 1024 });
  const rawDate = status.Date;
  const date = typeof rawDate === 'number' ? new Date(rawDate * 1000) : typeof rawDate === 'string' ? new Date(rawDate) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw validation('AssociationStatus.Date is required: a date and time');
  const additional = optionalString(status, 'AdditionalInfo', { max: 1024 });
  return { Date: date, Name: name, Message: message, ...(additional !== undefined ? { AdditionalInfo: additional } : {}) };
}

export function executionOperations(executions: AssociationExecutions): Operation[] {
  const associationArn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) =>
    typeof input.AssociationId === 'string' ? [ssmArn(context, `association/${input.AssociationId}`)] : ['*'];
  const pageOptions = (operation: string, input: Input) => ({ operation, ...MAX_RESULTS, maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken') });
  // From just after the last row shown: a host that an execution reaches between pages repeats none.
  const page = <T>(operation: string, input: Input, items: readonly T[], keyOf: (item: T) => SortKey) => pageByKey(items, keyOf, pageOptions(operation, input));
  return [
    {
      service: 'AmazonSSM',
      name: 'StartAssociationsOnce',
      resources: (input, context) => (Array.isArray(input.AssociationIds) && input.AssociationIds.length > 0 ? input.AssociationIds.map((id) => ssmArn(context, `association/${String(id)}`)) : ['*']),
      async handle(input) {
        await executions.startOnce(input.AssociationIds);
        return {};
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeAssociationExecutions',
      resources: associationArn,
      async handle(input) {
        const id = requiredString(input, 'AssociationId', ID);
        const predicates = parseFilters(input.Filters, 'filters', ['ExecutionId', 'Status', 'CreatedTime'], true).map(executionPredicate);
        const onIndex = predicates.flatMap((p) => (p.on === 'index' ? [p.matches] : []));
        const onRecord = predicates.flatMap((p) => (p.on === 'record' ? [p.matches] : []));
        const indexed = (await executions.executionsOf(id)).filter((execution) => onIndex.every((matches) => matches(execution)));
        // Newest first, from just after the token's execution: one that starts between pages repeats none.
        const byPosition = <T extends IndexedExecution>(sorted: readonly T[]) =>
          pageNewestFirst(sorted, executionPosition, pageOptions('DescribeAssociationExecutions', input));
        if (onRecord.length === 0) {
          // Only the page is read.
          const { page: found, nextToken } = await byPosition(indexed);
          return { AssociationExecutions: (await executions.readExecutions(found)).map(executionView), NextToken: nextToken };
        }
        const matching = (await executions.readExecutions(indexed)).filter((execution) => onRecord.every((matches) => matches(execution)));
        const { page: rows, nextToken } = await byPosition(matching);
        return { AssociationExecutions: rows.map(executionView), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeAssociationExecutionTargets',
      resources: associationArn,
      async handle(input) {
        const id = requiredString(input, 'AssociationId', ID);
        const executionId = requiredString(input, 'ExecutionId', ID);
        const predicates = parseFilters(input.Filters, 'filters', ['Status', 'ResourceId', 'ResourceType'], false).map(targetPredicate);
        const execution = await executions.execution(id, executionId);
        const matching = (await executions.targetsOf(execution.ExecutionId)).filter((target) => predicates.every((matches) => matches(target)));
        const { page: rows, nextToken } = await page('DescribeAssociationExecutionTargets', input, matching, (target) => target.ResourceId);
        return { AssociationExecutionTargets: rows.map((target) => targetView(execution, target)), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeInstanceAssociationsStatus',
      resources: (input, context) => (typeof input.InstanceId === 'string' ? [ssmArn(context, `managed-instance/${input.InstanceId}`)] : ['*']),
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        const { page: rows, nextToken } = await page('DescribeInstanceAssociationsStatus', input, await executions.instanceStatuses(instanceId), (status) => status.AssociationId);
        return { InstanceAssociationStatusInfos: rows.map(instanceStatusView), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'UpdateAssociationStatus',
      resources: (input, context) => (typeof input.InstanceId === 'string' ? [ssmArn(context, `managed-instance/${input.InstanceId}`)] : ['*']),
      async handle(input) {
        const name = DocumentService.nameOf(requiredString(input, 'Name', { pattern: DOCUMENT_ARN }));
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        const record = await executions.updateStatus(name, instanceId, associationStatus(input));
        return { AssociationDescription: describeAssociation(record) };
      },
    },
  ];
}
