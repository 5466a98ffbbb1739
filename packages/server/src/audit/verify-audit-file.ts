/**
 * Checks an audit file's whole hash chain, line by line, and stops at the first problem: after it the
 * file can no longer be trusted, so later findings would add nothing. The report names the sequence
 * number that was expected there and the line, which is what an operator needs to look at the damage.
 *
 * On success `head` is the last record's hash (64 zeros for an empty file). The chain cannot show that
 * records were cut off the end; comparing `head` with a copy kept elsewhere can.
 */
import { GENESIS_HASH, eventFieldsOf, hasChainFields, hashRecord } from './audit-record.js';
import { readJsonlLines } from './jsonl-lines.js';

export type AuditVerification =
  | { ok: true; records: number; head: string }
  | { ok: false; records: number; badSeq: number; line: number; problem: string };

export async function verifyAuditFile(file: string): Promise<AuditVerification> {
  let records = 0;
  let prev = GENESIS_HASH;
  for await (const { line, text, terminated } of readJsonlLines(file)) {
    const expected = records + 1;
    const fail = (problem: string): AuditVerification => ({ ok: false, records, badSeq: expected, line, problem });

    if (!terminated) return fail('the last line is incomplete (no newline): a write was interrupted');
    if (text.trim() === '') return fail('empty line');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail('the line is not valid JSON');
    }
    if (!hasChainFields(parsed)) return fail('the line is not an audit record (seq, prev or hash missing or malformed)');
    if (parsed.seq !== expected) {
      return fail(`expected seq ${expected}, found seq ${parsed.seq}: records were deleted or reordered`);
    }
    if (parsed.prev !== prev) {
      return fail(`prev does not match the hash of record ${expected - 1}: records were deleted, reordered or rewritten`);
    }
    if (hashRecord(parsed.prev, eventFieldsOf(parsed), parsed.seq) !== parsed.hash) {
      return fail('the hash does not match the record: its content was altered');
    }
    records = expected;
    prev = parsed.hash;
  }
  return { ok: true, records, head: prev };
}
