/** The Maintenance Windows API's errors, with SSM's codes. */
import { ApiError } from '../api/errors.js';

/** SSM's DoesNotExistException: a window, target, task or execution id that names nothing. */
export function doesNotExist(message: string): ApiError {
  return new ApiError('DoesNotExistException', message);
}

export function resourceLimitExceeded(message: string): ApiError {
  return new ApiError('ResourceLimitExceededException', message);
}

export function idempotentMismatch(token: string): ApiError {
  return new ApiError('IdempotentParameterMismatch', `ClientToken ${token} was already used with different parameters`);
}

export function featureNotAvailable(message: string): ApiError {
  return new ApiError('FeatureNotAvailableException', message);
}

export function invalidInput(message: string): ApiError {
  return new ApiError('ValidationException', message);
}

export function targetInUse(message: string): ApiError {
  return new ApiError('TargetInUseException', message);
}
