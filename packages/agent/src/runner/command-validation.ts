/**
 * Checks that a value is a Command before the agent accepts it or trusts it from disk. The wire layer verifies
 * signatures, not shapes; a command the runner cannot use is refused at accept() with every problem named,
 * rather than failing later in a way that leaves a half-written record.
 */
import { isValidCommandId, type Command } from './command.js';

export class InvalidCommandError extends Error {
  override name = 'InvalidCommandError';
  constructor(
    readonly commandId: string | undefined,
    readonly problems: readonly string[],
  ) {
    super(`invalid command${commandId ? ` ${commandId}` : ''}: ${problems.join('; ')}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSealed(value: unknown): boolean {
  return isPlainObject(value) && typeof value.nonce === 'string' && typeof value.box === 'string';
}

/** Every problem with `value` as a Command; empty when it is one. */
export function commandProblems(value: unknown): string[] {
  if (!isPlainObject(value)) return ['a command must be an object'];
  const problems: string[] = [];
  if (!isValidCommandId(value.commandId)) {
    problems.push('commandId must be 1 to 128 letters, digits, _, . or -, starting with a letter or digit');
  }
  if (typeof value.documentName !== 'string' || value.documentName === '') problems.push('documentName must be a non-empty string');
  if (value.documentVersion !== undefined && typeof value.documentVersion !== 'string') problems.push('documentVersion must be a string');
  if (typeof value.document !== 'string' && !isPlainObject(value.document)) problems.push('document must be the document content (an object or its text)');
  if (!isPlainObject(value.parameters)) problems.push('parameters must be an object of values by parameter name');
  if (value.secrets !== undefined && !(isPlainObject(value.secrets) && Object.values(value.secrets).every(isSealed))) {
    problems.push('secrets must be an object of sealed values ({ nonce, box }) by reference');
  }
  const timeout = value.executionTimeoutSeconds;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
    problems.push('executionTimeoutSeconds must be a number of seconds above 0');
  }
  if (value.deliverBy !== undefined && (typeof value.deliverBy !== 'string' || Number.isNaN(Date.parse(value.deliverBy)))) {
    problems.push('deliverBy must be an ISO 8601 time');
  }
  if (value.comment !== undefined && typeof value.comment !== 'string') problems.push('comment must be a string');
  if (typeof value.receivedAt !== 'string' || Number.isNaN(Date.parse(value.receivedAt))) problems.push('receivedAt must be an ISO 8601 time');
  return problems;
}

export function assertCommand(value: unknown): asserts value is Command {
  const problems = commandProblems(value);
  if (problems.length > 0) {
    const id = isPlainObject(value) && typeof value.commandId === 'string' ? value.commandId : undefined;
    throw new InvalidCommandError(id, problems);
  }
}
