/**
 * ParameterFilters (DescribeParameters, GetParametersByPath) and the older Filters of DescribeParameters,
 * with SSM's InvalidFilterKey / InvalidFilterOption / InvalidFilterValue answers.
 */
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { PARAMETER_TYPES, currentVersion, type StoredParameter, type StoredVersion } from './parameter-records.js';

export type FilterKey = 'Name' | 'Path' | 'Type' | 'KeyId' | 'Label' | 'Tier' | 'DataType' | 'tag';

/** Which keys an operation takes, and each key's options (the first is the default). */
export const DESCRIBE_FILTERS: Partial<Record<FilterKey, string[]>> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Path: ['OneLevel', 'Recursive'],
  Type: ['Equals', 'BeginsWith'],
  KeyId: ['Equals', 'BeginsWith'],
  Label: ['Equals'],
  Tier: ['Equals', 'BeginsWith'],
  DataType: ['Equals', 'BeginsWith'],
  tag: ['Equals', 'BeginsWith'],
};

export const BY_PATH_FILTERS: Partial<Record<FilterKey, string[]>> = {
  Type: ['Equals', 'BeginsWith'],
  KeyId: ['Equals', 'BeginsWith'],
  Label: ['Equals'],
};

export interface ParameterFilter {
  key: FilterKey;
  /** For tag filters, the tag key. */
  tagKey?: string;
  option: string;
  values?: string[];
}

function keyOf(raw: string): { key: FilterKey; tagKey?: string } | undefined {
  if (raw.startsWith('tag:') && raw.length > 4) return { key: 'tag', tagKey: raw.slice(4) };
  return (['Name', 'Path', 'Type', 'KeyId', 'Label', 'Tier', 'DataType'] as string[]).includes(raw) ? { key: raw as FilterKey } : undefined;
}

function checkValues(filter: ParameterFilter, raw: string): void {
  const values = filter.values;
  if (values === undefined) {
    if (filter.key !== 'tag') throw new ApiError('InvalidFilterValue', `The filter ${raw} needs Values`);
    return;
  }
  if (values.length < 1 || values.length > 50) throw new ApiError('InvalidFilterValue', `The filter ${raw} takes 1 to 50 values`);
  for (const value of values) {
    if (typeof value !== 'string' || value.length < 1 || value.length > 1024) throw new ApiError('InvalidFilterValue', `The values of filter ${raw} must be strings of 1 to 1024 characters`);
  }
  if (filter.key === 'Type' && filter.option === 'Equals' && values.some((v) => !(PARAMETER_TYPES as readonly string[]).includes(v))) {
    throw new ApiError('InvalidFilterValue', `The Type filter takes ${PARAMETER_TYPES.join(', ')}`);
  }
  if (filter.key === 'Tier' && filter.option === 'Equals' && values.some((v) => !['Standard', 'Advanced', 'Intelligent-Tiering'].includes(v))) {
    throw new ApiError('InvalidFilterValue', 'The Tier filter takes Standard, Advanced, Intelligent-Tiering');
  }
  if (filter.key === 'Path' && values.some((v) => !v.startsWith('/'))) throw new ApiError('InvalidFilterValue', 'The values of the Path filter begin with a slash (/)');
}

