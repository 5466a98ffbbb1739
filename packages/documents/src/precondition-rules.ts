/**
 * What a precondition may say, checked when the document is read (schema 2.2 only). SSM supports one operator,
 * StringEquals, with exactly two arguments; `platformType` compared with Linux, MacOS or Windows; or a document
 * parameter compared with a value, `["{{ Mode }}", "fast"]`.
 *
 * Refused here, because the author must change the document: another operator, another argument count, a
 * platformType value other than those three, and a `{{ name }}` that names no declared parameter (SSM Agent
 * would leave it unresolved and fail the step on every run).
 *
 * Left to evaluatePrecondition, which fails the step at run time exactly as SSM Agent does, because SSM accepts
 * such documents: identical arguments, Parameter Store references (`{{ssm:...}}`), and arguments that contain
 * neither platformType nor a document parameter.
 */
import type { DocumentProblem } from './document-errors.js';
import type { Precondition } from './document-model.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { isJsonObject } from './json-value.js';
import type { JsonValue } from './json-value.js';
import { parameterNamesIn } from './parameter-references.js';

export const PLATFORM_TYPE_VARIABLE = 'platformType';
export const PLATFORM_TYPES = ['Linux', 'MacOS', 'Windows'] as const;
export type PlatformType = (typeof PLATFORM_TYPES)[number];

export function readPrecondition(
  written: JsonValue,
  path: PathSegment[],
  isDeclared: (parameter: string) => boolean,
  problems: DocumentProblem[],
): Precondition | undefined {
  if (!isJsonObject(written)) {
    problems.push({ path: formatPath(path), problem: 'precondition must be a map such as {"StringEquals": ["platformType", "Linux"]}' });
    return undefined;
  }
  const precondition: Array<[string, string[]]> = [];
  for (const [operator, args] of Object.entries(written)) {
    const at = [...path, operator];
    if (operator !== 'StringEquals') {
      problems.push({ path: formatPath(at), problem: `unknown precondition operator "${operator}"; SSM supports only StringEquals` });
      continue;
    }
    if (!Array.isArray(args) || args.length !== 2 || !args.every((arg) => typeof arg === 'string')) {
      problems.push({ path: formatPath(at), problem: 'StringEquals takes exactly two strings, e.g. ["platformType", "Linux"]' });
      continue;
    }
    const [first, second] = args as [string, string];
    let valid = true;
    for (const [index, arg] of [first, second].entries()) {
      for (const name of parameterNamesIn(arg)) {
        if (!isDeclared(name)) {
          valid = false;
          problems.push({
            path: formatPath([...at, index]),
            problem: `"${arg}" refers to parameter "${name}", which the document does not declare`,
          });
        }
      }
    }
    const platformIndex = [first, second].indexOf(PLATFORM_TYPE_VARIABLE);
    if (platformIndex >= 0 && first !== second) {
      const value = platformIndex === 0 ? second : first;
      if (!PLATFORM_TYPES.some((platform) => platform.toLowerCase() === value.toLowerCase())) {
        valid = false;
        problems.push({
          path: formatPath([...at, 1 - platformIndex]),
          problem: `platformType is compared with ${JSON.stringify(value)}; it can only be ${PLATFORM_TYPES.join(', ')}`,
        });
      }
    }
    if (valid) precondition.push([operator, [first, second]]);
  }
  return precondition.length === 0 ? undefined : Object.fromEntries(precondition);
}
