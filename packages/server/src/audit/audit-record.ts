/**
 * The audit record and its hash chain.
 *
 * Each record's hash is sha256 over `prev + canonicalJson(event) + seq`, where `prev` is the previous
 * record's hash (64 zeros for the first) and `event` is every field of the record except seq, prev and
 * hash. Editing a field breaks that record's hash; deleting or reordering records breaks `seq` and
 * `prev`; rewriting hashes to hide an edit breaks the next record's `prev`. Only cutting records off the
 * end goes unseen from inside the file, which is why verification reports the head hash to keep elsewhere.
 */
import { hash } from 'node:crypto';
import { AuditError } from './audit-error.js';
import { canonicalJson } from './canonical-json.js';

export type AuditOutcome = 'success' | 'denied' | 'error' | 'rejected';

export interface AuditEvent {
  /** ISO 8601 time of the event. */
  time: string;
  /** Principal ARN, 'agent:mi-…', or 'anonymous'. */
  caller: string;
  operation: string;
  resources: string[];
  /** Client IP address, or 'mqtt'. */
  source: string;
  outcome: AuditOutcome;
  errorCode?: string;
  detail?: string;
  requestId?: string;
}

export interface AuditRecord extends AuditEvent {
  seq: number;
  prev: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

const OUTCOMES: readonly string[] = ['success', 'denied', 'error', 'rejected'];
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const HEX64 = /^[0-9a-f]{64}$/;

function invalid(message: string): AuditError {
  return new AuditError('invalid-event', `Invalid audit event: ${message}`);
}

/** The last time text found valid: the calls of one millisecond share their time, so it is checked once. */
let lastValidTime: unknown;

/** A checked copy holding only the known fields, so nothing unexpected gets hashed and stored. */
export function normalizeEvent(event: AuditEvent): AuditEvent {
  const e = event as unknown as Record<string, unknown>;
  if (e.time !== lastValidTime) {
    if (typeof e.time !== 'string' || !ISO_TIME.test(e.time) || Number.isNaN(Date.parse(e.time))) {
      throw invalid(`time must be an ISO 8601 timestamp, got ${JSON.stringify(e.time)}`);
    }
    lastValidTime = e.time;
  }
  for (const field of ['caller', 'operation', 'source']) {
    if (typeof e[field] !== 'string' || e[field] === '') throw invalid(`${field} must be a non-empty string`);
  }
  if (!Array.isArray(e.resources) || e.resources.some((r) => typeof r !== 'string')) {
    throw invalid('resources must be an array of strings');
  }
  if (typeof e.outcome !== 'string' || !OUTCOMES.includes(e.outcome)) {
    throw invalid(`outcome must be one of ${OUTCOMES.join(', ')}, got ${JSON.stringify(e.outcome)}`);
  }
  const out: AuditEvent = {
    time: event.time,
    caller: event.caller,
    operation: event.operation,
    resources: [...event.resources],
    source: event.source,
    outcome: event.outcome,
  };
  for (const field of ['errorCode', 'detail', 'requestId'] as const) {
    const v = e[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`${field} must be a string`);
    out[field] = v;
  }
  return out;
}

export function hashRecord(prev: string, event: object, seq: number): string {
  // One-shot hash of the concatenation: the same bytes as three updates, without a Hash object per record.
  return hash('sha256', `${prev}${canonicalJson(event)}${seq}`, 'hex');
}

/**
 * canonicalJson(event) for an event normalizeEvent produced (only the known fields, all strings but the string
 * array `resources`), written out field by field in canonical (sorted) order: the same text without sorting keys
 * or walking the value, for the append that every API call makes.
 */
export function canonicalEventJson(event: AuditEvent): string {
  const optional = (name: 'detail' | 'errorCode' | 'requestId') => (event[name] === undefined ? '' : `"${name}":${JSON.stringify(event[name])},`);
  return (
    `{"caller":${JSON.stringify(event.caller)},${optional('detail')}${optional('errorCode')}` +
    `"operation":${JSON.stringify(event.operation)},"outcome":${JSON.stringify(event.outcome)},${optional('requestId')}` +
    `"resources":${JSON.stringify(event.resources)},"source":${JSON.stringify(event.source)},"time":${JSON.stringify(event.time)}}`
  );
}

/** Chains a normalized event (see normalizeEvent) after `prev`. */
export function chainRecord(event: AuditEvent, seq: number, prev: string): AuditRecord {
  return { seq, ...event, prev, hash: hash('sha256', `${prev}${canonicalEventJson(event)}${seq}`, 'hex') };
}

/** The hashed part of a stored record: everything except seq, prev and hash, including unknown fields. */
export function eventFieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const { seq: _seq, prev: _prev, hash: _hash, ...event } = record;
  return event;
}

/** Whether a parsed line has the chain fields in the right types (not whether they are correct). */
export function hasChainFields(v: unknown): v is Record<string, unknown> & { seq: number; prev: string; hash: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return (
    Number.isSafeInteger(r.seq) &&
    (r.seq as number) >= 1 &&
    typeof r.prev === 'string' &&
    HEX64.test(r.prev) &&
    typeof r.hash === 'string' &&
    HEX64.test(r.hash)
  );
}
