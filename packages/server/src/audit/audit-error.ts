/**
 * Failures of the audit trail itself. They are not API errors: the HTTP layer maps them to
 * InternalServerError, while the `tender audit` commands show their message as it is.
 */
export type AuditErrorCode =
  | 'invalid-event' // the event to append does not have the required shape
  | 'invalid-query' // a query filter that cannot be applied
  | 'torn-tail' // the file ends with an incomplete record (a write was interrupted)
  | 'corrupt-tail' // the last complete record does not verify, so the chain cannot be continued
  | 'write-failed' // an append failed part-way; the trail refuses further appends
  | 'already-open' // this process already has the file open for appending
  | 'closed'; // append after close()

export class AuditError extends Error {
  readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
    this.code = code;
  }
}
