/**
 * Fetching the Parameter Store values a command refers to (`{{ssm:name}}`, `{{ssm:name:3}}`, `{{ssm:name:label}}`,
 * `{{ssm-secure:name}}`), as the caller of SendCommand: the Parameter Store checks that caller's policy.
 *
 * The errors are SSM's where SSM has one ("Parameters [x] of type SecureString are not supported", SSM Agent's
 * parameterstore package), otherwise InvalidParameters naming the reference; AccessDeniedException passes through.
 * No message ever holds a value: only references, names and types.
 */
import { parseParameterStoreReference, type ParameterStoreValue } from '@tender/documents';
import type { Principal } from '../access/access-keys.js';
import { ApiError, isApiError } from '../api/errors.js';

/** What the Parameter Store says of one reference (ParameterService.resolveReference). */
export interface ResolvedReference {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  version: number;
  value: string;
}

/**
 * The Parameter Store's resolver: `selector` is what follows `ssm:` / `ssm-secure:` (`name`, `name:3`,
 * `name:label`). It checks the caller's policy (ssm:GetParameters on the parameter, kms:Decrypt on a
 * SecureString's key) and throws ApiError ParameterNotFound, ParameterVersionNotFound or AccessDeniedException.
 */
export type ResolveReference = (caller: Principal, selector: string) => Promise<ResolvedReference>;

/** A fetched value, with the version it resolved to (a run uses that version on every instance). */
export interface FetchedValue extends ParameterStoreValue {
  version: number;
}

export interface FetchedReferences {
  /** `ssm:` references: the control plane puts these in before dispatch. */
  plain: Map<string, FetchedValue>;
  /** `ssm-secure:` references: sealed to each target agent, never written anywhere in the clear. */
  secure: Map<string, FetchedValue>;
}

/** The Parameter Store's errors about the reference itself (missing, or malformed); SendCommand says InvalidParameters. */
const REFERENCE_ERRORS = new Set(['ParameterNotFound', 'ParameterVersionNotFound', 'ValidationException']);

/**
 * @param references distinct references without braces (`ssm:/app/host`, `ssm-secure:db/password:2`).
 * @param resolve absent when this control plane has no Parameter Store.
 */
export async function fetchReferences(references: readonly string[], caller: Principal | undefined, resolve: ResolveReference | undefined): Promise<FetchedReferences> {
  const fetched: FetchedReferences = { plain: new Map(), secure: new Map() };
  if (references.length === 0) return fetched;
  const malformed = references.filter((reference) => parseParameterStoreReference(reference) === undefined);
  if (malformed.length > 0) {
    throw new ApiError(
      'InvalidParameters',
      `${malformed.map((reference) => `{{${reference}}}`).join(', ')}: not a Parameter Store reference; write {{ssm:name}}, {{ssm:name:version}}, {{ssm:name:label}} or {{ssm-secure:name}}`,
    );
  }
  if (resolve === undefined || caller === undefined) {
    throw new ApiError('InvalidParameters', `Parameter Store references (${references.map((reference) => `{{${reference}}}`).join(', ')}) cannot be resolved: this control plane has no Parameter Store`);
  }
  for (const reference of references) {
    const parsed = parseParameterStoreReference(reference)!;
    const selector = reference.slice(reference.indexOf(':') + 1);
    let resolved: ResolvedReference;
    try {
      resolved = await resolve(caller, selector);
    } catch (error) {
      if (isApiError(error) && REFERENCE_ERRORS.has(error.code)) {
        throw new ApiError('InvalidParameters', `Input contains invalid parameters [${parsed.name}]: {{${reference}}} cannot be resolved (${error.code}: ${error.message})`);
      }
      throw error;
    }
    if (parsed.secure && resolved.type !== 'SecureString') {
      throw new ApiError(
        'InvalidParameters',
        `{{${reference}}} refers to ${resolved.name}, a ${resolved.type} parameter; {{ssm-secure:...}} is for SecureString parameters: write {{ssm:${selector}}}`,
      );
    }
    if (!parsed.secure && resolved.type === 'SecureString') {
      throw new ApiError(
        'InvalidParameters',
        `Parameters [${resolved.name}] of type SecureString are not supported in {{ssm:...}} references: write {{ssm-secure:${selector}}}, which only the target instances can read`,
      );
    }
    (parsed.secure ? fetched.secure : fetched.plain).set(reference, { name: resolved.name, type: resolved.type, version: resolved.version, value: resolved.value });
  }
  return fetched;
}

/** For the audit trail and logs: each reference and the version it resolved to, never a value. */
export function describeReferences(fetched: ReadonlyMap<string, FetchedValue>): string[] {
  return [...fetched].map(([reference, found]) => `{{${reference}}} = ${found.name} version ${found.version}`);
}
