/**
 * Reading the audit trail back: a streaming scan in file (that is, chronological) order that stops as
 * soon as `limit` records matched. It is a reader, not a verifier: lines that do not parse are skipped
 * here, and verifyAuditFile is what reports them.
 */
import { AuditError } from './audit-error.js';
import { hasChainFields, type AuditRecord } from './audit-record.js';
import { readJsonlLines } from './jsonl-lines.js';

export interface AuditQuery {
  /** Inclusive. */
  since?: Date;
  /** Inclusive. */
  until?: Date;
  caller?: string;
  operation?: string;
  outcome?: string;
  /** The first `limit` matches, oldest first. */
  limit?: number;
}

export async function queryAuditFile(file: string, filter: AuditQuery): Promise<AuditRecord[]> {
  const since = filter.since?.getTime();
  const until = filter.until?.getTime();
  if (Number.isNaN(since) || Number.isNaN(until)) throw new AuditError('invalid-query', 'since/until must be valid dates');
  const limit = filter.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
    throw new AuditError('invalid-query', `limit must be a non-negative integer, got ${limit}`);
  }

  const out: AuditRecord[] = [];
  if (limit === 0) return out;
  for await (const { text, terminated } of readJsonlLines(file)) {
    if (!terminated) break;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (!hasChainFields(parsed)) continue;
    const record = parsed as unknown as AuditRecord;
    const time = Date.parse(record.time);
    if (since !== undefined && !(time >= since)) continue;
    if (until !== undefined && !(time <= until)) continue;
    if (filter.caller !== undefined && record.caller !== filter.caller) continue;
    if (filter.operation !== undefined && record.operation !== filter.operation) continue;
    if (filter.outcome !== undefined && record.outcome !== filter.outcome) continue;
    out.push(record);
    if (out.length >= limit) break;
  }
  return out;
}
