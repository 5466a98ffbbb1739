/**
 * resolveParameters: the values a run will use, every SSM check done, so a bad value is refused when the command
 * is sent (SendCommand's InvalidParameters) and never reaches a host.
 *
 * Checks, in the order SSM Agent's validators apply them, each on the value after conversion to the type:
 *
 *   allowedValues   String: the value; StringList: each item; Integer, Boolean: their text;
 *                   StringMap: its JSON text; MapList: each map's JSON text (SSM Agent compares these too)
 *   allowedPattern  the same pieces; searched, so an unanchored pattern matches part of a value, as in Go
 *   minChars/maxChars  the same pieces except Integer and Boolean; length in UTF-16 units, as SSM's API counts
 *   minItems/maxItems  StringList and MapList: items; StringMap: keys
 *
 * A piece holding a Parameter Store reference (`{{ssm:name}}`) is not checked: its value is not known until the
 * control plane fetches it. The control plane calls resolveParameters again with the fetched values substituted,
 * and that second call checks them.
 */
import { compileAllowedPattern } from './allowed-pattern.js';
import type { CommandDocument, ParameterDefinition } from './document-model.js';
import { goJsonText } from './go-json-text.js';
import { ParameterValidationError } from './parameter-errors.js';
import type { ParameterProblem } from './parameter-errors.js';
import { containsParameterStoreReference } from './parameter-references.js';
import { convertParameterValue } from './parameter-values.js';
import type { ParameterValue, ResolvedParameters } from './parameter-values.js';

/**
 * @param given values by parameter name: JSON values, or SSM's API shape `Record<string, string[]>`.
 * @returns a value for every parameter the document declares (given, else the default).
 * @throws ParameterValidationError (a ParameterError) listing every problem.
 */
export function resolveParameters(document: CommandDocument, given: Readonly<Record<string, unknown>>): ResolvedParameters {
  const problems: ParameterProblem[] = [];
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(document.parameters, name) && given[name] !== undefined) {
      problems.push({ parameter: name, problem: `Parameter "${name}" is not defined in document "${document.name}"` });
    }
  }
  const resolved: Array<[string, ParameterValue]> = [];
  for (const definition of Object.values(document.parameters)) {
    const value = effectiveValue(definition, given, problems);
    if (value !== undefined) resolved.push([definition.name, value]);
  }
  if (problems.length > 0) throw new ParameterValidationError(document.name, problems);
  return Object.fromEntries(resolved);
}

function effectiveValue(
  definition: ParameterDefinition,
  given: Readonly<Record<string, unknown>>,
  problems: ParameterProblem[],
): ParameterValue | undefined {
  const { name } = definition;
  const supplied = Object.hasOwn(given, name) ? given[name] : undefined;
  const raw = supplied !== undefined ? supplied : definition.default;
  if (raw === undefined) {
    problems.push({ parameter: name, problem: `Parameter "${name}" is required: it has no default and no value was given` });
    return undefined;
  }
  const converted = convertParameterValue(definition.type, raw);
  if ('problem' in converted) {
    problems.push({ parameter: name, problem: `Parameter "${name}" value ${show(raw)} ${converted.problem}` });
    return undefined;
  }
  const before = problems.length;
  checkValue(definition, converted.value, problems);
  return problems.length === before ? converted.value : undefined;
}

function checkValue(definition: ParameterDefinition, value: ParameterValue, problems: ParameterProblem[]): void {
  const { name } = definition;
  const report = (problem: string): void => void problems.push({ parameter: name, problem: `Parameter "${name}" ${problem}` });
  if (typeof value === 'string' && definition.type !== 'String' && containsParameterStoreReference(value)) return;

  const pieces = piecesOf(value).filter((piece) => !containsParameterStoreReference(piece));
  const { allowedValues, allowedPattern } = definition;
  if (allowedValues && allowedValues.length > 0) {
    const outside = pieces.find((piece) => !allowedValues.includes(piece));
    if (outside !== undefined) report(`value ${show(outside)} is not one of the allowed values: ${allowedValues.join(', ')}`);
  }
  if (allowedPattern !== undefined) {
    const compiled = compileAllowedPattern(allowedPattern);
    // The pattern compiled when the document was parsed; a definition built by hand may not have been.
    if ('problem' in compiled) report(`cannot be checked: ${compiled.problem}`);
    else {
      const mismatch = pieces.find((piece) => !compiled.regexp.test(piece));
      if (mismatch !== undefined) report(`value ${show(mismatch)} does not match pattern ${allowedPattern}`);
    }
  }
  if (definition.type !== 'Integer' && definition.type !== 'Boolean') {
    const { minChars, maxChars } = definition;
    const short = minChars === undefined ? undefined : pieces.find((piece) => piece.length < minChars);
    if (short !== undefined) report(`value ${show(short)} is shorter than minChars ${minChars}`);
    const long = maxChars === undefined ? undefined : pieces.find((piece) => piece.length > maxChars);
    if (long !== undefined) report(`value ${show(long)} is longer than maxChars ${maxChars}`);
  }
  const count = Array.isArray(value) ? value.length : definition.type === 'StringMap' && typeof value === 'object' ? Object.keys(value).length : undefined;
  if (count !== undefined) {
    if (definition.minItems !== undefined && count < definition.minItems) report(`has ${count} items, fewer than minItems ${definition.minItems}`);
    if (definition.maxItems !== undefined && count > definition.maxItems) report(`has ${count} items, more than maxItems ${definition.maxItems}`);
  }
}

/** The strings the checks look at (see the table at the top). */
function piecesOf(value: ParameterValue): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : goJsonText(item)));
  return [goJsonText(value)];
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
