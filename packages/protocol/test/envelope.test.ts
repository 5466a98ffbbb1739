import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  PROTOCOL_VERSION,
  ReplayGuard,
  createMessage,
  generateSigningKeyPair,
  keyFingerprint,
  openEnvelope,
  sign,
  signEnvelope,
  toBase64,
} from '../src/index.js';
import type { KnownKey, Message, OpenOptions, OpenResult, RejectReason } from '../src/index.js';

const CONTROL = 'control-plane';
const AGENT_A = 'mi-0000000000000000a';
const AGENT_B = 'mi-0000000000000000b';
const NOW = 1_700_000_000_000;

const keyA = generateSigningKeyPair();
const keyB = generateSigningKeyPair();
const idA = keyFingerprint(keyA.publicKey);
const idB = keyFingerprint(keyB.publicKey);
const known = new Map<string, KnownKey>([
  [idA, { publicKey: keyA.publicKey, owner: AGENT_A }],
  [idB, { publicKey: keyB.publicKey, owner: AGENT_B }],
]);

function options(overrides: Partial<OpenOptions> = {}): OpenOptions {
  return { me: CONTROL, keys: (id) => known.get(id), guard: new ReplayGuard(), now: NOW, ...overrides };
}

function message(overrides: Partial<Message> = {}): Message {
  return { ...createMessage({ type: 'heartbeat', from: AGENT_A, to: CONTROL, body: { n: 1 }, ts: NOW }), ...overrides };
}

