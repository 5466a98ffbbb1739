/**
 * What PutInventory (and the agent's `inventory` message) accept, with SSM's limits and SSM's error names.
 * Limits from SSM's API model: 1–30 items per call; a type name of 1–100 characters matching ^(AWS|Custom):.*$;
 * up to 10,000 rows per item, each of at most 50 attributes, names of 1–64 characters, values up to 4,096; a
 * ContentHash of at most 256 characters. From SSM's quotas: 20 custom types per account, 200 KB per custom
 * item. For AWS: types (which only agents send) an item may be up to 3 MB, the SSM agent's own per-type limit
 * (a host's AWS:File or AWS:Application can be large; the agent's signed upload carries up to 4 MB). One
 * PutInventory call's content is at most 1 MB in all, as the API's request body is.
 */
import { ApiError } from '../api/errors.js';
import { AWS_SCHEMA_BY_TYPE } from './inventory-schemas.js';
import type { InventoryRow } from './inventory-records.js';

export const MAX_ITEMS = 30;
export const MAX_ROWS = 10_000;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_NAME = 64;
export const MAX_VALUE = 4096;
export const MAX_HASH = 256;
export const MAX_CUSTOM_TYPES = 20;
export const MAX_CUSTOM_ITEM_BYTES = 200 * 1024;
export const MAX_AWS_ITEM_BYTES = 3 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 1024 * 1024;

const TYPE_NAME = /^(AWS|Custom):.*$/;
const SCHEMA_VERSION = /^([0-9]{1,6})(\.[0-9]{1,6})$/;
const CAPTURE_TIME = /^(20)[0-9][0-9]-(0[1-9]|1[012])-([12][0-9]|3[01]|0[1-9])(T)(2[0-3]|[0-1][0-9])(:[0-5][0-9])(:[0-5][0-9])(Z)$/;
/** Context keys SSM allows, on AWS:ComplianceItem only. */
const CONTEXT_KEYS = new Set(['ExecutionId', 'ExecutionType', 'ExecutionTime', 'ComplianceType']);

