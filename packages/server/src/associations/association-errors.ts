/** The Associations API's errors, with SSM's codes and SSM's own wording where it is known. */
import { ApiError } from '../api/errors.js';

export function associationNotFound(what: string): ApiError {
  return new ApiError('AssociationDoesNotExist', `The specified association does not exist: ${what}`);
}

export function invalidTarget(message: string): ApiError {
  return new ApiError('InvalidTarget', message);
}

export function invalidSchedule(message: string): ApiError {
  return new ApiError('InvalidSchedule', message);
}

export function invalidAssociationVersion(message: string): ApiError {
  return new ApiError('InvalidAssociationVersion', message);
}
