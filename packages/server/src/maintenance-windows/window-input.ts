/**
 * CreateMaintenanceWindow's and UpdateMaintenanceWindow's requests, checked against SSM's model
 * (ssm-service-2.json) and SSM's rules before anything is written: Duration 1-24 hours, Cutoff 0-23 hours and
 * less than Duration, a schedule that parses and still fires.
 */
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalInteger, optionalList, optionalString, parseTag, requiredString, type Tag } from '../api/validate.js';
import { invalidInput } from './window-errors.js';
import type { WindowRecord } from './window-records.js';
import { validateWindowSchedule } from './window-schedule.js';

export const WINDOW_ID = /^mw-[0-9a-f]{17}$/;
export const UUID_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
export const MIN_DURATION_HOURS = 1;
export const MAX_DURATION_HOURS = 24;
export const MAX_CUTOFF_HOURS = 23;

/** The settings a window is made of (everything but its identity and dates). */
export type WindowSettings = Pick<
  WindowRecord,
  'Name' | 'Description' | 'StartDate' | 'EndDate' | 'Schedule' | 'ScheduleTimezone' | 'ScheduleOffset' | 'Duration' | 'Cutoff' | 'AllowUnassociatedTargets' | 'Enabled'
>;

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `${field} must be true or false`);
  return value;
}

function requiredBoolean(input: Input, field: string): boolean {
  const value = optionalBoolean(input, field);
  if (value === undefined) throw new ApiError('ValidationException', `1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function requiredInteger(input: Input, field: string, rules: { min: number; max: number }): number {
  const value = optionalInteger(input, field, rules);
  if (value === undefined) throw new ApiError('ValidationException', `1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** The fields every window-level request shares, as given (undefined when absent). */
function readFields(input: Input) {
  return {
    Name: optionalString(input, 'Name', { min: 3, max: 128, pattern: NAME }),
    Description: optionalString(input, 'Description', { min: 1, max: 128 }),
    StartDate: optionalString(input, 'StartDate'),
    EndDate: optionalString(input, 'EndDate'),
    Schedule: optionalString(input, 'Schedule', { min: 1, max: 256 }),
    ScheduleTimezone: optionalString(input, 'ScheduleTimezone'),
    ScheduleOffset: optionalInteger(input, 'ScheduleOffset', { min: 1, max: 6 }),
    Duration: optionalInteger(input, 'Duration', { min: MIN_DURATION_HOURS, max: MAX_DURATION_HOURS }),
    Cutoff: optionalInteger(input, 'Cutoff', { min: 0, max: MAX_CUTOFF_HOURS }),
    AllowUnassociatedTargets: optionalBoolean(input, 'AllowUnassociatedTargets'),
    Enabled: optionalBoolean(input, 'Enabled'),
  };
}

/** Checks that need the whole window: the cutoff against the duration, and the schedule. */
function checkWindow(settings: WindowSettings, scheduleSince: string, now: Date): void {
  if (settings.Cutoff >= settings.Duration) {
    throw invalidInput(`The cutoff (${settings.Cutoff} hours) must be less than the duration (${settings.Duration} hours): no task could ever start`);
  }
  validateWindowSchedule({ ...settings, scheduleSince }, now);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface CreateWindowRequest {
  settings: WindowSettings;
  tags: Tag[];
  clientToken?: string;
}

export function parseCreateWindow(input: Input, now: Date): CreateWindowRequest {
  requiredString(input, 'Name', { min: 3, max: 128, pattern: NAME });
  requiredString(input, 'Schedule', { min: 1, max: 256 });
  requiredInteger(input, 'Duration', { min: MIN_DURATION_HOURS, max: MAX_DURATION_HOURS });
  requiredInteger(input, 'Cutoff', { min: 0, max: MAX_CUTOFF_HOURS });
  requiredBoolean(input, 'AllowUnassociatedTargets');
  const fields = readFields(input);
  const settings = withoutUndefined({ ...fields, Enabled: fields.Enabled ?? true }) as WindowSettings;
  checkWindow(settings, now.toISOString(), now);
  const tags = optionalList(input, 'Tags', parseTag, { max: 1000 }) ?? [];
  const clientToken = optionalString(input, 'ClientToken', { min: 1, max: 64 });
  return { settings, tags, ...(clientToken !== undefined ? { clientToken } : {}) };
}

/**
 * UpdateMaintenanceWindow: fields given replace the current ones; with Replace, fields not given are reset
 * (optional ones removed), and the required ones must then be given.
 */
export function parseUpdateWindow(input: Input, current: WindowRecord, now: Date): { settings: WindowSettings; scheduleChanged: boolean } {
  const fields = readFields(input);
  const replace = optionalBoolean(input, 'Replace') ?? false;
  let settings: WindowSettings;
  if (replace) {
    for (const field of ['Name', 'Schedule', 'Duration', 'Cutoff', 'AllowUnassociatedTargets'] as const) {
      if (fields[field] === undefined) throw invalidInput(`With Replace, ${field} must be given: it is required and Replace clears what is not given`);
    }
    settings = withoutUndefined({ ...fields, Enabled: fields.Enabled ?? true }) as WindowSettings;
  } else {
    const { WindowId: _id, Tags: _tags, CreatedDate: _created, ModifiedDate: _modified, clientToken: _token, scheduleSince: _since, ...kept } = current;
    settings = withoutUndefined({ ...kept, ...withoutUndefined(fields) }) as WindowSettings;
  }
  const scheduleChanged = (['Schedule', 'ScheduleTimezone', 'ScheduleOffset', 'StartDate'] as const).some((field) => settings[field] !== current[field]);
  checkWindow(settings, scheduleChanged ? now.toISOString() : current.scheduleSince, now);
  return { settings, scheduleChanged };
}
