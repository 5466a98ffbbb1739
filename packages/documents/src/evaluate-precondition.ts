/**
 * Whether a 2.2 step runs on this host, by SSM Agent's rules (runpluginutil.evaluatePreconditions):
 *
 *   - arguments are resolved with the parameter values as text (a list as `["a","b"]`);
 *   - `StringEquals: [platformType, X]` (either order) runs the step when the host's platform is X, compared
 *     without regard to case; otherwise the step is skipped;
 *   - `StringEquals: [A, B]` with a document parameter in at least one argument runs the step when the resolved
 *     texts are equal; otherwise the step is skipped;
 *   - the step fails instead (SSM Agent: "unrecognized precondition") when the two arguments are written
 *     identically, when an argument holds a Parameter Store reference, when neither argument holds platformType
 *     or a document parameter, or for an operator other than StringEquals.
 *
 * A step without a precondition runs; whether its plugin exists on this platform is the runner's question.
 */
import type { Precondition, Step } from './document-model.js';
import { containsParameterStoreReference } from './parameter-references.js';
import type { ParameterValue, ResolvedParameters } from './parameter-values.js';
import { PLATFORM_TYPE_VARIABLE } from './precondition-rules.js';
import type { PlatformType } from './precondition-rules.js';
import { substituteInText } from './interpolate.js';

export interface PreconditionContext {
  platformType: PlatformType;
  /** The run's values, as resolveParameters returns them. */
  parameters: ResolvedParameters;
}

/** One argument before and after parameter substitution (SSM Agent's PreconditionArgument). */
export interface PreconditionArgument {
  initial: string;
  resolved: string;
}

export type PreconditionOutcome = 'run' | 'skip' | 'fail';

export interface PreconditionVerdict {
  run: boolean;
  /** skip: the step is reported Skipped; fail: the step is reported Failed and the reason is its error. */
  outcome: PreconditionOutcome;
  reason?: string;
}

export function resolvePrecondition(
  precondition: Precondition,
  parameters: ResolvedParameters,
): Record<string, PreconditionArgument[]> {
  const values = new Map<string, ParameterValue>(Object.entries(parameters));
  return Object.fromEntries(
    Object.entries(precondition).map(([operator, args]) => [
      operator,
      args.map((initial) => ({ initial, resolved: substituteInText(initial, values) })),
    ]),
  );
}

export function evaluatePrecondition(step: Step, context: PreconditionContext): PreconditionVerdict {
  if (!step.precondition || Object.keys(step.precondition).length === 0) return { run: true, outcome: 'run' };
  let satisfied = true;
  const unsatisfied: string[] = [];
  const unrecognised: string[] = [];
  for (const [operator, args] of Object.entries(resolvePrecondition(step.precondition, context.parameters))) {
    if (operator !== 'StringEquals') {
      unrecognised.push(`unrecognized operator: "${operator}"`);
      continue;
    }
    if (args.length !== 2) {
      unrecognised.push(`"${operator}": operator accepts exactly 2 arguments`);
      continue;
    }
    const [first, second] = args as [PreconditionArgument, PreconditionArgument];
    const written = `"${operator}": [${first.initial}, ${second.initial}]`;
    if (first.initial === second.initial) {
      // SSM Agent names platformType but hides other arguments, which may be customer values.
      unrecognised.push(first.initial === PLATFORM_TYPE_VARIABLE ? written : `"${operator}": operator's arguments can't be identical`);
    } else if (containsParameterStoreReference(first.initial) || containsParameterStoreReference(second.initial)) {
      unrecognised.push(`"${operator}": operator's arguments can't contain Parameter Store references`);
    } else if (first.initial === PLATFORM_TYPE_VARIABLE || second.initial === PLATFORM_TYPE_VARIABLE) {
      const value = first.initial === PLATFORM_TYPE_VARIABLE ? second : first;
      if (value.initial !== value.resolved) {
        unrecognised.push(`"${operator}": the second argument for the platformType variable can't contain document parameters`);
      } else if (value.initial.toLowerCase() !== context.platformType.toLowerCase()) {
        satisfied = false;
        unsatisfied.push(written);
      }
    } else if (first.initial === first.resolved && second.initial === second.resolved) {
      unrecognised.push(`"${operator}": at least one of operator's arguments must contain a valid document parameter`);
    } else if (first.resolved !== second.resolved) {
      satisfied = false;
      unsatisfied.push(written);
    }
  }
  if (!satisfied) {
    return {
      run: false,
      outcome: 'skip',
      reason: `Step execution skipped due to unsatisfied preconditions: '${[...unsatisfied, ...unrecognised].join(', ')}'. Step name: ${step.name}`,
    };
  }
  if (unrecognised.length > 0) {
    return {
      run: false,
      outcome: 'fail',
      reason: `Unrecognized precondition(s): '${unrecognised.join(', ')}'. Step name: ${step.name}`,
    };
  }
  return { run: true, outcome: 'run' };
}
