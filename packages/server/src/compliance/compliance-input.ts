/**
 * PutComplianceItems' input, checked the way SSM checks it. Both the API and the in-process ComplianceRecorder
 * go through parseComplianceWrite, so a write from State Manager or Patch Manager meets the same rules as one
 * from an operator's script.
 */
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalString, requiredString } from '../api/validate.js';
import type { ComplianceWrite } from './compliance-recorder.js';
import { SEVERITIES, STATUSES, type StoredExecutionSummary, type StoredItem } from './compliance-records.js';

export const COMPLIANCE_TYPE = /^([A-Za-z0-9_-]\w+|Custom:[a-zA-Z0-9_-]\w+)$/;
export const RESOURCE_TYPES = ['ManagedInstance'] as const;
/** The model's bound on Items in one call. */
export const MAX_ITEMS_PER_PUT = 10_000;
/** SSM: "You can specify a maximum of 10 different types" of custom compliance per resource. */
export const MAX_CUSTOM_TYPES = 10;
/** One item as JSON (SSM does not publish its figure; this leaves room for many 4 KB Details values). */
export const MAX_ITEM_BYTES = 64 * 1024;
/** Everything one resource holds, over all its types, as JSON. */
export const MAX_RESOURCE_BYTES = 8 * 1024 * 1024;

export interface ParsedWrite {
  ResourceId: string;
  ResourceType: 'ManagedInstance';
  ComplianceType: string;
  ExecutionSummary: StoredExecutionSummary;
  Items: StoredItem[];
  /** JSON size of Items. */
  bytes: number;
  ItemContentHash?: string;
  UploadType: 'COMPLETE' | 'PARTIAL';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function validation(field: string, value: unknown, constraint: string): ApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError('ValidationException', `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function executionTime(value: unknown): string {
  // The wire has epoch seconds; in process it is a Date; curl users may send ISO text.
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  if (value === undefined || value === null) throw validation('executionSummary.executionTime', null, 'Member must not be null');
  if (!date || Number.isNaN(date.getTime())) throw new ApiError('SerializationException', 'ExecutionSummary.ExecutionTime must be a timestamp (epoch seconds)');
  return date.toISOString();
}

function executionSummary(value: unknown): StoredExecutionSummary {
  if (value === undefined || value === null) throw validation('executionSummary', null, 'Member must not be null');
  if (!isRecord(value)) throw new ApiError('SerializationException', 'ExecutionSummary must be an object');
  const id = optionalString(value, 'ExecutionId', { max: 100 });
  const type = optionalString(value, 'ExecutionType', { max: 50 });
  return { ExecutionTime: executionTime(value.ExecutionTime), ...(id !== undefined ? { ExecutionId: id } : {}), ...(type !== undefined ? { ExecutionType: type } : {}) };
}

function details(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ApiError('SerializationException', `${where}.Details must be a map of strings`);
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw new ApiError('SerializationException', `${where}.Details.${key} must be a string`);
    if (key.length < 1 || key.length > 64) throw validation(`${where}.details`, key, 'Map keys must have length between 1 and 64');
    if (text.length > 4096) throw validation(`${where}.details.${key}`, `${text.slice(0, 40)}...`, 'Member must have length less than or equal to 4096');
    out[key] = text;
  }
  return out;
}

function item(value: unknown, index: number, complianceType: string): StoredItem {
  const where = `items.${index + 1}.member`;
  if (!isRecord(value)) throw new ApiError('SerializationException', `Items[${index}] must be an object`);
  const id = value.Id;
  if (id !== undefined && id !== null && typeof id !== 'string') throw new ApiError('SerializationException', `Items[${index}].Id must be a string`);
  const title = value.Title;
  if (title !== undefined && title !== null && typeof title !== 'string') throw new ApiError('SerializationException', `Items[${index}].Title must be a string`);
  if (typeof title === 'string' && title.length > 500) throw validation(`${where}.title`, `${title.slice(0, 40)}...`, 'Member must have length less than or equal to 500');
  const severity = value.Severity;
  if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) {
    throw validation(`${where}.severity`, severity ?? null, severity === undefined || severity === null ? 'Member must not be null' : `Member must satisfy enum value set: [${SEVERITIES.join(', ')}]`);
  }
  const status = value.Status;
  if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
    throw validation(`${where}.status`, status ?? null, status === undefined || status === null ? 'Member must not be null' : `Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
  }
  const map = details(value.Details, `Items[${index}]`);
  // Built field by field (not with conditional spreads, which cost several times more per item), in SSM's order.
  const stored = {} as StoredItem;
  if (typeof id === 'string') stored.Id = id;
  if (typeof title === 'string') stored.Title = title;
  stored.Severity = severity as StoredItem['Severity'];
  stored.Status = status as StoredItem['Status'];
  if (map) stored.Details = map;
  // Serialising every item to measure it would cost more than the rest of the checks together: only an item
  // whose text could reach the limit even in the worst case (every character escaped as \uXXXX) is measured.
  let text = (stored.Id?.length ?? 0) + (stored.Title?.length ?? 0);
  for (const key in map) text += key.length + map[key]!.length;
  if (text * 6 + 200 + 6 * Object.keys(map ?? {}).length > MAX_ITEM_BYTES) {
    const size = Buffer.byteLength(JSON.stringify(stored));
    if (size > MAX_ITEM_BYTES) {
      throw new ApiError('ItemSizeLimitExceededException', `Items[${index}]${stored.Id !== undefined ? ` (${stored.Id})` : ''} of ${complianceType} is ${size} bytes; one compliance item may be at most ${MAX_ITEM_BYTES}`);
    }
  }
  return stored;
}