/** An item that passed every check; Content undefined means "hash only". */
export interface CheckedItem {
  TypeName: string;
  SchemaVersion: string;
  CaptureTime: string;
  ContentHash?: string;
  Content?: InventoryRow[];
  Context?: Record<string, string>;
  /** Size of the content's JSON, for the per-call limit. */
  bytes: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Compare `1.10` with `1.9` as versions of a schema: major, then minor, as numbers. */
export function compareSchemaVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/**
 * Check one item. `caller` decides the namespace: API callers may put Custom: types only (AWS: types are what
 * the agent gathers, and SSM refuses them from callers too); agents may send both, AWS: ones only of SSM's types.
 */
export function checkItem(value: unknown, index: number, caller: 'api' | 'agent'): CheckedItem {
  const where = `Items[${index}]`;
  if (!isRecord(value)) throw new ApiError('SerializationException', `${where} must be an object`);
  const typeName = value.TypeName;
  if (typeof typeName !== 'string' || typeName.length < 1 || typeName.length > 100 || !TYPE_NAME.test(typeName)) {
    throw new ApiError('InvalidTypeNameException', `${where}.TypeName ${JSON.stringify(typeName ?? null)} is not a valid inventory type name: it must be 1-100 characters and start with AWS: or Custom:`);
  }
  if (typeName.startsWith('Custom:') && typeName.length === 'Custom:'.length) throw new ApiError('InvalidTypeNameException', `${where}.TypeName needs a name after Custom:`);
  const awsSchema = AWS_SCHEMA_BY_TYPE.get(typeName);
  if (typeName.startsWith('AWS:')) {
    if (caller === 'api') throw new ApiError('InvalidTypeNameException', `${typeName}: the AWS: types are reported by the agent; PutInventory accepts Custom: types (e.g. Custom:${typeName.slice(4)})`);
    if (!awsSchema) throw new ApiError('InvalidTypeNameException', `${typeName} is not one of SSM's inventory types (GetInventorySchema lists them); use Custom: for your own`);
  }
  const schemaVersion = value.SchemaVersion;
  if (typeof schemaVersion !== 'string' || !SCHEMA_VERSION.test(schemaVersion)) {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${String(schemaVersion)}' at '${lowerFirst(where)}.member.schemaVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ${SCHEMA_VERSION.source}`);
  }
  if (awsSchema && compareSchemaVersions(schemaVersion, awsSchema.Version) > 0) {
    throw new ApiError('UnsupportedInventorySchemaVersionException', `${typeName} schema version ${schemaVersion} is newer than the ${awsSchema.Version} this control plane knows`);
  }
  const captureTime = value.CaptureTime;
  if (typeof captureTime !== 'string' || !CAPTURE_TIME.test(captureTime)) {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${String(captureTime)}' at '${lowerFirst(where)}.member.captureTime' failed to satisfy constraint: Member must be yyyy-MM-ddTHH:mm:ssZ (e.g. 2026-11-28T22:00:00Z)`);
  }
  const contentHash = value.ContentHash;
  if (contentHash !== undefined && contentHash !== null && (typeof contentHash !== 'string' || contentHash.length > MAX_HASH)) {
    throw new ApiError('ValidationException', `${where}.ContentHash must be a string of at most ${MAX_HASH} characters`);
  }
  const context = checkContext(value.Context, typeName, where);
  const content = value.Content === undefined || value.Content === null ? undefined : checkContent(value.Content, typeName, where);
  const bytes = content === undefined ? 0 : Buffer.byteLength(JSON.stringify(content), 'utf8');
  const limit = typeName.startsWith('Custom:') ? MAX_CUSTOM_ITEM_BYTES : MAX_AWS_ITEM_BYTES;
  if (bytes > limit) throw new ApiError('ItemSizeLimitExceededException', `${typeName}: its content is ${bytes} bytes; the limit for one ${typeName.startsWith('Custom:') ? 'custom ' : ''}inventory item is ${limit} bytes`);
  return {
    TypeName: typeName,
    SchemaVersion: schemaVersion,
    CaptureTime: captureTime,
    ...(typeof contentHash === 'string' ? { ContentHash: contentHash } : {}),
    ...(content !== undefined ? { Content: content } : {}),
    ...(context ? { Context: context } : {}),
    bytes,
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function checkContent(value: unknown, typeName: string, where: string): InventoryRow[] {
  const invalid = (message: string) => new ApiError('InvalidItemContentException', `${typeName}: ${message}`);
  if (!Array.isArray(value)) throw invalid(`${where}.Content must be a list of attribute maps`);
  if (value.length > MAX_ROWS) throw invalid(`${value.length} rows; an item holds at most ${MAX_ROWS}`);
  value.forEach((row: unknown, i) => {
    if (!isRecord(row)) throw invalid(`Content[${i}] must be a map of attribute names to string values`);
    const names = Object.keys(row);
    if (names.length > MAX_ATTRIBUTES) throw invalid(`Content[${i}] has ${names.length} attributes; at most ${MAX_ATTRIBUTES}`);
    for (const name of names) {
      if (name.length < 1 || name.length > MAX_ATTRIBUTE_NAME) throw invalid(`Content[${i}] has an attribute name of ${name.length} characters; names are 1-${MAX_ATTRIBUTE_NAME}`);
      const text = row[name];
      if (typeof text !== 'string') throw invalid(`Content[${i}].${name} must be a string, not ${text === null ? 'null' : typeof text}`);
      if (text.length > MAX_VALUE) throw invalid(`Content[${i}].${name} is ${text.length} characters; values are at most ${MAX_VALUE}`);
    }
  });
  return value as InventoryRow[];
}

function checkContext(value: unknown, typeName: string, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ApiError('InvalidInventoryItemContextException', `${where}.Context must be a map of strings`);
  if (Object.keys(value).length === 0) return undefined;
  if (typeName !== 'AWS:ComplianceItem') throw new ApiError('UnsupportedInventoryItemContextException', `${typeName}: Context is allowed only on AWS:ComplianceItem`);
  for (const [key, text] of Object.entries(value)) {
    if (!CONTEXT_KEYS.has(key) || typeof text !== 'string' || text.length > MAX_VALUE) {
      throw new ApiError('InvalidInventoryItemContextException', `${where}.Context: ${JSON.stringify(key)} is not one of ${[...CONTEXT_KEYS].join(', ')} with a string value`);
    }
  }
  return value as Record<string, string>;
}
