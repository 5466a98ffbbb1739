/**
 * The control plane's audit trail: an append-only JSON Lines file of hash-chained records
 * (see audit-record.ts for the chain).
 *
 * - Appends are chained in the order they are called, so concurrent callers never interleave bytes or fork
 *   the chain (two records with the same seq/prev). Appends made while a write is in flight are grouped and
 *   go out together in the next write (group commit): one write of whole lines on a handle opened with 'a'
 *   per burst instead of one per record, which is what lets the API answer thousands of calls a second. An
 *   append still resolves only once the write holding its record has succeeded, so a caller that waits for
 *   it (the API does, before answering) knows its record is in the file, exactly as with one write per
 *   record; and the chain state only advances once that write has succeeded. Like before, a write reaches
 *   the OS, not necessarily the disk: close() syncs.
 * - The group write is synchronous (writeSync on the handle's descriptor). Appending a few kilobytes to a file
 *   lands in the page cache in microseconds, whereas a thread-pool write costs a hand-off and a wake-up per
 *   group, which under load was the largest single cost of an API call. The price: a stalled disk stalls the
 *   event loop while it lasts, rather than only the calls waiting for their records (and every API answer
 *   waits for its record anyway).
 * - If a write fails part-way (disk full, I/O error) the file may end with part of a line, and the
 *   trail refuses further appends instead of chaining over the damage; every record of that write is
 *   rejected to its caller (some of them may be in the file: a failure is never reported as a success).
 * - On open, only the end of the file is read: the last record gives seq and hash to continue from, and is
 *   itself checked. A last line without its newline (a crash mid-write) is reported as an AuditError
 *   'torn-tail'; `repairTornTail` moves those bytes to `<file>.torn-<time>` and continues, saying so in
 *   `recovered`. Nothing is ever silently dropped or chained over.
 * - One process opens a given file once; two writers would fork the chain.
 */
import { writeSync } from 'node:fs';
import { open, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditError } from './audit-error.js';
import { queryAuditFile, type AuditQuery } from './audit-query.js';
import {
  GENESIS_HASH,
  chainRecord,
  eventFieldsOf,
  hasChainFields,
  hashRecord,
  normalizeEvent,
  type AuditEvent,
  type AuditRecord,
} from './audit-record.js';

export interface AuditTrailOptions {
  /** Move an incomplete last line aside and continue, instead of refusing to open. */
  repairTornTail?: boolean;
}

export interface TornTailRecovery {
  /** Where the incomplete line started in the file. */
  offset: number;
  bytes: number;
  /** The file the incomplete bytes were moved to. */
  savedTo: string;
}

const openFiles = new Set<string>();
const TAIL_CHUNK = 64 * 1024;

export class AuditTrail {
  readonly file: string;
  /** Set when open() repaired a torn last line. */
  readonly recovered: TornTailRecovery | undefined;
  private readonly handle: FileHandle;
  private seq: number;
  private prev: string;
  /** Appends waiting for the next write, in call order. */
  private pending: PendingAppend[] = [];
  /** The write loop while it runs; it runs until nothing is pending. */
  private flushing: Promise<void> | undefined;
  private closing = false;
  private broken: AuditError | undefined;

  private constructor(file: string, handle: FileHandle, seq: number, prev: string, recovered?: TornTailRecovery) {
    this.file = file;
    this.handle = handle;
    this.seq = seq;
    this.prev = prev;
    this.recovered = recovered;
  }

  static async open(file: string, opts: AuditTrailOptions = {}): Promise<AuditTrail> {
    const path = resolve(file);
    if (openFiles.has(path)) {
      throw new AuditError('already-open', `Audit file ${path} is already open in this process`);
    }
    openFiles.add(path);
    let handle: FileHandle | undefined;
    try {
      // Mode applies only when the file is created; an existing file keeps the permissions its admin chose.
      handle = await open(path, 'a', 0o600);
      const tail = await readTail(path);
      let recovered: TornTailRecovery | undefined;
      if (tail.tornAt !== undefined) {
        const bytes = tail.tornBytes ?? 0;
        if (!opts.repairTornTail) {
          throw new AuditError(
            'torn-tail',
            `Audit file ${path} ends with an incomplete record (${bytes} bytes from offset ${tail.tornAt} without a ` +
              'newline): a write was interrupted. Open it with repairTornTail to move those bytes aside and continue.',
          );
        }
        recovered = await moveTornTail(path, tail.tornAt, bytes);
      }
      const { seq, prev } = continueFrom(path, tail.last);
      return new AuditTrail(path, handle, seq, prev, recovered);
    } catch (e) {
      openFiles.delete(path);
      await handle?.close();
      throw e;
    }
  }

