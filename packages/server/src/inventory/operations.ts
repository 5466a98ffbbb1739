/**
 * The inventory API (PutInventory, GetInventory, ListInventoryEntries, GetInventorySchema, DeleteInventory,
 * DescribeInventoryDeletions), Tender's GetInventoryHistory, and the handler of the agent's `inventory` message.
 */
import type { InventoryAckBody, Message } from '@tender/protocol';
import { ApiError } from '../api/errors.js';
import { ssmArn, type CallContext, type Input, type Operation } from '../api/operation.js';
import { byNewestFirst, decodeNextToken, encodeNextToken, pageNewestFirst, paginate, type TimePosition } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, requiredString } from '../api/validate.js';
import { checkAggregators, runAggregators } from './inventory-aggregation.js';
import { compileFilters, FILTER_OPERATORS, InstanceSelector, type FilterOperator, type InventoryAggregatorInput, type InventoryFilterInput, type InventoryGroupInput } from './inventory-query.js';
import type { DeletionRecord, HistoryEntry } from './inventory-records.js';
import type { InventoryService } from './inventory-service.js';
import { MAX_ITEMS } from './item-validation.js';

const INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
const TYPE_NAME = /^(AWS|Custom):.*$/;
const UUID = /[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function filterList(value: unknown, field: string, errorCode: string): InventoryFilterInput[] {
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `${field} must be a list`);
  if (value.length < 1 || value.length > 5) throw new ApiError(errorCode, `${field} holds 1 to 5 filters, not ${value.length}`);
  return value.map((raw: unknown, i) => {
    if (!isRecord(raw)) throw new ApiError('SerializationException', `${field}[${i}] must be an object`);
    const key = raw.Key;
    if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw new ApiError(errorCode, `${field}[${i}].Key must be 1-200 characters`);
    const values = raw.Values;
    if (!Array.isArray(values) || values.length < 1 || values.length > 40 || values.some((v) => typeof v !== 'string')) throw new ApiError(errorCode, `${field}[${i}].Values must be a list of 1 to 40 strings`);
    const type = raw.Type ?? 'Equal';
    if (typeof type !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(type)) throw new ApiError(errorCode, `${field}[${i}].Type ${JSON.stringify(type)} is not one of ${FILTER_OPERATORS.join(', ')}`);
    return { Key: key, Values: values as string[], Type: type as FilterOperator };
  });
}

function aggregatorList(value: unknown, field: string): InventoryAggregatorInput[] {
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `${field} must be a list`);
  if (value.length < 1 || value.length > 10) throw new ApiError('InvalidAggregatorException', `${field} holds 1 to 10 aggregators, not ${value.length}`);
  return value.map((raw: unknown, i) => {
    const where = `${field}[${i}]`;
    if (!isRecord(raw)) throw new ApiError('SerializationException', `${where} must be an object`);
    const aggregator: InventoryAggregatorInput = {};
    if (raw.Expression !== undefined) {
      if (typeof raw.Expression !== 'string' || raw.Expression.length < 1 || raw.Expression.length > 1000) throw new ApiError('InvalidAggregatorException', `${where}.Expression must be 1-1000 characters`);
      aggregator.Expression = raw.Expression;
    }
    if (raw.Aggregators !== undefined) aggregator.Aggregators = aggregatorList(raw.Aggregators, `${where}.Aggregators`);
    if (raw.Groups !== undefined) aggregator.Groups = groupList(raw.Groups, `${where}.Groups`);
    if (aggregator.Expression === undefined && aggregator.Groups === undefined) throw new ApiError('InvalidAggregatorException', `${where} needs an Expression (<type>.<attribute>) or Groups`);
    return aggregator;
  });
}

