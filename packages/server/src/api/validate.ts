import { ApiError } from './errors.js';
import type { Input } from './operation.js';

/**
 * Small input checks that answer the way AWS's validation layer does ("1 validation error detected: Value
 * ... at 'field' failed to satisfy constraint: ..."), so messages read like the ones operators know.
 */
function violation(field: string, value: unknown, constraint: string): ApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError('ValidationException', `1 validation error detected: Value '${shown}' at '${lowerFirst(field)}' failed to satisfy constraint: ${constraint}`);
}

function lowerFirst(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

export function optionalString(input: Input, field: string, rules: { min?: number; max?: number; pattern?: RegExp } = {}): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('SerializationException', `${field} must be a string`);
  if (rules.min !== undefined && value.length < rules.min) throw violation(field, value, `Member must have length greater than or equal to ${rules.min}`);
  if (rules.max !== undefined && value.length > rules.max) throw violation(field, value, `Member must have length less than or equal to ${rules.max}`);
  if (rules.pattern && !rules.pattern.test(value)) throw violation(field, value, `Member must satisfy regular expression pattern: ${rules.pattern.source}`);
  return value;
}

export function requiredString(input: Input, field: string, rules: { min?: number; max?: number; pattern?: RegExp } = {}): string {
  const value = optionalString(input, field, rules);
  if (value === undefined) throw violation(field, null, 'Member must not be null');
  return value;
}

export function optionalInteger(input: Input, field: string, rules: { min?: number; max?: number } = {}): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ApiError('SerializationException', `${field} must be an integer`);
  if (rules.min !== undefined && value < rules.min) throw violation(field, value, `Member must have value greater than or equal to ${rules.min}`);
  if (rules.max !== undefined && value > rules.max) throw violation(field, value, `Member must have value less than or equal to ${rules.max}`);
  return value;
}

/** AWS JSON 1.1 sends timestamps as epoch seconds (numbers); accept ISO strings too, for curl users. */
export function optionalTimestamp(input: Input, field: string): Date | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new ApiError('SerializationException', `${field} must be a timestamp (epoch seconds)`);
  return date;
}

export function optionalList<T>(input: Input, field: string, item: (value: unknown, index: number) => T, rules: { min?: number; max?: number } = {}): T[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `${field} must be a list`);
  if (rules.min !== undefined && value.length < rules.min) throw violation(field, value, `Member must have length greater than or equal to ${rules.min}`);
  if (rules.max !== undefined && value.length > rules.max) throw violation(field, value, `Member must have length less than or equal to ${rules.max}`);
  return value.map(item);
}

export interface Tag {
  Key: string;
  Value: string;
}

const TAG_TEXT = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;

export function parseTag(value: unknown, index: number): Tag {
  if (typeof value !== 'object' || value === null) throw new ApiError('SerializationException', `Tags[${index}] must be an object`);
  const tag = value as Input;
  const key = requiredString(tag, 'Key', { min: 1, max: 128, pattern: TAG_TEXT });
  const text = requiredString(tag, 'Value', { min: 0, max: 256, pattern: TAG_TEXT });
  if (key.toLowerCase().startsWith('aws:')) throw new ApiError('InvalidParameters', `Tag keys beginning with aws: are reserved: ${key}`);
  return { Key: key, Value: text };
}

export function parseStringList(field: string) {
  return (value: unknown, index: number): string => {
    if (typeof value !== 'string') throw new ApiError('SerializationException', `${field}[${index}] must be a string`);
    return value;
  };
}
