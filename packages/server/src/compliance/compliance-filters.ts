/**
 * SSM's ComplianceStringFilter: Key, Values (1-20), Type EQUAL | NOT_EQUAL | BEGIN_WITH | LESS_THAN |
 * GREATER_THAN. Filters are ANDed; a filter matches when its comparison holds for any of its values (NOT_EQUAL:
 * when the field equals none of them). Severities order by severity (CRITICAL is the greatest), execution times
 * by time, everything else as text.
 */
import { ApiError } from '../api/errors.js';
import { SEVERITIES, severityRank, STATUSES } from './compliance-records.js';

export const FILTER_TYPES = ['EQUAL', 'NOT_EQUAL', 'BEGIN_WITH', 'LESS_THAN', 'GREATER_THAN'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];

type Kind = 'text' | 'severity' | 'status' | 'time';

/** The keys one operation accepts, each with what kind of value it holds and how to read it from a row. */
export type FilterKeys<T> = Record<string, { kind: Kind; read: (row: T) => string | undefined }>;

export type CompiledFilter<T> = (row: T) => boolean;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function comparator(kind: Kind): (a: string, b: string) => number {
  if (kind === 'severity') return (a, b) => severityRank(a) - severityRank(b);
  if (kind === 'time') return (a, b) => Date.parse(a) - Date.parse(b);
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

function checkValue(key: string, kind: Kind, value: string, index: number): string {
  if (kind === 'severity' && !(SEVERITIES as readonly string[]).includes(value)) throw new ApiError('InvalidFilter', `Filters[${index}]: ${JSON.stringify(value)} is not a severity of ${key} (${SEVERITIES.join(', ')})`);
  if (kind === 'status' && !(STATUSES as readonly string[]).includes(value)) throw new ApiError('InvalidFilter', `Filters[${index}]: ${JSON.stringify(value)} is not a status of ${key} (${STATUSES.join(', ')})`);
  if (kind === 'time') {
    const time = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
    if (Number.isNaN(time.getTime())) throw new ApiError('InvalidFilter', `Filters[${index}]: ${JSON.stringify(value)} is not a time for ${key} (ISO 8601 or epoch seconds)`);
    return time.toISOString();
  }
  return value;
}

export function compileFilters<T>(value: unknown, keys: FilterKeys<T>): CompiledFilter<T> {
  if (value === undefined || value === null) return () => true;
  if (!Array.isArray(value)) throw new ApiError('SerializationException', 'Filters must be a list');
  const tests = value.map((raw: unknown, index): CompiledFilter<T> => {
    if (!isRecord(raw)) throw new ApiError('SerializationException', `Filters[${index}] must be an object`);
    const key = raw.Key;
    if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw new ApiError('InvalidFilter', `Filters[${index}].Key must be 1-200 characters`);
    const field = keys[key];
    if (!field) throw new ApiError('InvalidFilter', `Filters[${index}]: the key ${JSON.stringify(key)} is not supported here; use one of ${Object.keys(keys).join(', ')}`);
    const values = raw.Values;
    if (!Array.isArray(values) || values.length < 1 || values.length > 20 || values.some((v) => typeof v !== 'string')) throw new ApiError('InvalidFilter', `Filters[${index}].Values must be a list of 1 to 20 strings`);
    const type = raw.Type ?? 'EQUAL';
    if (typeof type !== 'string' || !(FILTER_TYPES as readonly string[]).includes(type)) throw new ApiError('InvalidFilter', `Filters[${index}].Type ${JSON.stringify(type)} is not one of ${FILTER_TYPES.join(', ')}`);
    // BEGIN_WITH compares text as given (a time prefix such as 2030-01 is not a time of its own).
    const wanted = type === 'BEGIN_WITH' ? (values as string[]) : (values as string[]).map((v) => checkValue(key, field.kind, v, index));
    const compare = comparator(field.kind);
    const read = field.read;
    switch (type as FilterType) {
      case 'EQUAL':
        return (row) => {
          const actual = read(row);
          return actual !== undefined && wanted.some((v) => compare(actual, v) === 0);
        };
      case 'NOT_EQUAL':
        return (row) => {
          const actual = read(row);
          return actual === undefined || wanted.every((v) => compare(actual, v) !== 0);
        };
      case 'BEGIN_WITH':
        return (row) => {
          const actual = read(row);
          return actual !== undefined && wanted.some((v) => actual.startsWith(v));
        };
      case 'LESS_THAN':
        return (row) => {
          const actual = read(row);
          return actual !== undefined && wanted.some((v) => compare(actual, v) < 0);
        };
      case 'GREATER_THAN':
        return (row) => {
          const actual = read(row);
          return actual !== undefined && wanted.some((v) => compare(actual, v) > 0);
        };
    }
  });
  return (row) => tests.every((test) => test(row));
}
