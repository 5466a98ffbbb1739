/**
 * How long a step may run. SSM Agent's rule (pluginutil.ValidateExecutionTimeout) for the plugins that take a
 * timeout, aws:runShellScript, aws:runPowerShellScript, aws:psModule and aws:runDockerAction:
 * `inputs.timeoutSeconds`, a number or numeric text (a fraction is cut to whole seconds), default 3600, and
 * anything outside 5..172800 or not a number also means 3600.
 *
 * Tender adds one rule: a step-level `timeoutSeconds` above 0, which SSM Agent ignores for command documents,
 * is used when `inputs.timeoutSeconds` is absent, so a document that says it gets it. Other actions have no
 * timeout of their own unless the document gives one (the command's overall timeout still applies).
 */
import type { Step } from './document-model.js';
import { ownValue } from './json-value.js';
import type { JsonValue } from './json-value.js';

export const DEFAULT_STEP_TIMEOUT_SECONDS = 3600;
export const MIN_STEP_TIMEOUT_SECONDS = 5;
export const MAX_STEP_TIMEOUT_SECONDS = 172_800;

export const ACTIONS_WITH_TIMEOUT: readonly string[] = [
  'aws:runShellScript',
  'aws:runPowerShellScript',
  'aws:psModule',
  'aws:runDockerAction',
];

/** The step's timeout in seconds, or undefined when the action has none. Call after interpolate(). */
export function stepTimeoutSeconds(step: Step): number | undefined {
  const written = ownValue(step.inputs, 'timeoutSeconds');
  const fromInputs = written === undefined || written === null || written === '' ? undefined : parseTimeoutSeconds(written);
  const hasDefault = ACTIONS_WITH_TIMEOUT.includes(step.action);
  if (written !== undefined && written !== null && written !== '') {
    if (fromInputs !== undefined && inRange(fromInputs)) return fromInputs;
    return hasDefault ? DEFAULT_STEP_TIMEOUT_SECONDS : undefined;
  }
  if (step.timeoutSeconds !== undefined && inRange(step.timeoutSeconds)) return step.timeoutSeconds;
  return hasDefault ? DEFAULT_STEP_TIMEOUT_SECONDS : undefined;
}

/** Whole seconds from a number or numeric text, as SSM Agent reads them; undefined when it is neither. */
export function parseTimeoutSeconds(value: JsonValue): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? Math.trunc(number) : undefined;
}

function inRange(seconds: number): boolean {
  return seconds >= MIN_STEP_TIMEOUT_SECONDS && seconds <= MAX_STEP_TIMEOUT_SECONDS;
}
