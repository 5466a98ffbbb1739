/**
 * The `parameters` section: what each parameter is, checked once when the document is read so that a run
 * never meets a broken definition (an allowedPattern that does not compile, a minItems above maxItems).
 *
 * SSM Agent writes `null` for attributes a document leaves out (`"allowedValues": null`, `"default": null`,
 * `"allowedPattern": ""`); those mean "not set" here as well.
 */
import { compileAllowedPattern } from './allowed-pattern.js';
import type { DocumentProblem } from './document-errors.js';
import type { DisplayType, ParameterDefinition, ParameterType } from './document-model.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { isJsonObject, jsonObjectFrom } from './json-value.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { convertParameterValue } from './parameter-values.js';

/** SSM Agent's paramNameRegex: it substitutes no other names, so a document using one could never run. */
const PARAMETER_NAME = /^[a-zA-Z0-9]+$/;

const TYPES: Readonly<Record<string, ParameterType>> = {
  String: 'String',
  StringList: 'StringList',
  Integer: 'Integer',
  Boolean: 'Boolean',
  StringMap: 'StringMap',
  MapList: 'MapList',
  Array: 'StringList',
};

const ATTRIBUTES = new Set([
  'type',
  'description',
  'default',
  'allowedValues',
  'allowedPattern',
  'displayType',
  'minItems',
  'maxItems',
  'minChars',
  'maxChars',
  'interpolationType',
]);

const LIMITS = ['minItems', 'maxItems', 'minChars', 'maxChars'] as const;

export function readParameterDefinitions(
  section: JsonValue | undefined,
  problems: DocumentProblem[],
): Record<string, ParameterDefinition> {
  const definitions: Array<[string, ParameterDefinition]> = [];
  if (section === undefined || section === null) return {};
  if (!isJsonObject(section)) {
    problems.push({ path: 'parameters', problem: 'parameters must be a map of parameter name to definition' });
    return {};
  }
  for (const [name, written] of Object.entries(section)) {
    const path: PathSegment[] = ['parameters', name];
    if (!PARAMETER_NAME.test(name)) {
      problems.push({
        path: formatPath(path),
        problem: `parameter name "${name}" may contain only letters and digits (SSM Agent substitutes no other names)`,
      });
    }
    if (!isJsonObject(written)) {
      problems.push({ path: formatPath(path), problem: 'a parameter definition must be a map with at least a type' });
      continue;
    }
    const definition = readDefinition(name, written, path, problems);
    if (definition) definitions.push([name, definition]);
  }
  return Object.fromEntries(definitions);
}

function readDefinition(
  name: string,
  written: JsonObject,
  path: PathSegment[],
  problems: DocumentProblem[],
): ParameterDefinition | undefined {
  const at = (attribute: string): string => formatPath([...path, attribute]);
  const given = jsonObjectFrom(Object.entries(written).filter(([, value]) => value !== null));

  for (const attribute of Object.keys(given)) {
    if (!ATTRIBUTES.has(attribute)) {
      problems.push({ path: at(attribute), problem: `unknown parameter attribute "${attribute}" (known: ${[...ATTRIBUTES].join(', ')})` });
    }
  }

  const declaredType = given['type'];
  if (typeof declaredType !== 'string' || !Object.hasOwn(TYPES, declaredType)) {
    const problem =
      declaredType === undefined
        ? 'type is required'
        : `unknown type ${JSON.stringify(declaredType)} (known: String, StringList, Integer, Boolean, StringMap, MapList)`;
    problems.push({ path: at('type'), problem });
    return undefined;
  }
  const definition: ParameterDefinition = { name, type: TYPES[declaredType]!, declaredType };

  const description = given['description'];
  if (description !== undefined) {
    if (typeof description === 'string') definition.description = description;
    else problems.push({ path: at('description'), problem: 'description must be a string' });
  }

  const defaultValue = given['default'];
  if (defaultValue !== undefined) {
    definition.default = defaultValue;
    const converted = convertParameterValue(definition.type, defaultValue);
    if ('problem' in converted) {
      problems.push({ path: at('default'), problem: `default ${show(defaultValue)} ${converted.problem}` });
    }
  }

  const allowedValues = given['allowedValues'];
  if (allowedValues !== undefined) {
    const values = readAllowedValues(allowedValues, [...path, 'allowedValues'], problems);
    if (values) definition.allowedValues = values;
  }

  const allowedPattern = given['allowedPattern'];
  if (allowedPattern !== undefined && allowedPattern !== '') {
    if (typeof allowedPattern !== 'string') {
      problems.push({ path: at('allowedPattern'), problem: 'allowedPattern must be a string' });
    } else {
      const compiled = compileAllowedPattern(allowedPattern);
      if ('problem' in compiled) problems.push({ path: at('allowedPattern'), problem: compiled.problem });
      else definition.allowedPattern = allowedPattern;
    }
  }

  for (const limit of LIMITS) {
    const value = given[limit];
    if (value === undefined) continue;
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) definition[limit] = number;
    else problems.push({ path: at(limit), problem: `${limit} must be a whole number of 0 or more` });
  }
  for (const [min, max] of [['minItems', 'maxItems'], ['minChars', 'maxChars']] as const) {
    const low = definition[min];
    const high = definition[max];
    if (low !== undefined && high !== undefined && low > high) {
      problems.push({ path: at(min), problem: `${min} (${low}) is greater than ${max} (${high})` });
    }
  }

  const displayType = given['displayType'];
  if (displayType !== undefined) {
    if (displayType === 'textarea' || displayType === 'textfield') definition.displayType = displayType satisfies DisplayType;
    else problems.push({ path: at('displayType'), problem: 'displayType must be textarea or textfield' });
  }

  const interpolationType = given['interpolationType'];
  if (interpolationType !== undefined) {
    if (interpolationType !== 'ENV_VAR') {
      problems.push({ path: at('interpolationType'), problem: 'interpolationType must be ENV_VAR' });
    } else if (definition.type !== 'String') {
      problems.push({
        path: at('interpolationType'),
        problem: `interpolationType ENV_VAR applies to String parameters only, not ${definition.type}`,
      });
    } else definition.interpolationType = interpolationType;
  }
  return definition;
}

/**
 * allowedValues are strings. Numbers and booleans are taken as their text: an Integer parameter's allowed values
 * are naturally numbers, and AWS's own examples write `"allowedValues": [true, false]` for a String parameter
 * (awsdocs-ParameterPreconditionSample.json). Note that in YAML an unquoted Yes/No/On/Off is a boolean too, so
 * it is compared as "true"/"false", as on AWS.
 */
function readAllowedValues(value: JsonValue, path: PathSegment[], problems: DocumentProblem[]): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.push({ path: formatPath(path), problem: 'allowedValues must be a list of strings' });
    return undefined;
  }
  const values: string[] = [];
  for (const [index, item] of value.entries()) {
    if (typeof item === 'string') values.push(item);
    else if (typeof item === 'number' || typeof item === 'boolean') values.push(String(item));
    else problems.push({ path: formatPath([...path, index]), problem: `allowed value ${show(item)} is not a string` });
  }
  return values;
}

function show(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
