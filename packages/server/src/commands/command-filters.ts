/**
 * ListCommands / ListCommandInvocations filters (SSM's CommandFilter: lower-case `key` and `value`):
 *   InvokedAfter, InvokedBefore  an ISO 8601 time, e.g. 2024-07-07T00:00:00Z (after: at or later; before: earlier)
 *   Status                       a status; matches Status or StatusDetails, so TimedOut covers both timeouts
 *   DocumentName                 exact document name
 *   ExecutionStage               Executing | Complete; ListCommands only
 * Several filters must all match.
 */
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalList, requiredString } from '../api/validate.js';

export type FilterTarget = 'commands' | 'invocations';

export interface Filterable {
  requested: string;
  status: string;
  statusDetails: string;
  documentName: string;
  terminal: boolean;
}

const KEYS = ['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName'] as const;

const STATUS_VALUES: Record<FilterTarget, readonly string[]> = {
  commands: ['Pending', 'InProgress', 'Success', 'Cancelled', 'Cancelling', 'Failed', 'TimedOut', 'AccessDenied', 'DeliveryTimedOut', 'ExecutionTimedOut', 'Incomplete', 'NoInstancesInTag', 'LimitExceeded'],
  invocations: ['Pending', 'InProgress', 'Delayed', 'Success', 'Cancelled', 'Cancelling', 'Failed', 'TimedOut', 'AccessDenied', 'DeliveryTimedOut', 'ExecutionTimedOut', 'Undeliverable', 'InvalidPlatform', 'Terminated'],
};

type Predicate = (item: Filterable) => boolean;

function timeOf(key: string, value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError('InvalidFilterValue', `${key} needs an ISO 8601 time such as 2024-07-07T00:00:00Z, not ${JSON.stringify(value)}`);
  return ms;
}

function predicateOf(key: string, value: string, target: FilterTarget): Predicate {
  switch (key) {
    case 'InvokedAfter': {
      const after = timeOf(key, value);
      return (item) => Date.parse(item.requested) >= after;
    }
    case 'InvokedBefore': {
      const before = timeOf(key, value);
      return (item) => Date.parse(item.requested) < before;
    }
    case 'Status': {
      const allowed = STATUS_VALUES[target];
      if (!allowed.includes(value)) throw new ApiError('InvalidFilterValue', `${JSON.stringify(value)} is not a Status filter value here; use one of ${allowed.join(', ')}`);
      if (value === 'TimedOut') return (item) => item.status === 'TimedOut' || item.statusDetails === 'DeliveryTimedOut' || item.statusDetails === 'ExecutionTimedOut';
      return (item) => item.status === value || item.statusDetails === value;
    }
    case 'DocumentName':
      return (item) => item.documentName === value;
    case 'ExecutionStage':
      if (target === 'invocations') throw new ApiError('InvalidFilterKey', 'The ExecutionStage filter is for ListCommands only, not ListCommandInvocations');
      if (value === 'Executing') return (item) => !item.terminal;
      if (value === 'Complete') return (item) => item.terminal;
      throw new ApiError('InvalidFilterValue', `ExecutionStage is Executing or Complete, not ${JSON.stringify(value)}`);
    default:
      throw new ApiError('InvalidFilterKey', `${JSON.stringify(key)} is not a command filter key; use ${KEYS.filter((k) => target === 'commands' || k !== 'ExecutionStage').join(', ')}`);
  }
}

export function parseCommandFilters(input: Input, target: FilterTarget): Predicate {
  const predicates =
    optionalList(
      input,
      'Filters',
      (value, index) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('SerializationException', `Filters[${index}] must be an object with key and value`);
        const filter = value as Input;
        const key = requiredString(filter, 'key');
        const text = requiredString(filter, 'value', { min: 1, max: 128 });
        return predicateOf(key, text, target);
      },
      { min: 1, max: 5 },
    ) ?? [];
  return (item) => predicates.every((matches) => matches(item));
}
