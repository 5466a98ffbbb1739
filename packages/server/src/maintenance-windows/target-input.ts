/**
 * Targets of maintenance windows. A window target (RegisterTargetWithMaintenanceWindow) names managed nodes as
 * SendCommand and associations do: Key=InstanceIds, tag:<key> or tag-key, at most 5 targets of up to 50 values,
 * matched by the shared matcher (instances/instance-targets.ts). A task's targets name the window's registered
 * targets (Key=WindowTargetIds), or instance ids directly when the window allows unassociated targets.
 */
import { ApiError } from '../api/errors.js';
import { requiredString } from '../api/validate.js';
import { INSTANCE_ID_PATTERN, MAX_TARGET_VALUES, MAX_TARGETS } from '../instances/instance-targets.js';
import { doesNotExist, invalidInput } from './window-errors.js';
import { UUID_ID } from './window-input.js';
import type { Target, WindowRecord, WindowTargetRecord } from './window-records.js';

const TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name/u;

function readTargets(value: unknown, field = 'Targets'): Target[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `${field} must be a list`);
  if (value.length > MAX_TARGETS) throw invalidInput(`1 validation error detected: Value at '${field.toLowerCase()}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TARGETS}`);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) throw new ApiError('SerializationException', `${field}[${index}] must be an object with Key and Values`);
    const target = item as Record<string, unknown>;
    const key = requiredString(target, 'Key', { min: 1, max: 163, pattern: TARGET_KEY });
    const values = target.Values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new ApiError('SerializationException', `${field}[${index}].Values must be a list of strings`);
    if (values.length === 0) throw invalidInput(`${field}[${index}] (${key}) has no Values: give at least one`);
    if (values.length > MAX_TARGET_VALUES) throw invalidInput(`${field}[${index}] (${key}) has ${values.length} values; the limit is ${MAX_TARGET_VALUES}`);
    return { Key: key, Values: [...(values as string[])] };
  });
}

function checkInstanceIds(values: readonly string[], where: string): void {
  const malformed = values.find((id) => !INSTANCE_ID_PATTERN.test(id));
  if (malformed !== undefined) throw invalidInput(`${where}: ${JSON.stringify(malformed)} is not a managed instance id (mi- followed by 17 hex digits)`);
}

/** RegisterTargetWithMaintenanceWindow / UpdateMaintenanceWindowTarget's Targets. */
export function parseWindowTargets(value: unknown): Target[] {
  const targets = readTargets(value);
  if (targets.length === 0) throw invalidInput('A maintenance window target needs Targets: Key=InstanceIds with instance ids, Key=tag:<name>, or Key=tag-key');
  targets.forEach((target, index) => {
    const where = `Targets[${index}]`;
    if (target.Key === 'InstanceIds') checkInstanceIds(target.Values, where);
    else if (target.Key.startsWith('tag:')) {
      if (target.Key.length === 4) throw invalidInput(`${where}: the key "tag:" needs a tag name after the colon, e.g. tag:Environment`);
    } else if (target.Key === 'tag-key') {
      // any tag key
    } else if (target.Key.startsWith('resource-groups:')) {
      throw invalidInput(`${where}: ${target.Key} targets need AWS Resource Groups, which Tender does not have; target by InstanceIds, tag:<key> or tag-key`);
    } else {
      throw invalidInput(`${where}: unsupported target key ${JSON.stringify(target.Key)}; maintenance window targets are InstanceIds, tag:<key> or tag-key`);
    }
  });
  return targets;
}

/**
 * A task's Targets: the window's registered targets by id, or (only when the window allows unassociated targets)
 * instance ids. Every WindowTargetId must be registered with this window.
 */
export function parseTaskTargets(value: unknown, window: WindowRecord, registered: readonly WindowTargetRecord[]): Target[] {
  const targets = readTargets(value);
  if (targets.length === 0) {
    throw invalidInput('RUN_COMMAND tasks need Targets: Key=WindowTargetIds with the ids of targets registered with the window (or Key=InstanceIds when the window allows unassociated targets)');
  }
  targets.forEach((target, index) => {
    const where = `Targets[${index}]`;
    if (target.Key === 'WindowTargetIds') {
      const malformed = target.Values.find((id) => !UUID_ID.test(id));
      if (malformed !== undefined) throw invalidInput(`${where}: ${JSON.stringify(malformed)} is not a window target id`);
      const unknown = target.Values.filter((id) => !registered.some((r) => r.WindowTargetId === id));
      if (unknown.length > 0) throw doesNotExist(`Maintenance window ${window.WindowId} has no registered targets [${unknown.join(', ')}]: register them with RegisterTargetWithMaintenanceWindow first`);
    } else if (target.Key === 'InstanceIds') {
      if (!window.AllowUnassociatedTargets) {
        throw invalidInput(`Maintenance window ${window.WindowId} does not allow unassociated targets: register the instances as a window target and name it with Key=WindowTargetIds, or set AllowUnassociatedTargets`);
      }
      checkInstanceIds(target.Values, where);
    } else {
      throw invalidInput(`${where}: a task targets Key=WindowTargetIds (or Key=InstanceIds), not ${JSON.stringify(target.Key)}`);
    }
  });
  return targets;
}

/** DescribeMaintenanceWindowsForTarget / DescribeMaintenanceWindowSchedule's Targets: instance ids or tags. */
export function parseLookupTargets(value: unknown): Target[] {
  return readTargets(value);
}
