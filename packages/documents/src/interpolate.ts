/**
 * interpolate: parameter values into the steps, by SSM Agent's rules (parameters.ReplaceParameters), applied to
 * every string in each step's inputs and settings (never to the parameter definitions or descriptions):
 *
 *   - a string that is exactly one reference, `"{{ commands }}"`, becomes the value itself, whatever its type:
 *     a StringList gives a list, a StringMap a map;
 *   - inside a longer string each reference becomes text: a string as it is, anything else as Go's json.Marshal
 *     writes it (`["a","b"]`, sorted keys), and, as SSM Agent does for documents written around an old bug of
 *     its own, `$$` in that text becomes `$`;
 *   - one pass: a value that itself contains `{{ x }}` is not expanded again;
 *   - a reference to an undeclared name, and every `{{ssm:...}}` / `{{ssm-secure:...}}`, is left as written.
 *     The Parameter Store references, including any the values brought in, are listed in `references`.
 *
 * Parameters with `interpolationType: ENV_VAR` are never spliced into a script. In the runCommand of
 * aws:runShellScript steps a reference becomes `${SSM_<name>}`, of aws:runPowerShellScript steps `${env:SSM_<name>}`
 * (the braced forms, so text right after the reference cannot change which variable is meant), and every script
 * step gets `env: { SSM_<name>: value }`. Elsewhere (other inputs, other actions) the value is substituted as usual.
 */
import { POWERSHELL_SCRIPT_ACTION, isScriptAction } from './action-names.js';
import type { CommandDocument, Step } from './document-model.js';
import { goJsonText } from './go-json-text.js';
import { isJsonObject, jsonObjectFrom } from './json-value.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { ParameterValidationError } from './parameter-errors.js';
import { collectParameterStoreReferences, parameterReferencePattern, singleParameterReference } from './parameter-references.js';
import type { ParameterValue, ResolvedParameters } from './parameter-values.js';

/** Returns a new document; `content` stays the document as written. */
export function interpolate(document: CommandDocument, values: ResolvedParameters): CommandDocument {
  const byName = new Map<string, ParameterValue>();
  const missing: string[] = [];
  for (const name of Object.keys(document.parameters)) {
    if (Object.hasOwn(values, name) && values[name] !== undefined) byName.set(name, values[name]!);
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new ParameterValidationError(
      document.name,
      missing.map((name) => ({ parameter: name, problem: `Parameter "${name}" has no value (pass the result of resolveParameters)` })),
    );
  }
  const environmentParameters = Object.values(document.parameters)
    .filter((definition) => definition.interpolationType === 'ENV_VAR')
    .map((definition) => definition.name);

  const steps = document.steps.map((step) => interpolateStep(step, byName, environmentParameters));
  const references = [...document.references];
  for (const step of steps) {
    collectParameterStoreReferences(step.inputs, references);
    collectParameterStoreReferences(step.settings, references);
    collectParameterStoreReferences(step.env === undefined ? undefined : jsonObjectFrom(Object.entries(step.env)), references);
  }
  return { ...document, steps, references };
}

function interpolateStep(step: Step, values: ReadonlyMap<string, ParameterValue>, environmentParameters: readonly string[]): Step {
  const scriptWithEnvironment = isScriptAction(step.action) && environmentParameters.length > 0;
  let inputs = step.inputs;
  if (scriptWithEnvironment && Object.hasOwn(inputs, 'runCommand')) {
    const variable = step.action === POWERSHELL_SCRIPT_ACTION ? (name: string) => `\${env:SSM_${name}}` : (name: string) => `\${SSM_${name}}`;
    const runCommand = toVariables(inputs['runCommand']!, new Set(environmentParameters), variable);
    inputs = jsonObjectFrom([...Object.entries(inputs).filter(([key]) => key !== 'runCommand'), ['runCommand', runCommand]]);
  }
  const interpolated: Step = { ...step, inputs: substitute(inputs, values) as JsonObject };
  if (step.settings !== undefined) interpolated.settings = substitute(step.settings, values);
  if (scriptWithEnvironment) {
    interpolated.env = Object.fromEntries(environmentParameters.map((name) => [`SSM_${name}`, asText(values.get(name)!)]));
  }
  return interpolated;
}

function toVariables(value: JsonValue, names: ReadonlySet<string>, variable: (name: string) => string): JsonValue {
  if (typeof value === 'string') {
    return value.replace(parameterReferencePattern(), (reference, name: string) => (names.has(name) ? variable(name) : reference));
  }
  if (Array.isArray(value)) return value.map((item) => toVariables(item, names, variable));
  return value;
}

export function substitute(value: JsonValue, values: ReadonlyMap<string, ParameterValue>): JsonValue {
  if (typeof value === 'string') {
    const single = singleParameterReference(value);
    if (single !== undefined && values.has(single)) return values.get(single)!;
    return substituteInText(value, values);
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (isJsonObject(value)) return jsonObjectFrom(Object.entries(value).map(([key, item]) => [key, substitute(item, values)] as const));
  return value;
}

/** Every reference in a longer string replaced by the value's text (SSM Agent's ReplaceParameter). */
export function substituteInText(text: string, values: ReadonlyMap<string, ParameterValue>): string {
  return text.replace(parameterReferencePattern(), (reference, name: string) =>
    values.has(name) ? asText(values.get(name)!).replaceAll('$$', '$') : reference,
  );
}

function asText(value: ParameterValue): string {
  return typeof value === 'string' ? value : goJsonText(value);
}
