/**
 * The few inputs a document reader can check without knowing the plugin: values written literally (not as
 * `{{ parameter }}`) for inputs whose meaning SSM fixes for every plugin that takes them.
 */
import type { DocumentProblem } from './document-errors.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { ownValue } from './json-value.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { MAX_STEP_TIMEOUT_SECONDS, MIN_STEP_TIMEOUT_SECONDS, parseTimeoutSeconds } from './step-timeout.js';

/**
 * A literal timeoutSeconds must be a number of seconds SSM Agent accepts. It would quietly run the step with
 * 3600 instead; the author should hear about it before that happens.
 */
export function checkInputsTimeout(inputs: JsonObject, inputsPath: PathSegment[], problems: DocumentProblem[]): void {
  const value = ownValue(inputs, 'timeoutSeconds');
  if (value === undefined || value === null || (typeof value === 'string' && value.includes('{{'))) return;
  const seconds = parseTimeoutSeconds(value);
  if (seconds === undefined || seconds < MIN_STEP_TIMEOUT_SECONDS || seconds > MAX_STEP_TIMEOUT_SECONDS) {
    problems.push({
      path: formatPath([...inputsPath, 'timeoutSeconds']),
      problem: `timeoutSeconds must be a number of seconds from ${MIN_STEP_TIMEOUT_SECONDS} to ${MAX_STEP_TIMEOUT_SECONDS}`,
    });
  }
}

/** runCommand of a script action: a string or a list of strings (lists may nest; SSM Agent flattens them). */
export function checkRunCommand(inputs: JsonObject, inputsPath: PathSegment[], problems: DocumentProblem[]): void {
  const value = ownValue(inputs, 'runCommand');
  if (value === undefined) return;
  if (!isStringOrStringLists(value)) {
    problems.push({ path: formatPath([...inputsPath, 'runCommand']), problem: 'runCommand must be a string or a list of strings' });
  }
}

function isStringOrStringLists(value: JsonValue): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every(isStringOrStringLists));
}
