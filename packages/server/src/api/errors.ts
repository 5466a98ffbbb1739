/**
 * AWS-shaped errors for the control-plane API.
 *
 * Clients are the official AWS SDKs, the AWS CLI and Terraform. They decide what went wrong from the
 * `__type` field of an AWS JSON 1.1 error body (`{"__type": "InvalidInstanceId", "message": "..."}`) and
 * from the HTTP status: 4xx errors are the caller's to fix and are not retried, 5xx are retried. So every
 * error the API returns is an ApiError carrying the exact AWS code, and the helpers below reproduce AWS's
 * own wording, so that scripts and people that already know AWS's messages recognise ours.
 */

/** The JSON body of an AWS JSON 1.1 error response. */
export interface ApiErrorBody {
  __type: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }

  /** The response body; the HTTP layer sends it with status `this.status`. */
  toJSON(): ApiErrorBody {
    return { __type: this.code, message: this.message };
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/**
 * `knownToAws` distinguishes an SSM operation Tender has not built yet (the caller's tool is fine, Tender
 * is behind) from a target that is not an SSM operation at all (the caller is pointed at the wrong thing).
 */
export function unknownOperation(target: string | undefined, opts: { knownToAws?: boolean } = {}): ApiError {
  if (target === undefined || target === '') {
    return new ApiError('UnknownOperationException', 'Missing X-Amz-Target header: expected AmazonSSM.<Operation>');
  }
  if (opts.knownToAws) {
    return new ApiError('UnknownOperationException', `Tender does not implement ${target} yet`);
  }
  return new ApiError('UnknownOperationException', `Unknown operation ${target}: expected AmazonSSM.<Operation>`);
}

// AWS JSON services answer authentication failures with 400 (not 401/403) and these exact texts.

export function missingAuthentication(): ApiError {
  return new ApiError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
}

export function incompleteSignature(detail: string): ApiError {
  return new ApiError('IncompleteSignatureException', detail);
}

/**
 * `detail` is for the server's log only: telling the caller which part of its signature differed would
 * help someone forging one, so the message is AWS's fixed text.
 */
export function invalidSignature(detail?: string): ApiError {
  const err = new ApiError(
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your AWS Secret Access Key and signing method.',
  );
  if (detail !== undefined) err.cause = detail;
  return err;
}

/** An InvalidSignatureException whose message the caller may see (wrong scope, expired, ...). */
export function signatureRejected(message: string): ApiError {
  return new ApiError('InvalidSignatureException', message);
}

export function unrecognizedClient(): ApiError {
  return new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
}

export type DenialReason = 'explicit-deny' | 'no-allow';

export function accessDenied(
  principalArn: string,
  action: string,
  resource: string,
  reason: DenialReason = 'no-allow',
): ApiError {
  const why =
    reason === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return new ApiError(
    'AccessDeniedException',
    `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
  );
}

export function validation(message: string): ApiError {
  return new ApiError('ValidationException', message);
}

/** One failed constraint, e.g. `{ value: 3, member: 'maxResults', constraint: 'Member must have ...' }`. */
export interface ConstraintViolation {
  value: unknown;
  member: string;
  constraint: string;
}

/** AWS's wording: "1 validation error detected: Value '3' at 'maxResults' failed to satisfy constraint: ...". */
export function constraintViolations(violations: ConstraintViolation[]): ApiError {
  const n = violations.length;
  const parts = violations.map(
    (v) => `Value '${String(v.value)}' at '${v.member}' failed to satisfy constraint: ${v.constraint}`,
  );
  return validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}

/** The body could not be read as the operation's input shape (bad JSON, wrong types). */
export function serialization(detail: string): ApiError {
  return new ApiError('SerializationException', detail);
}

/** The only 5xx: the SDKs retry it. Its message never carries internals; log the cause instead. */
export function internal(): ApiError {
  return new ApiError('InternalServerError', 'An internal error occurred. Try again later.', 500);
}
