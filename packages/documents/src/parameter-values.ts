/**
 * Turning a parameter value, as a caller or a document default gives it, into a value of the parameter's type.
 *
 * Values arrive in two shapes. SSM's API (SendCommand, associations) passes every parameter as a list of
 * strings, `Record<string, string[]>`; JavaScript callers and document defaults use natural JSON values. Both
 * are accepted:
 *
 *   String      "text" or ["text"]; a number or boolean becomes its text (YAML often leaves them unquoted)
 *   StringList  ["a", "b"]; a single "a" is ["a"]
 *   Integer     5, "5" or ["5"]; within 32 bits, as SSM Agent checks; no decimals
 *   Boolean     true, "true" or ["true"] (either case)
 *   StringMap   an object, or its JSON text (how the API and many defaults, e.g. "{}", carry it)
 *   MapList     a list of objects, or JSON text of one, or a list of JSON texts of objects
 *
 * A string holding a Parameter Store reference (`{{ssm:name}}`) stands in for a value the control plane has
 * not fetched yet, so it is accepted for any type as it is.
 */
import type { ParameterType } from './document-model.js';
import { isJsonObject } from './json-value.js';
import type { JsonObject } from './json-value.js';
import { containsParameterStoreReference } from './parameter-references.js';

export type ParameterValue = string | number | boolean | string[] | JsonObject | JsonObject[];

/** Effective values by parameter name, as resolveParameters returns them and interpolate takes them. */
export type ResolvedParameters = Readonly<Record<string, ParameterValue>>;

export type ConvertedValue = { value: ParameterValue } | { problem: string };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** `problem` is the end of a sentence that starts `Parameter "X" value <value> `. */
export function convertParameterValue(type: ParameterType, given: unknown): ConvertedValue {
  if (typeof given === 'string' && containsParameterStoreReference(given)) return { value: given };
  switch (type) {
    case 'String':
      return toText(unwrapSingle(given));
    case 'StringList':
      return toStringList(given);
    case 'Integer':
      return toInteger(unwrapSingle(given));
    case 'Boolean':
      return toBoolean(unwrapSingle(given));
    case 'StringMap':
      return toStringMap(unwrapSingle(given));
    case 'MapList':
      return toMapList(given);
  }
}

/** The API's one-element list for a single value. */
function unwrapSingle(given: unknown): unknown {
  return Array.isArray(given) && given.length === 1 ? given[0] : given;
}

function toText(given: unknown): ConvertedValue {
  if (typeof given === 'string') return { value: given };
  if ((typeof given === 'number' && Number.isFinite(given)) || typeof given === 'boolean') return { value: String(given) };
  if (Array.isArray(given)) return { problem: `is a list of ${given.length} values; a String takes one` };
  return { problem: 'is not a String' };
}

function toStringList(given: unknown): ConvertedValue {
  if (typeof given === 'string') return { value: [given] };
  if (!Array.isArray(given)) return { problem: 'is not a StringList (a list of strings)' };
  const index = given.findIndex((item) => typeof item !== 'string');
  if (index >= 0) return { problem: `is not a StringList: item ${index} is not a string` };
  return { value: given as string[] };
}

function toInteger(given: unknown): ConvertedValue {
  let number: number | undefined;
  if (typeof given === 'number') number = given;
  else if (typeof given === 'string' && /^\s*[-+]?\d+\s*$/.test(given)) number = Number(given);
  if (number === undefined || !Number.isInteger(number)) return { problem: 'is not a valid Integer' };
  if (number < INT32_MIN || number > INT32_MAX) {
    return { problem: `is out of range for an Integer (${INT32_MIN} to ${INT32_MAX})` };
  }
  return { value: number };
}

function toBoolean(given: unknown): ConvertedValue {
  if (typeof given === 'boolean') return { value: given };
  if (typeof given === 'string' && /^(true|false)$/i.test(given.trim())) return { value: given.trim().toLowerCase() === 'true' };
  return { problem: 'is not a valid Boolean (true or false)' };
}

function toStringMap(given: unknown): ConvertedValue {
  const value = typeof given === 'string' ? parseJson(given) : given;
  if (isJsonObject(value)) return { value };
  return { problem: 'is not a StringMap (an object, or its JSON text)' };
}

function toMapList(given: unknown): ConvertedValue {
  let value = typeof given === 'string' ? parseJson(given) : given;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') {
    const inner = parseJson(value[0]);
    if (Array.isArray(inner)) value = inner;
  }
  if (!Array.isArray(value)) return { problem: 'is not a MapList (a list of objects, or its JSON text)' };
  const maps: JsonObject[] = [];
  for (const [index, item] of value.entries()) {
    const map = typeof item === 'string' ? parseJson(item) : item;
    if (!isJsonObject(map)) return { problem: `is not a MapList: item ${index} is not an object` };
    maps.push(map);
  }
  return { value: maps };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
