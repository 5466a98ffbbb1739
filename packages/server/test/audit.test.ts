import { strict as assert } from 'node:assert';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../src/audit/audit-error.js';
import { GENESIS_HASH, canonicalEventJson, hashRecord, normalizeEvent, type AuditEvent } from '../src/audit/audit-record.js';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { canonicalJson } from '../src/audit/canonical-json.js';
import { verifyAuditFile } from '../src/audit/verify-audit-file.js';

const ALICE = 'arn:tender:iam::000000000000:user/alice';

function event(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    caller: i % 2 === 0 ? ALICE : 'agent:mi-0123456789abcdef0',
    operation: i % 3 === 0 ? 'SendCommand' : 'DescribeInstanceInformation',
    resources: [`arn:aws:ssm:us-east-1:000000000000:managed-instance/mi-${i}`],
    source: i % 2 === 0 ? '10.0.0.1' : 'mqtt',
    outcome: i % 4 === 1 ? 'denied' : 'success',
    ...over,
  };
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('canonicalJson', () => {
  it('sorts keys recursively, keeps array order, drops undefined, adds no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 'x' }], c: null }, u: undefined, 'é': true }),
      '{"a":{"c":null,"d":[3,{"y":"x","z":1}]},"b":1,"é":true}',
    );
  });

  it('refuses values JSON cannot hold', () => {
    assert.throws(() => canonicalJson({ n: NaN }), TypeError);
    assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
  });
});

describe('canonicalEventJson', () => {
  it('writes exactly what canonicalJson writes for a normalized event, with and without the optional fields', () => {
    const bare: AuditEvent = { time: '2026-01-02T03:04:05.678Z', caller: 'arn:aws:iam::1:user/"q"\\é', operation: 'AmazonSSM.GetParameter', resources: ['arn:a', 'b\u2028'], source: '::1', outcome: 'success' };
    const full: AuditEvent = { ...bare, outcome: 'denied', errorCode: 'AccessDeniedException', detail: 'not "allowed"\n', requestId: 'r-1' };
    for (const event of [bare, full, { ...bare, resources: [] }, { ...bare, detail: '' }]) {
      const normalized = normalizeEvent(event);
      assert.equal(canonicalEventJson(normalized), canonicalJson(normalized));
    }
  });
});

