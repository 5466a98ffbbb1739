/**
 * The compliance API: PutComplianceItems, ListComplianceItems, ListComplianceSummaries and
 * ListResourceComplianceSummaries. Authorisation and audit come from the API layer; `resources` names the
 * managed instances a call is about.
 */
import { ApiError } from '../api/errors.js';
import { ssmArn, type CallContext, type Input, type Operation } from '../api/operation.js';
import { pageAfter, pageByKey } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, parseStringList } from '../api/validate.js';
import { compileFilters, type FilterKeys } from './compliance-filters.js';
import { parseComplianceWrite, RESOURCE_TYPES } from './compliance-input.js';
import { severitySummary, sumOf, type StoredExecutionSummary } from './compliance-records.js';
import type { ComplianceService, ItemPosition, ItemView, ResourceTypeView } from './compliance-service.js';

const MAX_RESULTS = { min: 1, max: 50 };

function isItemPosition(state: object): state is { k: ItemPosition } {
  const k = (state as { k?: unknown }).k;
  return Array.isArray(k) && k.length === 3 && typeof k[0] === 'string' && typeof k[1] === 'string' && Number.isSafeInteger(k[2]) && (k[2] as number) >= 0;
}

/** Timestamps go out as epoch seconds, as AWS JSON 1.1 has them. */
function executionSummaryOut(summary: StoredExecutionSummary) {
  return { ...summary, ExecutionTime: Date.parse(summary.ExecutionTime) / 1000 };
}

const ITEM_KEYS: FilterKeys<ItemView> = {
  ComplianceType: { kind: 'text', read: (item) => item.ComplianceType },
  Status: { kind: 'status', read: (item) => item.Status },
  Severity: { kind: 'severity', read: (item) => item.Severity },
  Id: { kind: 'text', read: (item) => item.Id },
  Title: { kind: 'text', read: (item) => item.Title },
  ExecutionId: { kind: 'text', read: (item) => item.ExecutionSummary.ExecutionId },
  ExecutionType: { kind: 'text', read: (item) => item.ExecutionSummary.ExecutionType },
  ExecutionTime: { kind: 'time', read: (item) => item.ExecutionSummary.ExecutionTime },
};

const SUMMARY_KEYS: FilterKeys<ResourceTypeView> = {
  ComplianceType: { kind: 'text', read: (view) => view.ComplianceType },
  ResourceId: { kind: 'text', read: (view) => view.ResourceId },
  ResourceType: { kind: 'text', read: (view) => view.ResourceType },
  Status: { kind: 'status', read: (view) => view.summary.Status },
  OverallSeverity: { kind: 'severity', read: (view) => view.summary.OverallSeverity },
  ExecutionId: { kind: 'text', read: (view) => view.ExecutionSummary.ExecutionId },
  ExecutionType: { kind: 'text', read: (view) => view.ExecutionSummary.ExecutionType },
  ExecutionTime: { kind: 'time', read: (view) => view.ExecutionSummary.ExecutionTime },
};

function instanceArns(ids: readonly string[] | undefined, context: Pick<CallContext, 'region' | 'accountId'>): string[] {
  return ids && ids.length > 0 ? ids.map((id) => ssmArn(context, `managed-instance/${id}`)) : ['*'];
}

function resourceIdsOf(input: Input): string[] | undefined {
  const ids = optionalList(input, 'ResourceIds', parseStringList('ResourceIds'), { min: 1 });
  for (const id of ids ?? []) if (id.length < 1 || id.length > 100) throw new ApiError('InvalidResourceId', `The resource ID ${JSON.stringify(id)} is not valid: 1-100 characters`);
  return ids;
}

export function complianceOperations(service: ComplianceService, isRegistered: (resourceId: string) => boolean): Operation[] {
  return [
    {
      service: 'AmazonSSM',
      name: 'PutComplianceItems',
      resources: (input, context) => instanceArns(typeof input.ResourceId === 'string' ? [input.ResourceId] : undefined, context),
      async handle(input) {
        await service.putItems(parseComplianceWrite(input));
        return {};
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListComplianceItems',
      resources: (input, context) => instanceArns(Array.isArray(input.ResourceIds) ? input.ResourceIds.filter((id): id is string => typeof id === 'string') : undefined, context),
      async handle(input) {
        const filter = compileFilters(input.Filters, ITEM_KEYS);
        const resourceIds = resourceIdsOf(input);
        const resourceTypes = optionalList(input, 'ResourceTypes', parseStringList('ResourceTypes'), { min: 1 });
        for (const type of resourceTypes ?? []) {
          if (!(RESOURCE_TYPES as readonly string[]).includes(type)) throw new ApiError('InvalidResourceType', `The resource type ${type} is not valid: ManagedInstance is the only supported resource type`);
        }
        for (const id of resourceIds ?? []) {
          if (!isRegistered(id) && !service.has(id)) throw new ApiError('InvalidResourceId', `The resource ID ${id} is not a registered managed instance`);
        }
        // From just after the last item shown: a host that reports between pages repeats none and hides none.
        const { page, nextToken } = await pageAfter(
          { operation: 'ListComplianceItems', maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken'), defaultMax: 50, ...MAX_RESULTS },
          (after: { k: ItemPosition } | undefined) => service.items(resourceIds, filter, after?.k),
          ({ position }) => ({ k: position }),
          isItemPosition,
        );
        return {
          ComplianceItems: page.map(({ view }) => ({ ...view, ExecutionSummary: executionSummaryOut(view.ExecutionSummary) })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListComplianceSummaries',
      async handle(input) {
        const filter = input.Filters === undefined || input.Filters === null ? undefined : compileFilters(input.Filters, SUMMARY_KEYS);
        const { page, nextToken } = await pageByKey(service.typeSummaries(filter), (counts) => counts.ComplianceType, {
          operation: 'ListComplianceSummaries',
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
          defaultMax: 50,
          ...MAX_RESULTS,
        });
        return {
          ComplianceSummaryItems: page.map((counts) => ({
            ComplianceType: counts.ComplianceType,
            CompliantSummary: { CompliantCount: sumOf(counts.compliant), SeveritySummary: severitySummary(counts.compliant) },
            NonCompliantSummary: { NonCompliantCount: sumOf(counts.nonCompliant), SeveritySummary: severitySummary(counts.nonCompliant) },
          })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListResourceComplianceSummaries',
      async handle(input) {
        // From just after the last (resource, type) shown: a host that reports between pages repeats none.
        const { page, nextToken } = await pageByKey(service.resourceSummaries(compileFilters(input.Filters, SUMMARY_KEYS)), (view) => [view.ResourceId, view.ComplianceType], {
          operation: 'ListResourceComplianceSummaries',
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
          defaultMax: 50,
          ...MAX_RESULTS,
        });
        return {
          ResourceComplianceSummaryItems: page.map((view) => ({
            ComplianceType: view.ComplianceType,
            ResourceType: view.ResourceType,
            ResourceId: view.ResourceId,
            Status: view.summary.Status,
            OverallSeverity: view.summary.OverallSeverity,
            ExecutionSummary: executionSummaryOut(view.ExecutionSummary),
            CompliantSummary: { CompliantCount: sumOf(view.summary.compliant), SeveritySummary: severitySummary(view.summary.compliant) },
            NonCompliantSummary: { NonCompliantCount: sumOf(view.summary.nonCompliant), SeveritySummary: severitySummary(view.summary.nonCompliant) },
          })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
  ];
}