function groupList(value: unknown, field: string): InventoryGroupInput[] {
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `${field} must be a list`);
  if (value.length < 1 || value.length > 15) throw new ApiError('InvalidInventoryGroupException', `${field} holds 1 to 15 groups, not ${value.length}`);
  return value.map((raw: unknown, i) => {
    if (!isRecord(raw)) throw new ApiError('SerializationException', `${field}[${i}] must be an object`);
    if (typeof raw.Name !== 'string' || raw.Name.length < 1 || raw.Name.length > 200) throw new ApiError('InvalidInventoryGroupException', `${field}[${i}].Name must be 1-200 characters`);
    if (raw.Filters === undefined) throw new ApiError('InvalidInventoryGroupException', `group ${raw.Name} needs Filters`);
    return { Name: raw.Name, Filters: filterList(raw.Filters, `${field}[${i}].Filters`, 'InvalidInventoryGroupException') };
  });
}

// Where an item stands in its newest-first listing (the NextToken holds the last one shown). A host's history records
// each type's change once, at the millisecond it was stored, so time and type name tell its entries apart.
const historyPosition = (entry: HistoryEntry): TimePosition => ({ t: entry.time, id: entry.TypeName });
const deletionPosition = (deletion: DeletionRecord): TimePosition => ({ t: deletion.DeletionStartTime, id: deletion.DeletionId });

function instanceResource(input: Input, context: Pick<CallContext, 'region' | 'accountId'>): string[] {
  return typeof input.InstanceId === 'string' ? [ssmArn(context, `managed-instance/${input.InstanceId}`)] : ['*'];
}

/** A history entry as the API shows it: the same names as the SSM shapes use (capitalised). */
function describeHistoryEntry(entry: HistoryEntry) {
  return {
    Time: entry.time,
    TypeName: entry.TypeName,
    ...(entry.CaptureTime ? { CaptureTime: entry.CaptureTime } : {}),
    ...(entry.reason ? { Reason: entry.reason } : {}),
    Added: entry.added,
    Removed: entry.removed,
    Changed: entry.changed.map((change) => ({ Before: change.before, After: change.after })),
  };
}

