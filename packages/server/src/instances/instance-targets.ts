/**
 * SSM's targets for managed instances, shared by Run Command and State Manager: at most 5 targets of up to 50
 * values each; an instance must match every target, and any one value of a target. Keys:
 *   - `InstanceIds` (any case): instance ids, or `*` alone for every managed node (State Manager only);
 *   - `tag:<key>`: the instance has that tag with one of the values;
 *   - `tag-key`: the instance has one of these tag keys.
 * Each API checks its request's targets itself (their errors differ: ValidationException for SendCommand,
 * InvalidTarget for associations); matching is one rule for both.
 */
import type { InstanceRecord } from './instance-registry.js';

/** An instance id as SSM accepts one: EC2's `i-...` or a managed instance's `mi-...`. */
export const INSTANCE_ID_PATTERN = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
export const MAX_TARGETS = 5;
export const MAX_TARGET_VALUES = 50;

export interface InstanceTarget {
  Key: string;
  Values: readonly string[];
}

/** Whether an instance matches one (already checked) target; an unknown key matches nothing. */
export function matchesTarget(target: InstanceTarget, record: Pick<InstanceRecord, 'InstanceId' | 'Tags'>): boolean {
  if (target.Key.toLowerCase() === 'instanceids') return target.Values[0] === '*' || target.Values.includes(record.InstanceId);
  if (target.Key.startsWith('tag:')) {
    const tagKey = target.Key.slice(4);
    return record.Tags.some((tag) => tag.Key === tagKey && target.Values.includes(tag.Value));
  }
  if (target.Key === 'tag-key') return record.Tags.some((tag) => target.Values.includes(tag.Key));
  return false;
}

/** Whether an instance matches every target. */
export function matchesAllTargets(targets: readonly InstanceTarget[], record: Pick<InstanceRecord, 'InstanceId' | 'Tags'>): boolean {
  return targets.every((target) => matchesTarget(target, record));
}
