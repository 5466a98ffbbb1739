/**
 * `mainSteps` of schema 2.0 and 2.2 documents: steps run in the order written.
 *
 * Step names: 1 to 100 characters of letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, unique
 * in the document. SSM does not publish a rule for command documents; every AWS document in the corpus fits
 * this one, and it keeps a name safe as a directory name for the step's output (no `/`, never `.` or `..`).
 *
 * Step-level keys are the ones SSM Agent's step struct knows. Its `maxAttempts`, `timeoutSeconds` and `onFailure`
 * are written by SSM's own tooling (as 0 and "") but never acted on for command documents; here
 * `timeoutSeconds` above 0 is honoured (see step-timeout.ts) and a non-empty step-level `onFailure` is refused
 * with a pointer to where it works: inside `inputs`.
 */
import { isActionName, isScriptAction } from './action-names.js';
import type { DocumentProblem } from './document-errors.js';
import type { CommandSchemaVersion, Step } from './document-model.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { isJsonObject, ownValue } from './json-value.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { readPrecondition } from './precondition-rules.js';
import { readSharedInputs } from './shared-inputs.js';
import { checkInputsTimeout, checkRunCommand } from './step-input-rules.js';

const STEP_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,99}$/;

const STEP_KEYS = new Set([
  'action',
  'name',
  'inputs',
  'precondition',
  'description',
  'settings',
  'maxAttempts',
  'timeoutSeconds',
  'onFailure',
]);

/** Automation step keys, named so an author who mixed the two schemas is told what happened. */
const AUTOMATION_STEP_KEYS = new Set(['isEnd', 'nextStep', 'isCritical', 'onCancel', 'outputs', 'onSuccess', 'finallyStep']);

export function readMainSteps(
  written: JsonValue | undefined,
  schemaVersion: CommandSchemaVersion,
  isDeclared: (parameter: string) => boolean,
  problems: DocumentProblem[],
): Step[] {
  if (written === undefined || written === null) {
    problems.push({ path: 'mainSteps', problem: `mainSteps is required for schemaVersion ${schemaVersion}` });
    return [];
  }
  if (!Array.isArray(written) || written.length === 0) {
    problems.push({ path: 'mainSteps', problem: 'mainSteps must be a list of at least one step' });
    return [];
  }
  const steps: Step[] = [];
  const writtenIndexes: number[] = [];
  const firstIndexByName = new Map<string, number>();
  for (const [index, item] of written.entries()) {
    const path: PathSegment[] = ['mainSteps', index];
    if (!isJsonObject(item)) {
      problems.push({ path: formatPath(path), problem: 'a step must be a map with action, name and inputs' });
      continue;
    }
    const step = readStep(item, path, schemaVersion, isDeclared, problems);
    // Checked on the written name, so a duplicate is reported even when the step has other problems.
    const name = ownValue(item, 'name');
    if (typeof name === 'string') {
      const earlier = firstIndexByName.get(name);
      if (earlier !== undefined) {
        problems.push({ path: formatPath([...path, 'name']), problem: `duplicate step name "${name}" (also mainSteps[${earlier}])` });
      } else firstIndexByName.set(name, index);
    }
    if (!step) continue;
    steps.push(step);
    writtenIndexes.push(index);
  }
  // SSM Agent silently ignores finallyStep anywhere else; an author who wrote it there expects it to work.
  for (const [position, step] of steps.entries()) {
    if (step.finallyStep && writtenIndexes[position] !== written.length - 1) {
      problems.push({
        path: formatPath(['mainSteps', writtenIndexes[position]!, 'inputs', 'finallyStep']),
        problem: 'finallyStep is allowed only on the last step',
      });
    }
  }
  return steps;
}

function readStep(
  item: JsonObject,
  path: PathSegment[],
  schemaVersion: CommandSchemaVersion,
  isDeclared: (parameter: string) => boolean,
  problems: DocumentProblem[],
): Step | undefined {
  const at = (...rest: PathSegment[]): string => formatPath([...path, ...rest]);
  for (const key of Object.keys(item)) {
    if (STEP_KEYS.has(key)) continue;
    const hint = AUTOMATION_STEP_KEYS.has(key)
      ? key === 'onSuccess' || key === 'finallyStep'
        ? `; in command documents ${key} goes inside inputs`
        : '; that is an Automation step key'
      : '';
    problems.push({ path: at(key), problem: `unknown step key "${key}"${hint}` });
  }

  const name = ownValue(item, 'name');
  const action = ownValue(item, 'action');
  let valid = true;
  if (typeof name !== 'string' || !STEP_NAME.test(name)) {
    valid = false;
    const problem =
      name === undefined
        ? 'every step needs a name'
        : `step name ${JSON.stringify(name)} must be 1 to 100 letters, digits, _, . or -, not starting with . or -`;
    problems.push({ path: at('name'), problem });
  }
  if (typeof action !== 'string' || !isActionName(action)) {
    valid = false;
    const problem =
      action === undefined ? 'every step needs an action, e.g. aws:runShellScript' : `action ${JSON.stringify(action)} must look like aws:runShellScript`;
    problems.push({ path: at('action'), problem });
  }

  const writtenInputs = ownValue(item, 'inputs');
  let inputs: JsonObject = {};
  if (isJsonObject(writtenInputs)) inputs = writtenInputs;
  else if (writtenInputs !== undefined && writtenInputs !== null) {
    valid = false;
    problems.push({ path: at('inputs'), problem: 'inputs must be a map of input name to value' });
  }

  const stepOnFailure = ownValue(item, 'onFailure');
  if (stepOnFailure !== undefined && stepOnFailure !== null && stepOnFailure !== '') {
    problems.push({
      path: at('onFailure'),
      problem: 'in command documents onFailure goes inside inputs (SSM Agent ignores it beside them)',
    });
  }
  // maxAttempts is checked for form only: SSM Agent does not retry command document steps.
  let stepTimeout: number | undefined;
  for (const key of ['maxAttempts', 'timeoutSeconds'] as const) {
    const value = ownValue(item, key);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push({ path: at(key), problem: `${key} must be a whole number of 0 or more` });
    } else if (key === 'timeoutSeconds' && value > 0) stepTimeout = value;
  }

  let precondition: Step['precondition'];
  const writtenPrecondition = ownValue(item, 'precondition');
  if (writtenPrecondition !== undefined && writtenPrecondition !== null) {
    if (schemaVersion !== '2.2') {
      problems.push({ path: at('precondition'), problem: `precondition requires schemaVersion 2.2 (this document is ${schemaVersion})` });
    } else precondition = readPrecondition(writtenPrecondition, [...path, 'precondition'], isDeclared, problems);
  }

  const shared = readSharedInputs(inputs, [...path, 'inputs'], problems);
  checkInputsTimeout(inputs, [...path, 'inputs'], problems);
  if (typeof action === 'string' && isScriptAction(action)) checkRunCommand(inputs, [...path, 'inputs'], problems);
  if (!valid) return undefined;

  const step: Step = { name: name as string, action: action as string, inputs, ...shared };
  const settings = ownValue(item, 'settings');
  if (settings !== undefined && settings !== null) step.settings = settings;
  if (precondition) step.precondition = precondition;
  if (stepTimeout !== undefined) step.timeoutSeconds = stepTimeout;
  return step;
}