describe('AuditTrail', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tender-audit-'));
    file = join(dir, 'audit.jsonl');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function writeTrail(n: number): Promise<void> {
    const trail = await AuditTrail.open(file);
    for (let i = 1; i <= n; i++) await trail.append(event(i));
    await trail.close();
  }

  it('creates the file with mode 0600 and chains records from 64 zeros', async () => {
    const trail = await AuditTrail.open(file);
    const first = await trail.append(event(1, { errorCode: 'AccessDeniedException', requestId: 'r-1' }));
    const second = await trail.append(event(2));
    await trail.close();

    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(first.seq, 1);
    assert.equal(first.prev, GENESIS_HASH);
    assert.equal(second.prev, first.hash);
    const { seq: _s, prev: _p, hash: _h, ...fields } = first;
    assert.equal(first.hash, hashRecord(GENESIS_HASH, fields, 1));
    assert.deepEqual(
      (await lines(file)).map((l) => JSON.parse(l)),
      [first, second],
    );
    assert.deepEqual(await verifyAuditFile(file), { ok: true, records: 2, head: second.hash });
  });

  it('verifies an empty file', async () => {
    await (await AuditTrail.open(file)).close();
    assert.deepEqual(await verifyAuditFile(file), { ok: true, records: 0, head: GENESIS_HASH });
  });

  it('refuses a malformed event without writing anything', async () => {
    const trail = await AuditTrail.open(file);
    const bad: unknown[] = [
      { ...event(1), outcome: 'maybe' },
      { ...event(1), time: 'yesterday' },
      { ...event(1), caller: '' },
      { ...event(1), resources: 'x' },
      { ...event(1), detail: 5 },
    ];
    for (const e of bad) {
      await assert.rejects(trail.append(e as AuditEvent), (err: unknown) => err instanceof AuditError && err.code === 'invalid-event');
    }
    const ok = await trail.append(event(1));
    assert.equal(ok.seq, 1);
    await trail.close();
    assert.equal((await lines(file)).length, 1);
  });

  it('stores only the known fields of an event', async () => {
    const trail = await AuditTrail.open(file);
    const rec = await trail.append({ ...event(1), extra: 'x' } as AuditEvent);
    await trail.close();
    assert.equal('extra' in rec, false);
    assert.equal('extra' in JSON.parse((await lines(file))[0] as string), false);
  });

  it('detects an edited field and names its seq and line', async () => {
    await writeTrail(9);
    const all = await lines(file);
    assert.match(all[4] as string, /"outcome":"denied"/);
    all[4] = (all[4] as string).replace('"outcome":"denied"', '"outcome":"success"');
    await writeFile(file, all.join('\n') + '\n');
    const r = await verifyAuditFile(file);
    assert.equal(r.ok, false);
    assert.deepEqual(r, { ok: false, records: 4, badSeq: 5, line: 5, problem: 'the hash does not match the record: its content was altered' });
  });

  it('detects an edit whose hash was recomputed, at the next record', async () => {
    await writeTrail(6);
    const all = (await lines(file)).map((l) => JSON.parse(l) as Record<string, unknown>);
    const rec = all[2] as Record<string, unknown>;
    rec.caller = 'anonymous';
    const { seq, prev, hash: _h, ...fields } = rec;
    rec.hash = hashRecord(prev as string, fields, seq as number);
    await writeFile(file, all.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await verifyAuditFile(file);
    assert.ok(!r.ok);
    assert.equal(r.badSeq, 4);
    assert.equal(r.line, 4);
    assert.match(r.problem, /prev does not match/);
  });

  it('detects a deleted record', async () => {
    await writeTrail(6);
    const all = await lines(file);
    all.splice(2, 1);
    await writeFile(file, all.join('\n') + '\n');
    const r = await verifyAuditFile(file);
    assert.ok(!r.ok);
    assert.deepEqual([r.records, r.badSeq, r.line], [2, 3, 3]);
    assert.match(r.problem, /expected seq 3, found seq 4/);
  });

  it('detects reordered records', async () => {
    await writeTrail(6);
    const all = await lines(file);
    [all[3], all[4]] = [all[4] as string, all[3] as string];
    await writeFile(file, all.join('\n') + '\n');
    const r = await verifyAuditFile(file);
    assert.ok(!r.ok);
    assert.deepEqual([r.badSeq, r.line], [4, 4]);
  });

  it('detects a broken JSON line', async () => {
    await writeTrail(4);
    const all = await lines(file);
    all[1] = (all[1] as string).slice(0, 30);
    await writeFile(file, all.join('\n') + '\n');
    assert.deepEqual(await verifyAuditFile(file), {
      ok: false,
      records: 1,
      badSeq: 2,
      line: 2,
      problem: 'the line is not valid JSON',
    });
  });

  it('keeps the chain intact under 200 concurrent appends', async () => {
    const trail = await AuditTrail.open(file);
    const records = await Promise.all(Array.from({ length: 200 }, (_, i) => trail.append(event(i))));
    await trail.close();
    assert.deepEqual(
      records.map((r) => r.seq),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const stored = (await lines(file)).map((l) => JSON.parse(l) as { seq: number });
    assert.deepEqual(
      stored.map((r) => r.seq),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.deepEqual(await verifyAuditFile(file), { ok: true, records: 200, head: records[199]?.hash });
  });

  it('writes appends grouped per burst in call order, including those made by callers woken by an earlier record', async () => {
    const trail = await AuditTrail.open(file);
    // Ten callers that each append again as soon as their previous record is written, beside a burst of 50:
    // later appends land while a group write is in flight or just as one completes.
    const chains = Array.from({ length: 10 }, async (_, c) => {
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) seqs.push((await trail.append(event(c * 5 + i))).seq);
      return seqs;
    });
    const burst = Promise.all(Array.from({ length: 50 }, (_, i) => trail.append(event(100 + i))));
    const [perCaller, burstRecords] = await Promise.all([Promise.all(chains), burst]);
    await trail.close();
    for (const seqs of perCaller) assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'a caller\'s records are in its call order');
    const all = [...perCaller.flat(), ...burstRecords.map((r) => r.seq)].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i + 1));
    assert.deepEqual((await verifyAuditFile(file)).ok, true);
  });

  it('continues the chain after reopening', async () => {
    await writeTrail(3);
    const trail = await AuditTrail.open(file);
    const rec = await trail.append(event(4));
    await trail.close();
    assert.equal(rec.seq, 4);
    const r = await verifyAuditFile(file);
    assert.deepEqual(r, { ok: true, records: 4, head: rec.hash });
  });

  it('continues after records longer than the tail-read chunk', async () => {
    const trail = await AuditTrail.open(file);
    await trail.append(event(1, { detail: 'x'.repeat(100_000) }));
    await trail.append(event(2, { detail: 'é'.repeat(70_000) }));
    await trail.close();
    const again = await AuditTrail.open(file);
    assert.equal((await again.append(event(3))).seq, 3);
    await again.close();
    assert.deepEqual((await verifyAuditFile(file)).ok, true);
  });

  it('reports a torn last line instead of chaining over it, and repairs it on request', async () => {
    await writeTrail(3);
    await appendFile(file, '{"seq":4,"time":"2025-01-01T00:04:00.000Z","cal');
    await assert.rejects(AuditTrail.open(file), (e: unknown) => e instanceof AuditError && e.code === 'torn-tail');
    const v = await verifyAuditFile(file);
    assert.ok(!v.ok);
    assert.deepEqual([v.records, v.badSeq, v.line], [3, 4, 4]);
    assert.match(v.problem, /incomplete/);

    const trail = await AuditTrail.open(file, { repairTornTail: true });
    assert.ok(trail.recovered);
    assert.equal(await readFile(trail.recovered.savedTo, 'utf8'), '{"seq":4,"time":"2025-01-01T00:04:00.000Z","cal');
    assert.equal((await trail.append(event(4))).seq, 4);
    await trail.close();
    assert.deepEqual((await verifyAuditFile(file)).ok, true);
    assert.equal((await readdir(dir)).length, 2);
  });

  it('refuses to continue from a last record that does not verify', async () => {
    await writeTrail(3);
    const all = await lines(file);
    all[2] = (all[2] as string).replace('"source":"mqtt"', '"source":"10.9.9.9"');
    await writeFile(file, all.join('\n') + '\n');
    await assert.rejects(AuditTrail.open(file), (e: unknown) => e instanceof AuditError && e.code === 'corrupt-tail');
  });

  it('refuses a second open of the same file and appends after close', async () => {
    const trail = await AuditTrail.open(file);
    await assert.rejects(AuditTrail.open(join(dir, '.', 'audit.jsonl')), (e: unknown) => e instanceof AuditError && e.code === 'already-open');
    const pending = trail.append(event(1));
    await trail.close();
    assert.equal((await pending).seq, 1);
    await assert.rejects(trail.append(event(2)), (e: unknown) => e instanceof AuditError && e.code === 'closed');
    const reopened = await AuditTrail.open(file);
    await reopened.close();
  });

  describe('query', () => {
    let trail: AuditTrail;
    beforeEach(async () => {
      trail = await AuditTrail.open(file);
      for (let i = 1; i <= 12; i++) void trail.append(event(i));
    });
    afterEach(() => trail.close());

    it('returns everything in order, including appends still queued', async () => {
      assert.deepEqual(
        (await trail.query({})).map((r) => r.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
    });

    it('filters by time (inclusive), caller, operation and outcome, with a limit', async () => {
      const seqs = async (f: Parameters<AuditTrail['query']>[0]): Promise<number[]> => (await trail.query(f)).map((r) => r.seq);
      assert.deepEqual(
        await seqs({ since: new Date(Date.UTC(2025, 0, 1, 0, 3)), until: new Date(Date.UTC(2025, 0, 1, 0, 5)) }),
        [3, 4, 5],
      );
      assert.deepEqual(await seqs({ caller: ALICE }), [2, 4, 6, 8, 10, 12]);
      assert.deepEqual(await seqs({ operation: 'SendCommand' }), [3, 6, 9, 12]);
      assert.deepEqual(await seqs({ outcome: 'denied' }), [1, 5, 9]);
      assert.deepEqual(await seqs({ caller: ALICE, operation: 'SendCommand', limit: 1 }), [6]);
      assert.deepEqual(await seqs({ limit: 0 }), []);
      await assert.rejects(trail.query({ limit: -1 }), (e: unknown) => e instanceof AuditError && e.code === 'invalid-query');
    });
  });
});