  /** Resolves once the record is written; rejects (and writes nothing) if the event is malformed. */
  append(event: AuditEvent): Promise<AuditRecord> {
    if (this.closing) return Promise.reject(new AuditError('closed', `Audit trail ${this.file} is closed`));
    let normalized: AuditEvent;
    try {
      normalized = normalizeEvent(event);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ event: normalized, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Sees every append that was called before it. */
  async query(filter: AuditQuery = {}): Promise<AuditRecord[]> {
    await this.flushing;
    return queryAuditFile(this.file, filter);
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.flushing;
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
      openFiles.delete(this.file);
    }
  }

  /** Writes what is pending, one write per group, until nothing is; never rejects (each append hears its outcome). */
  private async flush(): Promise<void> {
    // Let the appends of the current burst (this turn of the event loop) join the write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        const records = this.write(group.map((p) => p.event));
        group.forEach((p, i) => p.resolve(records[i] as AuditRecord));
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    // In the same synchronous step as the last look at `pending`: an append made from here on (even by a
    // caller that has just heard its record was written) starts a new loop instead of waiting on this one.
    this.flushing = undefined;
  }

  private write(events: AuditEvent[]): AuditRecord[] {
    if (this.broken) throw this.broken;
    let seq = this.seq;
    let prev = this.prev;
    const records = events.map((event) => {
      const record = chainRecord(event, (seq += 1), prev);
      prev = record.hash;
      return record;
    });
    const data = Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
    try {
      // One write; the loop only matters if the OS accepts part of it (a regular file rarely does).
      for (let offset = 0; offset < data.length; ) offset += writeSync(this.handle.fd, data, offset, data.length - offset);
    } catch (cause) {
      const first = records[0]?.seq;
      this.broken = new AuditError(
        'write-failed',
        `Writing audit records ${first}-${seq} to ${this.file} failed; the trail accepts no more records until reopened`,
        { cause },
      );
      throw this.broken;
    }
    this.seq = seq;
    this.prev = prev;
    return records;
  }
}

interface PendingAppend {
  event: AuditEvent;
  resolve(record: AuditRecord): void;
  reject(error: unknown): void;
}

/** The chain state after the last complete record, which must itself verify. */
function continueFrom(path: string, last: string | undefined): { seq: number; prev: string } {
  if (last === undefined) return { seq: 0, prev: GENESIS_HASH };
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    parsed = undefined;
  }
  if (!hasChainFields(parsed) || hashRecord(parsed.prev, eventFieldsOf(parsed), parsed.seq) !== parsed.hash) {
    throw new AuditError(
      'corrupt-tail',
      `The last record of audit file ${path} does not verify, so the chain cannot be continued; run verifyAuditFile on it`,
    );
  }
  return { seq: parsed.seq, prev: parsed.hash };
}

/**
 * Reads backwards from the end until it has the last complete line. `tornAt` is the offset of trailing
 * bytes after the last newline, if any, and `tornBytes` their length.
 */
async function readTail(path: string): Promise<{ last?: string; tornAt?: number; tornBytes?: number }> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let pos = size;
    let buf = Buffer.alloc(0); // covers [pos, size)
    for (;;) {
      const lastNl = buf.lastIndexOf(0x0a);
      const prevNl = lastNl > 0 ? buf.lastIndexOf(0x0a, lastNl - 1) : -1;
      if (prevNl >= 0 || pos === 0) {
        const tail: { last?: string; tornAt?: number; tornBytes?: number } = {};
        if (lastNl >= 0) tail.last = buf.subarray(prevNl + 1, lastNl).toString('utf8');
        if (lastNl !== buf.length - 1) {
          tail.tornAt = pos + lastNl + 1;
          tail.tornBytes = size - tail.tornAt;
        }
        return tail;
      }
      const len = Math.min(TAIL_CHUNK, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      await fh.read(chunk, 0, len, pos);
      buf = Buffer.concat([chunk, buf]);
    }
  } finally {
    await fh.close();
  }
}

async function moveTornTail(path: string, offset: number, bytes: number): Promise<TornTailRecovery> {
  const fh = await open(path, 'r');
  const torn = Buffer.alloc(bytes);
  try {
    await fh.read(torn, 0, bytes, offset);
  } finally {
    await fh.close();
  }
  const savedTo = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await writeFile(savedTo, torn, { mode: 0o600, flag: 'wx' });
  await truncate(path, offset);
  return { offset, bytes, savedTo };
}
