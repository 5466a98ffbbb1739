/**
 * Which managed nodes an association targets. SSM's rules ("Understanding targets and rate controls in State
 * Manager associations"): at most 5 targets, each a key and up to 50 values; an instance must match every
 * target, and any one value of a target. Keys:
 *   - `InstanceIds` (any case): instance ids, or `*` alone for every managed node of the account;
 *   - `tag:<key>`: the node has that tag with one of the values;
 *   - `tag-key`: the node has one of these tag keys.
 * Resource groups need AWS Resource Groups, which Tender does not have: InvalidTarget with a clear message.
 * Tag targets may match no node yet (the association applies when a node comes to match); instance ids must
 * name registered nodes, since an id that matches nothing never will.
 */
import { ApiError } from '../api/errors.js';
import { requiredString } from '../api/validate.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { INSTANCE_ID_PATTERN, matchesAllTargets, MAX_TARGET_VALUES, MAX_TARGETS } from '../instances/instance-targets.js';
import { invalidTarget } from './association-errors.js';
import type { AssociationTarget } from './association-records.js';

export { INSTANCE_ID_PATTERN };
/** The Target shape's Key pattern, as the SSM model writes it. */
const TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name/u;

/** Read and check `Targets` from a request: its shape, its keys, and that named instances exist. */
export function parseTargets(value: unknown, lookup: (id: string) => InstanceRecord | undefined): AssociationTarget[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw invalidTarget('An association needs Targets: Key=InstanceIds with instance ids (or * for every managed node), Key=tag:<name>, or Key=tag-key');
  }
  if (!Array.isArray(value)) throw new ApiError('SerializationException', 'Targets must be a list');
  if (value.length > MAX_TARGETS) throw invalidTarget(`An association has at most ${MAX_TARGETS} targets; this request gives ${value.length}`);
  return value.map((item, index) => parseTarget(item, index, lookup));
}

function parseTarget(item: unknown, index: number, lookup: (id: string) => InstanceRecord | undefined): AssociationTarget {
  const where = `Targets[${index}]`;
  if (typeof item !== 'object' || item === null) throw new ApiError('SerializationException', `${where} must be an object`);
  const target = item as Record<string, unknown>;
  const key = requiredString(target, 'Key', { min: 1, max: 163, pattern: TARGET_KEY });
  const rawValues = target.Values ?? [];
  if (!Array.isArray(rawValues) || rawValues.some((v) => typeof v !== 'string')) throw new ApiError('SerializationException', `${where}.Values must be a list of strings`);
  const values = rawValues as string[];
  if (values.length === 0) throw invalidTarget(`${where} (${key}) has no Values: give at least one`);
  if (values.length > MAX_TARGET_VALUES) throw invalidTarget(`${where} (${key}) has ${values.length} values; the limit is ${MAX_TARGET_VALUES}`);

  if (key.toLowerCase() === 'instanceids') {
    if (values.includes('*')) {
      if (values.length > 1) throw invalidTarget(`${where}: InstanceIds * (every managed node) stands alone; it cannot be combined with instance ids`);
      return { Key: key, Values: ['*'] };
    }
    const malformed = values.find((id) => !INSTANCE_ID_PATTERN.test(id));
    if (malformed !== undefined) throw new ApiError('InvalidInstanceId', `${where}: ${JSON.stringify(malformed)} is not a managed instance id (mi- followed by 17 hex digits)`);
    const twice = values.find((id, i) => values.indexOf(id) !== i);
    if (twice !== undefined) throw new ApiError('DuplicateInstanceId', `Instance ${twice} appears more than once in ${where}`);
    const unknown = values.filter((id) => !lookup(id));
    if (unknown.length > 0) throw new ApiError('InvalidInstanceId', `${where}: instances [${unknown.join(', ')}] are not registered managed instances of this control plane`);
    return { Key: key, Values: [...values] };
  }
  if (key.startsWith('tag:')) {
    if (key.length === 4) throw invalidTarget(`${where}: the key "tag:" needs a tag name after the colon, e.g. tag:Environment`);
    return { Key: key, Values: [...values] };
  }
  if (key === 'tag-key') return { Key: key, Values: [...values] };
  if (key.startsWith('resource-groups:')) {
    throw invalidTarget(`${where}: ${key} targets need AWS Resource Groups, which Tender does not have; target by InstanceIds, tag:<key> or tag-key`);
  }
  throw invalidTarget(`${where}: unsupported target key ${JSON.stringify(key)}; associations target by InstanceIds (ids or *), tag:<key> or tag-key`);
}

/** Whether a node is one of the association's targets now (every target matches). */
export function targetsMatch(targets: readonly AssociationTarget[], record: Pick<InstanceRecord, 'InstanceId' | 'Tags'>): boolean {
  return matchesAllTargets(targets, record);
}
