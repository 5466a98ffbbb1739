/**
 * The Documents API's errors, with SSM's codes. SSM's own texts are used where they are known (InvalidDocument,
 * InvalidDocumentVersion, DuplicateDocumentContent, ...); everything else says what Tender found and what to do.
 */
import { ApiError } from '../api/errors.js';

export function documentNotFound(name: string): ApiError {
  return new ApiError('InvalidDocument', `The specified document does not exist: ${name}`);
}

export function versionNotFound(name: string, version: string): ApiError {
  return new ApiError('InvalidDocumentVersion', `The document version is not valid or does not exist: ${name} has no version ${version}`);
}

export function invalidDocumentContent(message: string): ApiError {
  return new ApiError('InvalidDocumentContent', message);
}

export function unsupportedSchemaVersion(message: string): ApiError {
  return new ApiError('InvalidDocumentSchemaVersion', message);
}

export function invalidDocumentOperation(message: string): ApiError {
  return new ApiError('InvalidDocumentOperation', message);
}

export function amazonOwned(name: string, operation: 'update' | 'delete'): ApiError {
  return invalidDocumentOperation(
    operation === 'delete'
      ? `You cannot delete a document owned by Amazon: ${name} is a built-in document`
      : `You cannot update a document owned by Amazon: ${name} is a built-in document; create your own document from its content instead`,
  );
}

export function hashMismatch(name: string, version: string): ApiError {
  return new ApiError('InvalidDocument', `The document hash does not match: version ${version} of ${name} has a different Sha256 hash than the DocumentHash given`);
}
