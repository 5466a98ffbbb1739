/**
 * The Filters of the Describe operations (MaintenanceWindowFilter: Key and Values; at most 5). Each operation
 * names the keys it supports; any other key is refused with a message listing them, not silently ignored.
 */
import { ApiError } from '../api/errors.js';
import { invalidInput } from './window-errors.js';

export interface WindowFilter {
  Key: string;
  Values: string[];
}

export function parseFilters(value: unknown, supported: readonly string[]): WindowFilter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError('SerializationException', 'Filters must be a list');
  if (value.length > 5) throw invalidInput("1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5");
  return value.map((item: unknown, index) => {
    const filter = item as Record<string, unknown> | null;
    if (typeof filter !== 'object' || filter === null || typeof filter.Key !== 'string') throw new ApiError('SerializationException', `Filters[${index}] must be an object with Key and Values`);
    const values = filter.Values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new ApiError('SerializationException', `Filters[${index}].Values must be a list of strings`);
    if (!supported.includes(filter.Key)) throw invalidInput(`Filter key ${JSON.stringify(filter.Key)} is not supported here; use ${supported.join(', ')}`);
    return { Key: filter.Key, Values: values as string[] };
  });
}

/** Keep the items that match every filter; `field(item, key)` gives the item's value(s) for a filter key. */
export function applyFilters<T>(items: readonly T[], filters: readonly WindowFilter[], field: (item: T, key: string) => string | undefined): T[] {
  return items.filter((item) => filters.every((filter) => filter.Values.length === 0 || filter.Values.includes(field(item, filter.Key) ?? '')));
}
