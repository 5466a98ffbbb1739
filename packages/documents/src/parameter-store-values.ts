/**
 * Putting fetched Parameter Store values where their references are, by SSM Agent's rules
 * (parameterstore.replaceSSMParameters and parseStringList):
 *
 *   - inside a string, every reference the caller has a value for becomes that value; a StringList parameter
 *     cannot be used so ("SSM parameter X of type StringList cannot be used as a String");
 *   - in a list of strings, an item that is exactly one reference to a StringList parameter becomes that
 *     parameter's items, split at commas (an item in single quotes keeps its commas: `'echo "a,b"',ls`);
 *   - lists and maps: their members, recursively; numbers, booleans and null stay as they are.
 *
 * One pass, as for document parameters: a value that itself contains `{{ssm:...}}` is not expanded again.
 * References the caller has no value for stay as written, which is how the control plane puts in the plain
 * values and leaves every `{{ssm-secure:...}}` for the agent to put in once it has opened it.
 */
import { isJsonObject, jsonObjectFrom } from './json-value.js';
import type { JsonValue } from './json-value.js';
import { ParameterError } from './parameter-errors.js';

export type ParameterStoreType = 'String' | 'StringList' | 'SecureString';

/** A fetched parameter: its name (for messages), its type and its value (a StringList's as one comma-joined text). */
export interface ParameterStoreValue {
  name: string;
  type: ParameterStoreType;
  value: string;
}

/**
 * Values by reference as documents list them (`CommandDocument.references`): without braces or spaces,
 * `ssm:/app/db-host`, `ssm:name:3`, `ssm-secure:db/password`.
 */
export type ParameterStoreValues = ReadonlyMap<string, ParameterStoreValue>;

/** A reference used where its parameter's type does not fit (a StringList inside a string). */
export class ParameterStoreUsageError extends ParameterError {
  override name = 'ParameterStoreUsageError';
}

/** `{{ssm:name}}` with any spaces inside the braces; group 1 is the reference without them. */
function referencePattern(): RegExp {
  return /\{\{\s*(ssm(?:-secure)?:[/\w.:-]+)\s*\}\}/g;
}

const SINGLE_REFERENCE = /^\s*\{\{\s*(ssm(?:-secure)?:[/\w.:-]+)\s*\}\}\s*$/;

/**
 * SSM Agent's convertToStringList: items separated by commas, trimmed; single quotes keep commas inside an item.
 * Empty items are dropped (SSM Agent drops `a,,b`'s but keeps the blank one of `a, 'b'`; neither is a command).
 */
export function splitStringList(text: string): string[] {
  return (text.match(/([^',]+)|('[^']+')/g) ?? []).map((item) => item.replaceAll("'", '').trim()).filter((item) => item !== '');
}

/** Where the value is, for messages: the document's name and the place in it, e.g. `parameter "commands"`. */
export interface ValuePlace {
  document: string;
  place: string;
}

function replaceInText(text: string, values: ParameterStoreValues, where: ValuePlace): string {
  return text.replace(referencePattern(), (written, reference: string) => {
    const found = values.get(reference);
    if (found === undefined) return written;
    if (found.type === 'StringList') {
      throw new ParameterStoreUsageError(where.document, {
        parameter: found.name,
        problem: `SSM parameter ${found.name} of type StringList cannot be used as a String (${written} in ${where.place}); use it as a whole item of a list`,
      });
    }
    return found.value;
  });
}

/**
 * A copy of `value` with the references `values` holds replaced (see the rules above).
 * @throws ParameterStoreUsageError for a StringList used inside a string.
 */
export function replaceParameterStoreReferences(value: JsonValue, values: ParameterStoreValues, where: ValuePlace): JsonValue {
  if (values.size === 0) return value;
  if (typeof value === 'string') return replaceInText(value, values, where);
  if (Array.isArray(value)) {
    if (!value.every((item) => typeof item === 'string')) return value.map((item) => replaceParameterStoreReferences(item, values, where));
    return (value as string[]).flatMap((item) => {
      const whole = SINGLE_REFERENCE.exec(item)?.[1];
      const found = whole === undefined ? undefined : values.get(whole);
      return found?.type === 'StringList' ? splitStringList(found.value) : [replaceInText(item, values, where)];
    });
  }
  if (isJsonObject(value)) {
    return jsonObjectFrom(Object.entries(value).map(([key, item]) => [key, replaceParameterStoreReferences(item, values, where)] as const));
  }
  return value;
}
