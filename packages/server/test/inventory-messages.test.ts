import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { createMessage, inventoryContentHash, type InventoryAckBody, type InventoryBody, type Message } from '@tender/protocol';
import { inventoryMessageHandlers } from '../src/inventory/operations.js';
import { MAX_CUSTOM_ITEM_BYTES } from '../src/inventory/item-validation.js';
import { app, CAPTURE, instanceId, instanceRecord, inventoryWorld, item, type InventoryWorld } from './support/inventory-fixtures.js';

describe('inventory: the agent message handler', () => {
  let world: InventoryWorld;
  let acks: Array<{ to: string; type: string; body: InventoryAckBody }>;
  const host = instanceId(1);

  /** Deliver one `inventory` message from `from` through the handler the gateway calls; return the ack it sent. */
  async function upload(body: InventoryBody, from = host): Promise<InventoryAckBody> {
    const handlers = inventoryMessageHandlers(world.service, async (to, type, ack) => {
      acks.push({ to, type, body: ack });
    });
    const message: Message = createMessage({ type: 'inventory', from, to: 'tender-cp', body });
    const before = acks.length;
    await handlers.inventory(message);
    assert.equal(acks.length, before + 1, 'one ack per message');
    const sent = acks.at(-1)!;
    assert.equal(sent.to, from);
    assert.equal(sent.type, 'inventory-ack');
    return sent.body;
  }

  beforeEach(async () => {
    world = await inventoryWorld();
    acks = [];
    await world.registry.add(instanceRecord(host));
  });

  afterEach(async () => {
    await world.close();
    await rm(world.dir, { recursive: true, force: true });
  });

  it('stores a full upload, acknowledges it, and records the first content as added rows', async () => {
    const rows = [app('bash', '5.2.15-2'), app('openssl', '3.0.2-0ubuntu1')];
    const ack = await upload({ uploadId: 'u1', items: [item('AWS:Application', rows), item('AWS:Network', [{ Name: 'eth0', IPV4: '10.0.0.1', MacAddress: '02:00:00:00:00:01' }])] });
    assert.deepEqual(ack, { uploadId: 'u1', accepted: ['AWS:Application', 'AWS:Network'], mismatched: [] });
    assert.deepEqual(world.service.rows(host, 'AWS:Application'), rows);
    const history = await world.service.history(host, 'AWS:Application');
    assert.equal(history.length, 1);
    assert.deepEqual(history[0]!.added, rows);
    assert.deepEqual(history[0]!.removed, []);
    // One file per type in the host's directory, and a history beside them.
    const files = await readdir(path.join(world.dir, 'inventory', host));
    assert.equal(files.filter((file) => file.endsWith('.json')).length, 2);
    assert.ok(files.includes('history.jsonl'));
  });

  it('answers a resent upload (same uploadId) identically without applying it twice', async () => {
    const body = { uploadId: 'u-same', items: [item('AWS:Application', [app('curl', '8.5.0-2')])] };
    const first = await upload(body);
    const second = await upload(body);
    assert.deepEqual(second, first);
    assert.equal((await world.service.history(host)).length, 1);
  });

  it('checksum first: a held hash is accepted, an unknown one is mismatched until the content is resent', async () => {
    const rows = [app('zlib1g', '1:1.3.dfsg-3.1')];
    await upload({ uploadId: 'u1', items: [item('AWS:Application', rows)] });
    const same = await upload({ uploadId: 'u2', items: [item('AWS:Application', rows, { hashOnly: true })] });
    assert.deepEqual(same.accepted, ['AWS:Application']);
    assert.deepEqual(same.mismatched, []);

    const newer = [app('zlib1g', '1:1.3.dfsg-3.2')];
    const unknown = await upload({ uploadId: 'u3', items: [item('AWS:Application', newer, { hashOnly: true }), item('AWS:Service', [], { hashOnly: true })] });
    assert.deepEqual(unknown.accepted, []);
    assert.deepEqual(unknown.mismatched, ['AWS:Application', 'AWS:Service']);
    assert.deepEqual(world.service.rows(host, 'AWS:Application'), rows, 'nothing changed on a mismatch');

    // The agent resends in full (same uploadId: the body differs, so it is not answered from the cache).
    const full = await upload({ uploadId: 'u3', items: [item('AWS:Application', newer), item('AWS:Service', [])] });
    assert.deepEqual(full.accepted, ['AWS:Application', 'AWS:Service']);
    assert.deepEqual(world.service.rows(host, 'AWS:Application'), newer);
    const [latest] = await world.service.history(host, 'AWS:Application');
    assert.deepEqual(latest!.changed, [{ before: rows[0], after: newer[0] }]);
    assert.deepEqual(latest!.added, []);
    assert.deepEqual(latest!.removed, []);
  });

  it('rejects content whose hash does not match, and stores nothing of it', async () => {
    const rows = [app('openssl', '3.0.2')];
    const forged = { ...item('AWS:Application', rows), ContentHash: inventoryContentHash([app('openssl', '3.0.13')]) };
    const ack = await upload({ uploadId: 'u1', items: [forged, item('Custom:Rack', [{ Location: 'R1' }])] });
    assert.deepEqual(ack.accepted, ['Custom:Rack']);
    assert.equal(ack.rejected?.length, 1);
    assert.equal(ack.rejected![0]!.TypeName, 'AWS:Application');
    assert.match(ack.rejected![0]!.message, /^ItemContentMismatchException: .*does not match its ContentHash/);
    assert.equal(world.service.rows(host, 'AWS:Application'), undefined);
  });

  it('rejects type names outside AWS:/Custom: and AWS: types SSM does not have, keeping the good items', async () => {
    const ack = await upload({
      uploadId: 'u1',
      items: [item('Foo:Bar', [{ a: 'b' }]), item('AWS:Made-Up', [{ a: 'b' }]), item('Custom:', [{ a: 'b' }]), item('AWS:Service', [{ Name: 'ssh', Status: 'Running' }])],
    });
    assert.deepEqual(ack.accepted, ['AWS:Service']);
    assert.deepEqual(ack.rejected?.map((r) => r.TypeName), ['Foo:Bar', 'AWS:Made-Up', 'Custom:']);
    for (const rejection of ack.rejected!) assert.match(rejection.message, /^InvalidTypeNameException: /);
  });

  it('rejects an oversized custom item and malformed content with the limit in the message', async () => {
    const big = [{ Blob: 'x'.repeat(4000) }];
    const rows = Array.from({ length: Math.ceil(MAX_CUSTOM_ITEM_BYTES / 4000) + 1 }, () => big[0]!);
    const ack = await upload({
      uploadId: 'u1',
      items: [item('Custom:Big', rows), { ...item('Custom:Bad', []), Content: [{ n: 1 as unknown as string }], ContentHash: inventoryContentHash([{ n: 1 as unknown as string }]) }],
    });
    assert.deepEqual(ack.accepted, []);
    assert.match(ack.rejected![0]!.message, /^ItemSizeLimitExceededException: Custom:Big: its content is \d+ bytes; the limit .* is 204800 bytes/);
    assert.match(ack.rejected![1]!.message, /^InvalidItemContentException: Custom:Bad: Content\[0\]\.n must be a string/);
  });

  it('rejects every item of an upload from an instance that is not registered', async () => {
    const ack = await upload({ uploadId: 'u1', items: [item('AWS:Application', [app('bash', '5')])] }, instanceId(99));
    assert.deepEqual(ack.accepted, []);
    assert.match(ack.rejected![0]!.message, /^InvalidInstanceId: /);
    assert.equal(world.service.rows(instanceId(99), 'AWS:Application'), undefined);
  });

  it('keeps what it stored across a restart: the files are read back into the index', async () => {
    const rows = [app('bash', '5.2.15-2'), app('vim', '2:9.1.0016-1')];
    await upload({ uploadId: 'u1', items: [item('AWS:Application', rows), item('Custom:Rack', [{ Location: 'R1', CaptureTime: CAPTURE }])] });
    const reopened = await world.reopen();
    assert.deepEqual(reopened.rows(host, 'AWS:Application'), rows);
    const ack = await upload({ uploadId: 'u2', items: [item('AWS:Application', rows, { hashOnly: true })] });
    assert.deepEqual(ack.accepted, ['AWS:Application']);
    assert.ok(reopened.schemas().some((schema) => schema.TypeName === 'Custom:Rack'));
  });
});
