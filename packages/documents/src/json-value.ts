/**
 * JSON values: what a document is made of once its text is read, whether it was written in JSON or YAML.
 * SSM stores and serves every document as JSON, so anything YAML can say that JSON cannot (dates, binary,
 * non-finite numbers) is refused when the text is read rather than surfacing later as an odd value.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Own-property lookup. Document keys come from users, so `constructor` or `__proto__` must never reach
 * Object.prototype through a plain `object[key]`.
 */
export function ownValue(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A JSON object built from entries without ever invoking the `__proto__` setter. */
export function jsonObjectFrom(entries: Iterable<readonly [string, JsonValue]>): JsonObject {
  return Object.fromEntries(entries) as JsonObject;
}
