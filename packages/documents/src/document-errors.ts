/**
 * Errors about a document's content. Each names the document, the place in it and the problem, so the message
 * alone is enough to find and fix it: `AWS-RunShellScript: mainSteps[2].name: duplicate step name "install"`.
 */

export interface DocumentProblem {
  /** Where in the document, e.g. `mainSteps[2].inputs.runCommand`; '' for the document as a whole. */
  path: string;
  /** What is wrong, in words a document author can act on. */
  problem: string;
}

export function describeProblem(document: string, { path, problem }: DocumentProblem): string {
  return path === '' ? `${document}: ${problem}` : `${document}: ${path}: ${problem}`;
}

/** One problem: unreadable text (JSON or YAML syntax), or the first of several (see DocumentValidationError). */
export class DocumentError extends Error {
  override name = 'DocumentError';
  readonly document: string;
  readonly path: string;
  readonly problem: string;

  constructor(document: string, found: DocumentProblem, message = describeProblem(document, found)) {
    super(message);
    this.document = document;
    this.path = found.path;
    this.problem = found.problem;
  }
}

/**
 * Every problem validation found, not just the first, so an author fixes a document in one round. It is a
 * DocumentError whose path and problem are the first one's; the message lists them all, one per line.
 */
export class DocumentValidationError extends DocumentError {
  override name = 'DocumentValidationError';
  readonly problems: readonly DocumentProblem[];

  constructor(document: string, problems: readonly DocumentProblem[]) {
    if (problems.length === 0) throw new RangeError('DocumentValidationError needs at least one problem');
    super(document, problems[0]!, problems.map((found) => describeProblem(document, found)).join('\n'));
    this.problems = problems;
  }
}
