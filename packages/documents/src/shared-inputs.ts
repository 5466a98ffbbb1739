/**
 * SSM's "shared inputs" (SSM Agent 3.0.502 and later): onFailure, onSuccess and finallyStep, written inside a
 * step's `inputs`, not beside them. SSM Agent reads them only there; the step-level `onFailure` of its Go struct
 * is never used for command documents (Automation's step-level onFailure is a different feature).
 *
 *   onFailure: exit            the step fails; later steps are skipped
 *   onFailure: successAndExit  the step is reported successful (exit code 168); later steps are skipped
 *   onSuccess: exit            the step succeeds; later steps are skipped
 *   finallyStep: true          the last step runs even when an earlier one stopped the document
 */
import type { DocumentProblem } from './document-errors.js';
import type { Step } from './document-model.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { ownValue } from './json-value.js';
import type { JsonObject } from './json-value.js';

export type SharedInputs = Pick<Step, 'onFailure' | 'onSuccess' | 'finallyStep'>;

export function readSharedInputs(inputs: JsonObject, inputsPath: PathSegment[], problems: DocumentProblem[]): SharedInputs {
  const shared: SharedInputs = {};
  const onFailure = ownValue(inputs, 'onFailure');
  if (onFailure !== undefined && onFailure !== null) {
    if (onFailure === 'exit' || onFailure === 'successAndExit') shared.onFailure = onFailure;
    else problems.push({ path: formatPath([...inputsPath, 'onFailure']), problem: 'onFailure must be exit or successAndExit' });
  }
  const onSuccess = ownValue(inputs, 'onSuccess');
  if (onSuccess !== undefined && onSuccess !== null) {
    if (onSuccess === 'exit') shared.onSuccess = onSuccess;
    else problems.push({ path: formatPath([...inputsPath, 'onSuccess']), problem: 'onSuccess must be exit' });
  }
  const finallyStep = ownValue(inputs, 'finallyStep');
  if (finallyStep !== undefined && finallyStep !== null) {
    // SSM Agent compares the text form, so "true" counts as well as true.
    if (finallyStep === true || finallyStep === 'true') shared.finallyStep = true;
    else if (finallyStep !== false && finallyStep !== 'false') {
      problems.push({ path: formatPath([...inputsPath, 'finallyStep']), problem: 'finallyStep must be true or false' });
    }
  }
  return shared;
}
