/**
 * Errors about the parameter values given for a run (SendCommand's Parameters, an association's parameters),
 * as opposed to errors in the document itself. Messages follow SSM's InvalidParameters style:
 * `Parameter "Name" value "x; touch /tmp/pwned" does not match pattern ^[a-zA-Z0-9]+$`.
 */

export interface ParameterProblem {
  /** The parameter's name as the document declares it (or as the caller spelled an unknown one). */
  parameter: string;
  /** The full sentence, parameter name included. */
  problem: string;
}

export class ParameterError extends Error {
  override name = 'ParameterError';
  readonly document: string;
  readonly parameter: string;
  readonly problem: string;

  constructor(document: string, found: ParameterProblem, message = found.problem) {
    super(message);
    this.document = document;
    this.parameter = found.parameter;
    this.problem = found.problem;
  }
}

/**
 * Every parameter problem of one call. A ParameterError whose parameter and problem are the first one's; the
 * message lists them all, one per line.
 */
export class ParameterValidationError extends ParameterError {
  override name = 'ParameterValidationError';
  readonly problems: readonly ParameterProblem[];

  constructor(document: string, problems: readonly ParameterProblem[]) {
    if (problems.length === 0) throw new RangeError('ParameterValidationError needs at least one problem');
    super(document, problems[0]!, problems.map((found) => found.problem).join('\n'));
    this.problems = problems;
  }
}
