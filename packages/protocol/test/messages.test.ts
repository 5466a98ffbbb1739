import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, createMessage } from '../src/index.js';

describe('messages', () => {
  it('fills in version, a random id and the current time', () => {
    const before = Date.now();
    const message = createMessage({ type: 'heartbeat', from: 'mi-0123456789abcdef0', to: 'control', body: { load: 1 } });
    const after = Date.now();
    assert.equal(message.v, PROTOCOL_VERSION);
    assert.equal(PROTOCOL_VERSION, 1);
    assert.match(message.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(message.ts >= before && message.ts <= after);
    assert.deepEqual(message.body, { load: 1 });
    assert.notEqual(createMessage({ type: 'heartbeat', from: 'a', to: 'b', body: null }).id, message.id);
  });

  it('keeps a given id and ts', () => {
    const message = createMessage({ type: 'ack', from: 'a', to: 'b', body: null, id: 'm-1', ts: 42 });
    assert.deepEqual(message, { v: 1, id: 'm-1', type: 'ack', from: 'a', to: 'b', ts: 42, body: null });
  });

  it('refuses messages every receiver would reject', () => {
    assert.throws(() => createMessage({ type: '', from: 'a', to: 'b', body: null }), /"type"/);
    assert.throws(() => createMessage({ type: 'x', from: 'a', to: 'b', body: null, id: '' }), /"id"/);
    assert.throws(() => createMessage({ type: 'x', from: 'a', to: 'b', body: null, id: 'x'.repeat(129) }), /129 characters, limit 128/);
    assert.throws(() => createMessage({ type: 'x', from: 'a', to: 'b', body: null, ts: Number.NaN }), /"ts"/);
    assert.throws(() => createMessage({ type: 'x', from: 'a', to: 'b', body: undefined }), /"body" is missing/);
  });
});
