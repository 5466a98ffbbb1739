/**
 * The filters of the Patch Manager listings: PatchOrchestratorFilter (Key and Values) for DescribePatchBaselines,
 * DescribePatchGroups, DescribeAvailablePatches and DescribeInstancePatches, and InstancePatchStateFilter (Key,
 * one integer Value, Type) for DescribeInstancePatchStatesForPatchGroup. A key the operation does not know is
 * refused with the operation's error (ValidationException or InvalidFilter), naming the keys it knows.
 */
import { ApiError } from '../api/errors.js';
import { PATCH_COUNT_FIELDS, type InstancePatchStateRecord } from './patch-report.js';

export interface OrchestratorFilter {
  Key: string;
  Values: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** PatchOrchestratorFilterList: 0-5 filters of a key (1-128 characters) and values (1-256 characters each). */
export function readOrchestratorFilters(value: unknown, keys: readonly string[], errorCode: 'ValidationException' | 'InvalidFilter'): OrchestratorFilter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError('SerializationException', 'Filters must be a list');
  if (value.length > 5) throw new ApiError('ValidationException', `1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5`);
  return value.map((raw: unknown, i) => {
    if (!isRecord(raw)) throw new ApiError('SerializationException', `Filters[${i}] must be an object`);
    const key = raw.Key;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) throw new ApiError(errorCode, `Filters[${i}].Key must be 1-128 characters`);
    if (!keys.includes(key)) throw new ApiError(errorCode, `${key} is not a valid filter key here; valid keys: ${keys.join(', ')}`);
    const values = raw.Values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || v.length < 1 || v.length > 256)) throw new ApiError(errorCode, `Filters[${i}].Values must be a list of strings of 1-256 characters`);
    return { Key: key, Values: values as string[] };
  });
}

const STATE_FILTER_TYPES = ['Equal', 'NotEqual', 'LessThan', 'GreaterThan'] as const;
type StateFilterType = (typeof STATE_FILTER_TYPES)[number];

/** InstancePatchStateFilter list as a predicate over instance patch states. */
export function readInstancePatchStateFilters(value: unknown): (state: InstancePatchStateRecord) => boolean {
  if (value === undefined || value === null) return () => true;
  if (!Array.isArray(value)) throw new ApiError('SerializationException', 'Filters must be a list');
  if (value.length > 4) throw new ApiError('ValidationException', `1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 4`);
  const tests = value.map((raw: unknown, i) => {
    if (!isRecord(raw)) throw new ApiError('SerializationException', `Filters[${i}] must be an object`);
    const key = raw.Key;
    if (typeof key !== 'string' || !(PATCH_COUNT_FIELDS as readonly string[]).includes(key)) {
      throw new ApiError('InvalidFilter', `${String(key)} is not a valid filter key; valid keys: ${PATCH_COUNT_FIELDS.join(', ')}`);
    }
    const values = raw.Values;
    if (!Array.isArray(values) || values.length !== 1 || typeof values[0] !== 'string' || !/^\d{1,9}$/.test(values[0])) {
      throw new ApiError('InvalidFilter', `Filters[${i}] (${key}) takes exactly one value, an integer greater than or equal to 0`);
    }
    const type = raw.Type;
    if (typeof type !== 'string' || !(STATE_FILTER_TYPES as readonly string[]).includes(type)) {
      throw new ApiError('InvalidFilter', `Filters[${i}].Type must be one of ${STATE_FILTER_TYPES.join(', ')}`);
    }
    const wanted = Number(values[0]);
    const field = key as (typeof PATCH_COUNT_FIELDS)[number];
    const compare: Record<StateFilterType, (n: number) => boolean> = {
      Equal: (n) => n === wanted,
      NotEqual: (n) => n !== wanted,
      LessThan: (n) => n < wanted,
      GreaterThan: (n) => n > wanted,
    };
    return (state: InstancePatchStateRecord) => compare[type as StateFilterType](state[field]);
  });
  return (state) => tests.every((test) => test(state));
}

/** A patch state as a filter value may spell it: `InstalledPendingReboot` or `INSTALLED_PENDING_REBOOT`. */
export function normalizedState(value: string): string {
  return value.replace(/_/g, '').toLowerCase();
}
