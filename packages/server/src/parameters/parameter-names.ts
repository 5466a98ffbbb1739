/**
 * Parameter names, selectors and labels, checked the way SSM checks them, with SSM's messages.
 */
import { ApiError } from '../api/errors.js';

/** The model's bound on a name field (it counts 1037 characters SSM keeps for itself). */
export const MAX_NAME_FIELD = 2048;
/** What a caller may use of it: the parameter's ARN (prefix and name) may be at most this long. */
export const MAX_ARN_LENGTH = 1011;
export const MAX_DEPTH = 15;
const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;
const RESERVED = /^(aws|ssm)/i;
const LABEL = /^[a-zA-Z0-9_.-]{1,100}$/;

export interface ParameterScope {
  region: string;
  accountId: string;
}

function invalidName(): ApiError {
  return new ApiError(
    'ValidationException',
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
  );
}

export function arnPrefix(scope: ParameterScope): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter/`;
}

/** SSM's ARN of a parameter: `parameter/` then the name without its leading slash. */
export function parameterArn(scope: ParameterScope, name: string): string {
  return arnPrefix(scope) + name.replace(/^\//, '');
}

/** SSM trims spaces at either end of a name; spaces inside are refused. */
function trimmed(name: string): string {
  const value = name.trim();
  if (value === '') throw new ApiError('ValidationException', 'Parameter name must not be empty');
  if (/\s/.test(value)) throw new ApiError('ValidationException', 'Parameter name must not contain spaces');
  if (value.length > MAX_NAME_FIELD) throw new ApiError('ValidationException', `1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAME_FIELD}`);
  return value;
}

/** Characters and hierarchy shape of a plain name (no selector, no ARN). */
function checkShape(name: string, scope: ParameterScope): void {
  if (!NAME_CHARACTERS.test(name)) throw invalidName();
  if (name.includes('/') && !name.startsWith('/')) throw new ApiError('ValidationException', 'Parameter name must be a fully qualified name: a name in a hierarchy begins with a slash (/)');
  const segments = name.replace(/^\//, '').split('/');
  if (segments.some((s) => s === '')) throw new ApiError('ValidationException', 'Parameter name must not contain an empty level (// or a trailing /)');
  if (segments.length > MAX_DEPTH) throw new ApiError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_DEPTH} levels; ${name.slice(0, 100)}... has ${segments.length}`);
  if (parameterArn(scope, name).length > MAX_ARN_LENGTH) {
    throw new ApiError('ValidationException', `Parameter name is too long: the parameter's ARN (${arnPrefix(scope).length} characters before the name) may be at most ${MAX_ARN_LENGTH} characters`);
  }
}

/** A name for PutParameter: every rule, reserved prefixes included. Returns the trimmed name. */
export function nameToWrite(raw: string, scope: ParameterScope): string {
  const name = trimmed(raw);
  if (name.startsWith('arn:')) throw new ApiError('ValidationException', 'PutParameter takes the parameter\'s name, not its ARN');
  checkShape(name, scope);
  if (RESERVED.test(name.replace(/^\//, ''))) throw invalidName();
  return name;
}

export interface ParameterSelector {
  name: string;
  /** `name:3` */
  version?: number;
  /** `name:label` */
  label?: string;
  /** What followed the name, as SSM reports it in Parameter.Selector (`:3`, `:label`). */
  selector?: string;
}

/**
 * Selectors already parsed, by scope, mode and text: a read names its parameter twice (the policy check's ARN and
 * the handler) and busy callers read the same few names over and over. Only valid selectors are kept (a bad one
 * throws every time); the results are frozen because they are shared. Bounded: emptied when full.
 */
const parsedSelectors = new Map<string, Readonly<ParameterSelector>>();
const MAX_PARSED_SELECTORS = 1024;

/** A name as a reading call gives it: the name or its ARN, optionally with `:version` or `:label`. */
export function parseSelector(raw: string, scope: ParameterScope, allowSelector = true): Readonly<ParameterSelector> {
  const key = `${scope.region}\u0000${scope.accountId}\u0000${allowSelector ? 1 : 0}\u0000${raw}`;
  const known = parsedSelectors.get(key);
  if (known !== undefined) return known;
  const parsed = Object.freeze(parseSelectorOnce(raw, scope, allowSelector));
  if (parsedSelectors.size >= MAX_PARSED_SELECTORS) parsedSelectors.clear();
  parsedSelectors.set(key, parsed);
  return parsed;
}

function parseSelectorOnce(raw: string, scope: ParameterScope, allowSelector: boolean): ParameterSelector {
  let text = trimmed(raw);
  if (text.startsWith('arn:')) {
    const prefix = arnPrefix(scope);
    if (!text.startsWith(prefix)) throw new ApiError('ValidationException', `A parameter ARN here begins with ${prefix}`);
    const rest = text.slice(prefix.length);
    text = rest.split(':')[0]!.includes('/') ? `/${rest}` : rest;
  }
  const parts = text.split(':');
  if (parts.length > 2 || (parts.length === 2 && !allowSelector)) throw invalidName();
  const name = parts[0]!;
  checkShape(name, scope);
  if (parts.length === 1) return { name };
  const selector = parts[1]!;
  if (/^\d+$/.test(selector)) {
    const version = Number(selector);
    if (!Number.isSafeInteger(version) || version < 1) throw new ApiError('ValidationException', `Parameter version ${selector} is not valid: versions start at 1`);
    return { name, version, selector: `:${selector}` };
  }
  if (!isValidLabel(selector)) throw new ApiError('ValidationException', `The selector :${selector.slice(0, 100)} is neither a version number nor a valid label`);
  return { name, label: selector, selector: `:${selector}` };
}

/**
 * SSM's label rules: 1-100 letters, digits, `.`, `-`, `_`; not beginning with a digit, `aws` or `ssm` (any
 * case). A label that breaks them is not attached; the call lists it in InvalidLabels.
 */
export function isValidLabel(label: string): boolean {
  return LABEL.test(label) && !/^[0-9]/.test(label) && !RESERVED.test(label);
}