/** ParameterFilters as an operation allows them. */
export function parseParameterFilters(input: Input, allowed: Partial<Record<FilterKey, string[]>>, operation: string): ParameterFilter[] {
  const raw = input.ParameterFilters;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ApiError('SerializationException', 'ParameterFilters must be a list');
  const seen = new Set<string>();
  return raw.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) throw new ApiError('SerializationException', `ParameterFilters[${index}] must be an object`);
    const { Key, Option, Values } = item as Record<string, unknown>;
    if (typeof Key !== 'string') throw new ApiError('InvalidFilterKey', `ParameterFilters[${index}] needs a Key`);
    const parsed = keyOf(Key);
    const options = parsed ? allowed[parsed.key] : undefined;
    if (!parsed || !options) {
      throw new ApiError('InvalidFilterKey', `The following filter key is not valid for ${operation}: ${Key}. Valid filter keys include: ${Object.keys(allowed).map((k) => (k === 'tag' ? 'tag:<key>' : k)).join(', ')}`);
    }
    if (seen.has(Key)) throw new ApiError('InvalidFilterKey', `The filter key ${Key} is given more than once`);
    seen.add(Key);
    if (Option !== undefined && (typeof Option !== 'string' || !options.includes(Option))) {
      throw new ApiError('InvalidFilterOption', `The filter option ${String(Option)} is not valid for key ${Key}. Valid options: ${options.join(', ')}`);
    }
    if (Values !== undefined && !Array.isArray(Values)) throw new ApiError('SerializationException', `ParameterFilters[${index}].Values must be a list`);
    const filter: ParameterFilter = { ...parsed, option: (Option as string | undefined) ?? options[0]!, values: Values as string[] | undefined };
    checkValues(filter, Key);
    return filter;
  });
}

/** DescribeParameters' older Filters (Name, Type, KeyId): Name matches the beginning of names. */
export function parseLegacyFilters(input: Input): ParameterFilter[] {
  const raw = input.Filters;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ApiError('SerializationException', 'Filters must be a list');
  return raw.map((item: unknown, index) => {
    const { Key, Values } = (item ?? {}) as Record<string, unknown>;
    if (Key !== 'Name' && Key !== 'Type' && Key !== 'KeyId') throw new ApiError('InvalidFilterKey', `Filters[${index}].Key must be Name, Type or KeyId`);
    if (!Array.isArray(Values)) throw new ApiError('InvalidFilterValue', `Filters[${index}] needs Values`);
    const filter: ParameterFilter = { key: Key, option: Key === 'Name' ? 'BeginsWith' : 'Equals', values: Values as string[] };
    checkValues(filter, Key);
    return filter;
  });
}

function textMatches(option: string, candidates: Array<string | undefined>, values: string[]): boolean {
  return candidates.some((c) => c !== undefined && values.some((v) => (option === 'BeginsWith' ? c.startsWith(v) : option === 'Contains' ? c.includes(v) : c === v)));
}

function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

/** Whether a parameter passes one filter; for Label, the version that carries the label (else undefined). */
export function matchFilter(record: StoredParameter, filter: ParameterFilter): StoredVersion | undefined {
  const current = currentVersion(record);
  const values = filter.values ?? [];
  switch (filter.key) {
    case 'Name':
      return textMatches(filter.option, [record.Name, record.Name.replace(/^\//, '')], values) ? current : undefined;
    case 'Path':
      return values.some((p) => underPath(record.Name, p, filter.option === 'Recursive')) ? current : undefined;
    case 'Type':
      return textMatches(filter.option, [current.Type], values) ? current : undefined;
    case 'KeyId':
      return current.Type === 'SecureString' && textMatches(filter.option, [current.KeyId, current.keyArn, current.keyArn?.replace(/^.*:key\//, '')], values) ? current : undefined;
    case 'Tier':
      return textMatches(filter.option, [current.Tier], values) ? current : undefined;
    case 'DataType':
      return textMatches(filter.option, [current.DataType], values) ? current : undefined;
    case 'Label':
      return record.versions.find((v) => v.Labels.some((l) => values.includes(l)));
    case 'tag': {
      const tag = record.Tags.find((t) => t.Key === filter.tagKey);
      if (!tag) return undefined;
      return filter.values === undefined || textMatches(filter.option, [tag.Value], values) ? current : undefined;
    }
  }
}

/** The version a parameter is listed with when it passes every filter (the labelled one under a Label filter). */
export function applyFilters(record: StoredParameter, filters: ParameterFilter[]): StoredVersion | undefined {
  let chosen = currentVersion(record);
  for (const filter of filters) {
    const matched = matchFilter(record, filter);
    if (!matched) return undefined;
    if (filter.key === 'Label') chosen = matched;
  }
  return chosen;
}