/** A PutComplianceItems request (wire form) or a ComplianceWrite (in process), checked and normalised. */
export function parseComplianceWrite(input: Input | ComplianceWrite): ParsedWrite {
  const raw = input as Input;
  const resourceId = requiredString(raw, 'ResourceId', { min: 1, max: 100 });
  const resourceType = requiredString(raw, 'ResourceType', { min: 1, max: 50 });
  if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) throw new ApiError('InvalidResourceType', `The resource type ${resourceType} is not valid: ManagedInstance is the only supported resource type`);
  const complianceType = requiredString(raw, 'ComplianceType', { min: 1, max: 100 });
  if (!COMPLIANCE_TYPE.test(complianceType)) throw validation('complianceType', complianceType, `Member must satisfy regular expression pattern: ${COMPLIANCE_TYPE.source}`);
  const summary = executionSummary(raw.ExecutionSummary);
  const hash = optionalString(raw, 'ItemContentHash', { max: 256 });
  const uploadType = optionalString(raw, 'UploadType') ?? 'COMPLETE';
  if (uploadType !== 'COMPLETE' && uploadType !== 'PARTIAL') throw validation('uploadType', uploadType, 'Member must satisfy enum value set: [COMPLETE, PARTIAL]');
  const list = raw.Items;
  if (list === undefined || list === null) throw validation('items', null, 'Member must not be null');
  if (!Array.isArray(list)) throw new ApiError('SerializationException', 'Items must be a list');
  if (list.length > MAX_ITEMS_PER_PUT) throw validation('items', `[${list.length} items]`, `Member must have length less than or equal to ${MAX_ITEMS_PER_PUT}`);

  const items = list.map((value, index) => item(value, index, complianceType));
  const seen = new Set<string>();
  for (const [index, entry] of items.entries()) {
    if (entry.Id === undefined) {
      // PARTIAL replaces items by Id: an item without one could never be replaced or removed again.
      if (uploadType === 'PARTIAL') throw new ApiError('InvalidItemContentException', `Items[${index}] has no Id: a PARTIAL upload replaces items by Id`);
      continue;
    }
    if (seen.has(entry.Id)) throw new ApiError('InvalidItemContentException', `Items[${index}]: the Id ${entry.Id} appears more than once in ${complianceType}`);
    seen.add(entry.Id);
  }
  return {
    ResourceId: resourceId,
    ResourceType: 'ManagedInstance',
    ComplianceType: complianceType,
    ExecutionSummary: summary,
    Items: items,
    bytes: Buffer.byteLength(JSON.stringify(items)),
    ...(hash !== undefined && hash !== '' ? { ItemContentHash: hash } : {}),
    UploadType: uploadType,
  };
}