/** An envelope built by hand, so tests can put anything in it. */
function raw(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

function signedRaw(m: string, secretKey = keyA.secretKey, k = idA): string {
  return raw({ m, s: toBase64(sign(Buffer.from(m, 'utf8'), secretKey)), k });
}

function expectReject(result: OpenResult, reason: RejectReason, detail?: RegExp): void {
  assert.equal(result.ok, false, `expected ${reason}, got ok`);
  if (result.ok) return;
  assert.equal(result.reason, reason, result.detail);
  assert.ok(result.detail.length > 0);
  if (detail) assert.match(result.detail, detail);
}

describe('envelope', () => {
  it('signs once and opens to the same message', () => {
    const sent = message();
    const bytes = signEnvelope(sent, idA, keyA.secretKey);
    assert.ok(Buffer.isBuffer(bytes));
    const envelope = JSON.parse(bytes.toString('utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(envelope).sort(), ['k', 'm', 's']);
    assert.equal(envelope.k, idA);
    assert.equal(envelope.m, JSON.stringify(sent));
    assert.equal(envelope.s, toBase64(sign(Buffer.from(envelope.m as string, 'utf8'), keyA.secretKey)));

    const result = openEnvelope(bytes, options());
    assert.ok(result.ok, result.ok ? '' : result.detail);
    assert.deepEqual(result.message, sent);
    assert.equal(result.keyId, idA);
  });

  it('opens from a string as well as from bytes, and with non-ASCII content', () => {
    const sent = message({ body: { text: 'caf\u00e9 \u{1F680} \u2028' } });
    const bytes = signEnvelope(sent, idA, keyA.secretKey);
    const fromString = openEnvelope(bytes.toString('utf8'), options());
    assert.ok(fromString.ok);
    assert.deepEqual(fromString.message, sent);
    const fromUint8 = openEnvelope(new Uint8Array(bytes), options());
    assert.ok(fromUint8.ok);
  });

  it('signEnvelope leaves out fields that are not part of the message and refuses malformed messages', () => {
    const withExtra = { ...message(), extra: 'x' } as Message;
    const envelope = JSON.parse(signEnvelope(withExtra, idA, keyA.secretKey).toString('utf8')) as { m: string };
    assert.equal('extra' in (JSON.parse(envelope.m) as object), false);
    assert.throws(() => signEnvelope(message({ id: '' }), idA, keyA.secretKey), /cannot sign message: .*"id"/);
    assert.throws(() => signEnvelope(message(), '', keyA.secretKey), /key id/);
  });

  describe('rejects, with a reason for each failure', () => {
    it('too_large: over the default limit, and over a custom one', () => {
      const big = signEnvelope(message({ body: 'x'.repeat(DEFAULT_MAX_ENVELOPE_BYTES) }), idA, keyA.secretKey);
      expectReject(openEnvelope(big, options()), 'too_large', new RegExp(`envelope is ${big.length} bytes, limit 131072`));
      const small = signEnvelope(message(), idA, keyA.secretKey);
      expectReject(openEnvelope(small, options({ maxBytes: small.length - 1 })), 'too_large');
      assert.ok(openEnvelope(small, options({ maxBytes: small.length })).ok);
      // Measured in UTF-8 bytes, not UTF-16 units.
      expectReject(openEnvelope('\u00e9'.repeat(70000), options()), 'too_large', /140000 bytes/);
    });

    it('malformed: not JSON, not UTF-8, not an object', () => {
      expectReject(openEnvelope('not json', options()), 'malformed', /not JSON/);
      expectReject(openEnvelope(new Uint8Array([0x7b, 0xff, 0x7d]), options()), 'malformed', /UTF-8/);
      expectReject(openEnvelope('[1,2,3]', options()), 'malformed', /object/);
      expectReject(openEnvelope('null', options()), 'malformed', /object/);
      expectReject(openEnvelope('', options()), 'malformed');
    });

    it('malformed: extra, missing or non-string envelope fields', () => {
      const good = JSON.parse(signEnvelope(message(), idA, keyA.secretKey).toString('utf8')) as Record<string, unknown>;
      expectReject(openEnvelope(raw({ ...good, x: 1 }), options()), 'malformed', /unexpected field "x"/);
      for (const field of ['m', 's', 'k']) {
        const missing = { ...good };
        delete missing[field];
        expectReject(openEnvelope(raw(missing), options()), 'malformed', new RegExp(`"${field}" is missing`));
        expectReject(openEnvelope(raw({ ...good, [field]: 7 }), options()), 'malformed', new RegExp(`"${field}" must be a string`));
      }
    });

    it('malformed: the inner message is not JSON or has the wrong shape', () => {
      expectReject(openEnvelope(signedRaw('{oops'), options()), 'malformed', /message is not JSON/);
      expectReject(openEnvelope(signedRaw('"a string"'), options()), 'malformed', /message must be a JSON object/);
      const base = message();
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ ...base, v: '1' }, /"v"/],
        [{ ...base, id: '' }, /"id"/],
        [{ ...base, id: 7 }, /"id"/],
        [{ ...base, id: 'x'.repeat(129) }, /129 characters, limit 128/],
        [{ ...base, type: '' }, /"type"/],
        [{ ...base, from: null }, /"from"/],
        [{ ...base, to: 1 }, /"to"/],
        [{ ...base, ts: '1' }, /"ts"/],
        [{ ...base, ts: null }, /"ts"/],
        [{ ...base, body: undefined }, /"body" is missing/],
      ];
      for (const [fields, detail] of cases) {
        const result = openEnvelope(signedRaw(JSON.stringify(fields)), options());
        expectReject(result, 'malformed', detail);
        if (!result.ok) assert.equal(result.keyId, idA);
      }
      // An id of exactly 128 characters is fine.
      assert.ok(openEnvelope(signedRaw(JSON.stringify({ ...base, id: 'x'.repeat(128) })), options()).ok);
    });

    it('malformed: lone surrogates in m (two strings, one UTF-8 encoding)', () => {
      const m = JSON.stringify(message({ body: 'x' })).replace('"body":"x"', '"body":"\uD800"');
      expectReject(openEnvelope(signedRaw(m), options()), 'malformed', /surrogate/);
    });

    it('unsupported_version', () => {
      const m = JSON.stringify({ ...message(), v: PROTOCOL_VERSION + 1 });
      expectReject(openEnvelope(signedRaw(m), options()), 'unsupported_version', /version 2, supported 1/);
    });

    it('unknown_key, also when the resolver throws', () => {
      const stranger = generateSigningKeyPair();
      const bytes = signEnvelope(message(), keyFingerprint(stranger.publicKey), stranger.secretKey);
      const result = openEnvelope(bytes, options());
      expectReject(result, 'unknown_key', /not known/);
      if (!result.ok) assert.equal(result.keyId, keyFingerprint(stranger.publicKey));
      const throwing = options({
        keys: () => {
          throw new Error('store offline');
        },
      });
      expectReject(openEnvelope(signEnvelope(message(), idA, keyA.secretKey), throwing), 'unknown_key', /store offline/);
    });

    it('bad_signature: a signature made for a different m', () => {
      const m = JSON.stringify(message());
      const other = JSON.stringify(message({ id: 'another' }));
      const forged = raw({ m, s: toBase64(sign(Buffer.from(other, 'utf8'), keyA.secretKey)), k: idA });
      expectReject(openEnvelope(forged, options()), 'bad_signature', /does not verify/);
    });

    it('bad_signature: a flipped bit in m', () => {
      const envelope = JSON.parse(signEnvelope(message({ body: { amount: 1 } }), idA, keyA.secretKey).toString('utf8')) as Record<string, string>;
      const m = envelope.m as string;
      const at = m.indexOf('"amount":1') + '"amount":'.length;
      const flipped = m.slice(0, at) + String.fromCharCode(m.charCodeAt(at) ^ 0x01) + m.slice(at + 1); // "1" -> "0"
      assert.notEqual(flipped, m);
      expectReject(openEnvelope(raw({ ...envelope, m: flipped }), options()), 'bad_signature');
    });

    it('bad_signature: signed by another key than the one named, bad base64, wrong length', () => {
      const m = JSON.stringify(message());
      expectReject(openEnvelope(signedRaw(m, keyB.secretKey, idA), options()), 'bad_signature');
      const s = toBase64(sign(Buffer.from(m, 'utf8'), keyA.secretKey));
      expectReject(openEnvelope(raw({ m, s: `${s.slice(0, -2)}!=`, k: idA }), options()), 'bad_signature', /not base64/);
      expectReject(openEnvelope(raw({ m, s: toBase64(new Uint8Array(32)), k: idA }), options()), 'bad_signature', /32 bytes, expected 64/);
      expectReject(openEnvelope(raw({ m, s: '', k: idA }), options()), 'bad_signature');
    });

    it('wrong_sender: key A signing a message from B', () => {
      const bytes = signEnvelope(message({ from: AGENT_B }), idA, keyA.secretKey);
      const result = openEnvelope(bytes, options());
      expectReject(result, 'wrong_sender', new RegExp(`from "${AGENT_B}" but key "${idA}" belongs to "${AGENT_A}"`));
      if (!result.ok) assert.equal(result.from, AGENT_B);
    });

    it('wrong_recipient', () => {
      const bytes = signEnvelope(message({ to: AGENT_B }), idA, keyA.secretKey);
      expectReject(openEnvelope(bytes, options()), 'wrong_recipient', /addressed to "mi-0000000000000000b", not "control-plane"/);
    });

    it('stale: ts outside the window on either side; inside is fine', () => {
      const skewMs = 300_000;
      for (const ts of [NOW - skewMs - 1, NOW + skewMs + 1, NOW - 10 * skewMs]) {
        const result = openEnvelope(signEnvelope(message({ ts }), idA, keyA.secretKey), options());
        expectReject(result, 'stale', /limit 300000 ms/);
      }
      for (const ts of [NOW - skewMs, NOW + skewMs, NOW]) {
        assert.ok(openEnvelope(signEnvelope(message({ ts }), idA, keyA.secretKey), options()).ok, String(ts));
      }
      const custom = signEnvelope(message({ ts: NOW - 2000 }), idA, keyA.secretKey);
      expectReject(openEnvelope(custom, options({ skewMs: 1000 })), 'stale');
    });

    it('replay: a captured valid envelope opened twice', () => {
      const opts = options();
      const captured = message();
      const bytes = signEnvelope(captured, idA, keyA.secretKey);
      assert.ok(openEnvelope(bytes, opts).ok);
      const result = openEnvelope(bytes, { ...opts, now: NOW + 1000 });
      expectReject(result, 'replay', /already accepted/);
      if (!result.ok) assert.equal(result.messageId, captured.id);
      // A separate receiver (its own guard) accepts it: replay protection is per receiver.
      assert.ok(openEnvelope(bytes, options()).ok);
    });
  });

  it('replay check is by id: the same id re-signed with another ts is refused', () => {
    const opts = options();
    assert.ok(openEnvelope(signEnvelope(message({ id: 'dup' }), idA, keyA.secretKey), opts).ok);
    expectReject(openEnvelope(signEnvelope(message({ id: 'dup', ts: NOW + 5 }), idA, keyA.secretKey), opts), 'replay');
  });

  it('only fully accepted messages are recorded in the guard', () => {
    const guard = new ReplayGuard();
    const opts = options({ guard });
    const m = message({ id: 'victim' });
    // Attacker sends junk claiming the victim's id: bad signature, wrong recipient, stale.
    expectReject(openEnvelope(signEnvelope(m, idA, keyB.secretKey), opts), 'bad_signature');
    expectReject(openEnvelope(signEnvelope({ ...m, to: 'someone' }, idA, keyA.secretKey), opts), 'wrong_recipient');
    expectReject(openEnvelope(signEnvelope({ ...m, ts: NOW - 10_000_000 }, idA, keyA.secretKey), opts), 'stale');
    assert.equal(guard.size, 0);
    assert.ok(openEnvelope(signEnvelope(m, idA, keyA.secretKey), opts).ok);
    assert.equal(guard.size, 1);
  });

  it('acceptStale lets an old will through once but not twice', () => {
    const guard = new ReplayGuard();
    const isWill = (candidate: Message): boolean => candidate.type === 'will';
    const will = signEnvelope(message({ type: 'will', ts: NOW - 3_600_000 }), idA, keyA.secretKey);
    const first = openEnvelope(will, options({ guard, acceptStale: isWill }));
    assert.ok(first.ok, first.ok ? '' : first.detail);
    assert.equal(first.message.type, 'will');
    expectReject(openEnvelope(will, options({ guard, acceptStale: isWill, now: NOW + 60_000 })), 'replay');
    // Without acceptStale (or for another type) the same old message is stale.
    expectReject(openEnvelope(will, options()), 'stale');
    const oldHeartbeat = signEnvelope(message({ ts: NOW - 3_600_000 }), idA, keyA.secretKey);
    expectReject(openEnvelope(oldHeartbeat, options({ guard, acceptStale: isWill })), 'stale');
  });

  it('acceptStale does not admit messages from the future, and a throwing acceptStale counts as no', () => {
    const future = signEnvelope(message({ type: 'will', ts: NOW + 3_600_000 }), idA, keyA.secretKey);
    expectReject(openEnvelope(future, options({ acceptStale: () => true })), 'stale', /ahead of/);
    const old = signEnvelope(message({ type: 'will', ts: NOW - 3_600_000 }), idA, keyA.secretKey);
    const throwing = (): boolean => {
      throw new Error('boom');
    };
    expectReject(openEnvelope(old, options({ acceptStale: throwing })), 'stale');
  });

  it('never throws, whatever the input', () => {
    const good = signEnvelope(message(), idA, keyA.secretKey);
    const inputs: Array<string | Uint8Array> = ['{', '{}', '{"m":1}', '"x"', '0', 'true', '{"__proto__":{}}', new Uint8Array(0)];
    for (let i = 0; i < 300; i += 1) {
      const mutated = Buffer.from(good);
      mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      inputs.push(mutated);
    }
    for (const nonsense of [null, undefined, 42, {}]) {
      expectReject(openEnvelope(nonsense as unknown as string, options()), 'malformed', /bytes or a string/);
    }
    for (const input of inputs) {
      const result = openEnvelope(input, options());
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.ok(result.detail.length > 0);
    }
  });

  it('counts on the verdict, not the claims: a rejection carries what the envelope claimed', () => {
    const bytes = signEnvelope(message({ id: 'claimed-id', to: 'nobody' }), idA, keyA.secretKey);
    const result = openEnvelope(bytes, options());
    expectReject(result, 'wrong_recipient');
    if (!result.ok) {
      assert.equal(result.keyId, idA);
      assert.equal(result.messageId, 'claimed-id');
      assert.equal(result.from, AGENT_A);
    }
  });
});