export function inventoryOperations(service: InventoryService): Operation[] {
  return [
    {
      service: 'AmazonSSM',
      name: 'PutInventory',
      resources: instanceResource,
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID });
        const items = input.Items;
        if (!Array.isArray(items)) throw new ApiError('ValidationException', "1 validation error detected: Value null at 'items' failed to satisfy constraint: Member must not be null");
        if (items.length < 1 || items.length > MAX_ITEMS) throw new ApiError('ValidationException', `1 validation error detected: Value at 'items' failed to satisfy constraint: Member must have length between 1 and ${MAX_ITEMS}`);
        await service.putInventory(instanceId, items);
        return { Message: `Stored ${items.length} inventory item(s) for ${instanceId}` };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetInventory',
      async handle(input) {
        const filters = input.Filters === undefined || input.Filters === null ? [] : filterList(input.Filters, 'Filters', 'InvalidFilter');
        const aggregators = input.Aggregators === undefined || input.Aggregators === null ? undefined : aggregatorList(input.Aggregators, 'Aggregators');
        const resultAttributes = optionalList(input, 'ResultAttributes', (raw, i) => {
          if (!isRecord(raw) || typeof raw.TypeName !== 'string' || !TYPE_NAME.test(raw.TypeName)) throw new ApiError('InvalidResultAttributeException', `ResultAttributes[${i}].TypeName must be an inventory type name (AWS:... or Custom:...)`);
          return raw.TypeName;
        });
        if (resultAttributes !== undefined && resultAttributes.length !== 1) throw new ApiError('InvalidResultAttributeException', `ResultAttributes names exactly one type, not ${resultAttributes.length}`);
        const maxResults = optionalInteger(input, 'MaxResults', { min: 1, max: 50 }) ?? 50;
        const nextToken = optionalString(input, 'NextToken');

        const source = service.querySource();
        const resultType = resultAttributes?.[0];
        if (resultType !== undefined && !source.hasType(resultType)) throw new ApiError('InvalidResultAttributeException', `the inventory type ${resultType} does not exist: GetInventorySchema lists the types`);
        const selector = new InstanceSelector(source, compileFilters(filters, source));

        if (aggregators) {
          checkAggregators(aggregators, source);
          const selected = source.instanceIds.filter((id) => selector.matches(id));
          const data = runAggregators(aggregators, selected, source, selector, (typeName) => service.schemaOf(typeName)?.Version ?? '');
          return { Entities: [{ Data: data }] };
        }

        const state = decodeNextToken<{ after?: unknown }>(nextToken, 'GetInventory');
        if (state !== undefined && typeof state.after !== 'string') throw new ApiError('InvalidNextToken', 'The specified token is not valid.');
        const after = state?.after as string | undefined;
        const typeName = resultType ?? 'AWS:InstanceInformation';
        const entities: Array<{ Id: string; Data: Record<string, unknown> }> = [];
        let more = false;
        for (const instanceId of source.instanceIds) {
          if (after !== undefined && instanceId <= after) continue;
          const item = source.item(instanceId, typeName);
          if (!item || !selector.matches(instanceId)) continue;
          if (entities.length === maxResults) {
            more = true;
            break;
          }
          entities.push({
            Id: instanceId,
            Data: { [typeName]: { TypeName: typeName, SchemaVersion: item.SchemaVersion, CaptureTime: item.CaptureTime, ...(item.ContentHash ? { ContentHash: item.ContentHash } : {}), Content: selector.rows(instanceId, typeName) ?? [] } },
          });
        }
        const last = entities.at(-1);
        return { Entities: entities, ...(more && last ? { NextToken: encodeNextToken({ after: last.Id }, 'GetInventory') } : {}) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListInventoryEntries',
      resources: instanceResource,
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID });
        const typeName = requiredString(input, 'TypeName', { min: 1, max: 100 });
        if (!TYPE_NAME.test(typeName)) throw new ApiError('InvalidTypeNameException', `${JSON.stringify(typeName)} is not an inventory type name (AWS:... or Custom:...)`);
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        if (!service.isRegistered(instanceId)) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance`);
        const source = service.querySource();
        if (!source.hasType(typeName)) throw new ApiError('InvalidTypeNameException', `the inventory type ${typeName} does not exist: GetInventorySchema lists the types`);
        // Filter keys may name the attribute alone (Name) or with its type (AWS:Application.Name).
        const filters = input.Filters === undefined || input.Filters === null ? [] : filterList(input.Filters, 'Filters', 'InvalidFilter').map((filter) => ({ ...filter, Key: filter.Key.startsWith(`${typeName}.`) ? filter.Key : `${typeName}.${filter.Key}` }));
        const selector = new InstanceSelector(source, compileFilters(filters, source));
        const item = source.item(instanceId, typeName);
        const rows = item ? (selector.rows(instanceId, typeName) ?? []) : [];
        const { page, nextToken: next } = paginate(rows, { operation: 'ListInventoryEntries', maxResults, nextToken, defaultMax: 50, min: 1, max: 50 });
        return {
          TypeName: typeName,
          InstanceId: instanceId,
          ...(item ? { SchemaVersion: item.SchemaVersion, CaptureTime: item.CaptureTime } : {}),
          Entries: page,
          ...(next ? { NextToken: next } : {}),
        };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetInventorySchema',
      async handle(input) {
        const typeName = optionalString(input, 'TypeName', { min: 0, max: 100 });
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        let schemas = service.schemas();
        if (typeName) {
          schemas = schemas.filter((schema) => schema.TypeName === typeName);
          if (schemas.length === 0) throw new ApiError('InvalidTypeNameException', `the inventory type ${typeName} does not exist`);
        }
        // Tender's types have no sub-types (SSM's only are AWS:ComplianceItem's).
        if (input.SubType === true) schemas = [];
        const { page, nextToken: next } = paginate(schemas, { operation: 'GetInventorySchema', maxResults, nextToken, defaultMax: 200, min: 50, max: 200 });
        return { Schemas: page, ...(next ? { NextToken: next } : {}) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteInventory',
      async handle(input) {
        const typeName = requiredString(input, 'TypeName', { min: 1, max: 100 });
        if (!TYPE_NAME.test(typeName)) throw new ApiError('InvalidTypeNameException', `${JSON.stringify(typeName)} is not an inventory type name`);
        const option = optionalString(input, 'SchemaDeleteOption');
        if (option !== undefined && option !== 'DisableSchema' && option !== 'DeleteSchema') throw new ApiError('InvalidOptionException', `SchemaDeleteOption is DisableSchema or DeleteSchema, not ${JSON.stringify(option)}`);
        const clientToken = optionalString(input, 'ClientToken', { pattern: UUID });
        if (input.DryRun !== undefined && typeof input.DryRun !== 'boolean') throw new ApiError('SerializationException', 'DryRun must be a boolean');
        return service.deleteInventory({ TypeName: typeName, ...(option ? { SchemaDeleteOption: option } : {}), DryRun: input.DryRun === true, ...(clientToken ? { ClientToken: clientToken } : {}) });
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeInventoryDeletions',
      async handle(input) {
        const deletionId = optionalString(input, 'DeletionId');
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        let deletions = service.listDeletions();
        if (deletionId !== undefined) {
          if (!UUID.test(deletionId)) throw new ApiError('InvalidDeletionIdException', `${JSON.stringify(deletionId)} is not a deletion id`);
          deletions = deletions.filter((deletion) => deletion.DeletionId === deletionId);
          if (deletions.length === 0) throw new ApiError('InvalidDeletionIdException', `no inventory deletion has id ${deletionId}`);
        }
        // Newest first, from just after the last deletion shown: one started between pages repeats none.
        const { page, nextToken: next } = await pageNewestFirst(deletions.sort(byNewestFirst(deletionPosition)), deletionPosition, { operation: 'DescribeInventoryDeletions', maxResults, nextToken, defaultMax: 50, min: 1, max: 50 });
        return {
          InventoryDeletions: page.map(({ ClientToken: _token, DeletionStartTime, LastStatusUpdateTime, ...rest }) => ({
            ...rest,
            DeletionStartTime: Date.parse(DeletionStartTime) / 1000,
            LastStatusUpdateTime: Date.parse(LastStatusUpdateTime) / 1000,
          })),
          ...(next ? { NextToken: next } : {}),
        };
      },
    },
    {
      service: 'Tender',
      name: 'GetInventoryHistory',
      resources: instanceResource,
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID });
        const typeName = optionalString(input, 'TypeName', { min: 1, max: 100 });
        if (typeName !== undefined && !TYPE_NAME.test(typeName)) throw new ApiError('InvalidTypeNameException', `${JSON.stringify(typeName)} is not an inventory type name`);
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        const entries = await service.history(instanceId, typeName);
        if (entries.length === 0 && !service.isRegistered(instanceId)) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance and has no inventory history`);
        // Newest first, from just after the last entry shown: a change stored between pages repeats none.
        const { page, nextToken: next } = await pageNewestFirst(entries.sort(byNewestFirst(historyPosition)), historyPosition, { operation: 'GetInventoryHistory', maxResults, nextToken, defaultMax: 20, min: 1, max: 50 });
        return { InstanceId: instanceId, Entries: page.map(describeHistoryEntry), ...(next ? { NextToken: next } : {}) };
      },
    },
  ];
}

export type InventoryMessageType = 'inventory';

/**
 * The gateway's handler for `inventory`: store what is acceptable, answer `inventory-ack` (the agent resends
 * until it has one, so a lost ack costs a resend, which the service answers identically).
 */
export function inventoryMessageHandlers(
  service: InventoryService,
  send: (instanceId: string, type: 'inventory-ack', body: InventoryAckBody) => Promise<unknown>,
): Record<InventoryMessageType, (message: Message) => Promise<void>> {
  return {
    inventory: async (message) => {
      const ack = await service.receiveUpload(message.from, message.body);
      await send(message.from, 'inventory-ack', ack);
    },
  };
}
