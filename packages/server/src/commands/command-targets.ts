/**
 * Which instances a SendCommand reaches. SSM's rules ("Run commands at scale"):
 *   - InstanceIds (at most 50) or Targets (at most 5), not both;
 *   - Target keys: `InstanceIds` (written in any case, e.g. `instanceids` in SSM's own examples), `tag:<key>`
 *     (the tag has one of the values), `tag-key` (the instance has one of these tag keys);
 *   - several targets: an instance must match all of them; several values of one target: any of them.
 * `resource-groups:Name` needs AWS Resource Groups, which Tender does not have: refused with a clear message.
 */
import { ApiError } from '../api/errors.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { INSTANCE_ID_PATTERN, matchesAllTargets, MAX_TARGET_VALUES, MAX_TARGETS } from '../instances/instance-targets.js';
import type { Target } from './command-records.js';

export { INSTANCE_ID_PATTERN, MAX_TARGETS, MAX_TARGET_VALUES };
export const MAX_INSTANCE_IDS = 50;

function unknownInstances(ids: readonly string[], lookup: (id: string) => InstanceRecord | undefined): ApiError | undefined {
  const unknown = ids.filter((id) => !lookup(id));
  if (unknown.length === 0) return undefined;
  return new ApiError('InvalidInstanceId', `Instances [${unknown.join(', ')}] are not registered managed instances of this control plane`);
}

function duplicate(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/** Instances named directly: every one must exist and appear once. */
export function resolveInstanceIds(ids: readonly string[], lookup: (id: string) => InstanceRecord | undefined): string[] {
  const twice = duplicate(ids);
  if (twice !== undefined) throw new ApiError('DuplicateInstanceId', `Instance ${twice} appears more than once in InstanceIds`);
  const error = unknownInstances(ids, lookup);
  if (error) throw error;
  return [...ids];
}

/** Refuses a target SendCommand cannot use (the matching itself is instance-targets.ts's). */
function checkTarget(target: Target, index: number, lookup: (id: string) => InstanceRecord | undefined): void {
  const { Key: key, Values: values } = target;
  const where = `Targets[${index}]`;
  if (values.length === 0) throw new ApiError('ValidationException', `${where} (${key}) has no Values: give at least one`);
  if (key.toLowerCase() === 'instanceids') {
    const bad = values.find((id) => !INSTANCE_ID_PATTERN.test(id));
    if (bad !== undefined) {
      throw new ApiError('InvalidInstanceId', `${where}: ${JSON.stringify(bad)} is not a managed instance id (mi- followed by 17 hex digits)`);
    }
    const twice = duplicate(values);
    if (twice !== undefined) throw new ApiError('DuplicateInstanceId', `Instance ${twice} appears more than once in ${where}`);
    const error = unknownInstances(values, lookup);
    if (error) throw error;
    return;
  }
  if (key.startsWith('tag:')) {
    const tagKey = key.slice(4);
    if (tagKey.length === 0) throw new ApiError('ValidationException', `${where}: the key "tag:" needs a tag name after the colon, e.g. tag:Environment`);
    return;
  }
  if (key === 'tag-key') return;
  if (key.startsWith('resource-groups:')) {
    throw new ApiError('InvalidParameters', `${where}: ${key} targets need AWS Resource Groups, which Tender does not have; target by tag:<key>, tag-key or InstanceIds`);
  }
  throw new ApiError('ValidationException', `${where}: unsupported target key ${JSON.stringify(key)}; Run Command targets by InstanceIds, tag:<key> or tag-key`);
}

/** Instances matching every target, ordered by instance id so that the dispatch order is stable. */
export function resolveTargets(targets: readonly Target[], all: readonly InstanceRecord[], lookup: (id: string) => InstanceRecord | undefined): string[] {
  targets.forEach((target, index) => checkTarget(target, index, lookup));
  return all
    .filter((record) => matchesAllTargets(targets, record))
    .map((record) => record.InstanceId)
    .sort();
}
