import { ApiError } from '../api/errors.js';
import type { Operation } from '../api/operation.js';
import { optionalInteger, optionalString, optionalTimestamp } from '../api/validate.js';
import type { AuditTrail } from './audit-trail.js';
import { verifyAuditFile } from './verify-audit-file.js';

/** `Tender.ListAuditEvents` and `Tender.VerifyAuditTrail`: reading the trail is itself audited. */
export function auditOperations(trail: AuditTrail): Operation[] {
  return [
    {
      service: 'Tender',
      name: 'ListAuditEvents',
      async handle(input) {
        const outcome = optionalString(input, 'Outcome');
        if (outcome && !['success', 'denied', 'error', 'rejected'].includes(outcome)) {
          throw new ApiError('ValidationException', `Outcome must be one of success, denied, error, rejected; got ${outcome}`);
        }
        const records = await trail.query({
          since: optionalTimestamp(input, 'StartTime'),
          until: optionalTimestamp(input, 'EndTime'),
          caller: optionalString(input, 'Caller'),
          operation: optionalString(input, 'Operation'),
          outcome,
          limit: optionalInteger(input, 'MaxResults', { min: 1, max: 100000 }) ?? 1000,
        });
        return { Events: records };
      },
    },
    {
      service: 'Tender',
      name: 'VerifyAuditTrail',
      async handle() {
        return verifyAuditFile(trail.file);
      },
    },
  ];
}
