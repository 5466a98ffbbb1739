import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMessage, inventoryContentHash, type InventoryBody, type Message } from '@tender/protocol';
import { InventoryChannel, InventoryUploader, inventoryStateFile, type InventoryUploaderOptions } from '../src/inventory/index.js';
import type { Agent } from '../src/runtime/agent.js';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const applications = (names: string[]) => ({ TypeName: 'AWS:Application', SchemaVersion: '1.1', CaptureTime: '2026-11-28T22:00:00Z', Content: names.map((Name) => ({ Name, Version: '1.0', Architecture: 'x86_64', Publisher: '' })) });
const network = { TypeName: 'AWS:Network', SchemaVersion: '1.0', CaptureTime: '2026-11-28T22:00:00Z', Content: [{ Name: 'eth0', MacAddress: '02:00:00:00:00:01', IPV4: '10.0.0.5', IPV6: '' }] };
const instance = { TypeName: 'AWS:InstanceInformation', SchemaVersion: '1.0', CaptureTime: '2026-11-28T22:00:00Z', Content: [{ ComputerName: 'web-1', InstanceId: 'mi-00000000000000001' }] };

describe('agent inventory: the uploader (checksum first, spooled, jittered)', () => {
  let stateDir: string;
  let sent: InventoryBody[];
  let failSends: boolean;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tender-inventory-'));
    sent = [];
    failSends = false;
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  async function open(overrides: Partial<InventoryUploaderOptions> = {}) {
    return InventoryUploader.open({
      stateDir,
      logger,
      // Uploads wait out a long jitter unless a test sends them (sendNow) or asks for none: no timing in tests.
      jitterMs: 3_600_000,
      random: () => 0.99,
      agentVersion: '9.9.9',
      send: async (body) => {
        if (failSends) throw new Error('not connected');
        sent.push(structuredClone(body));
      },
      ...overrides,
    });
  }
  const full = (body: InventoryBody) => body.items.filter((item) => item.Content).map((item) => item.TypeName);
  const hashOnly = (body: InventoryBody) => body.items.filter((item) => !item.Content).map((item) => item.TypeName);
  const accept = (body: InventoryBody) => ({ uploadId: body.uploadId, accepted: body.items.map((item) => item.TypeName), mismatched: [] });

  it('sends everything in full first, then only what changed; unchanged types go as hash only', async () => {
    const uploader = await open();
    await uploader.put([instance, applications(['bash', 'curl']), network]);
    await uploader.sendNow();
    assert.deepEqual(full(sent[0]!), ['AWS:InstanceInformation', 'AWS:Application', 'AWS:Network']);
    for (const item of sent[0]!.items) assert.equal(item.ContentHash, inventoryContentHash(item.Content!));
    await uploader.acknowledge(accept(sent[0]!));
    assert.equal(uploader.pending, undefined);

    await uploader.put([instance, applications(['bash', 'curl', 'fleetdemo']), network]);
    await uploader.sendNow();
    assert.deepEqual(full(sent[1]!), ['AWS:Application']);
    assert.deepEqual(hashOnly(sent[1]!), ['AWS:InstanceInformation', 'AWS:Network']);
    assert.equal(sent[1]!.items.find((item) => item.TypeName === 'AWS:Network')!.ContentHash, sent[0]!.items.find((item) => item.TypeName === 'AWS:Network')!.ContentHash);
    await uploader.acknowledge(accept(sent[1]!));

    // Nothing changed since the last acknowledged upload: nothing goes at all.
    await uploader.put([instance, applications(['bash', 'curl', 'fleetdemo']), network]);
    assert.equal(uploader.pending, undefined);
    await uploader.sendNow();
    assert.equal(sent.length, 2);
    uploader.stop();
  });

  it('an unchanged host re-verifies once a day: every type as hash only, and a mismatch brings it back in full', async () => {
    let now = Date.parse('2026-11-28T22:00:00Z');
    const uploader = await open({ now: () => now });
    await uploader.put([applications(['bash']), network]);
    await uploader.sendNow();
    await uploader.acknowledge(accept(sent[0]!));
    now += 23 * 3_600_000;
    await uploader.put([applications(['bash']), network]);
    assert.equal(uploader.pending, undefined, 'within a day: nothing sent');
    now += 2 * 3_600_000;
    await uploader.put([applications(['bash']), network]);
    await uploader.sendNow();
    assert.deepEqual(hashOnly(sent[1]!), ['AWS:Application', 'AWS:Network']);
    await uploader.acknowledge({ uploadId: sent[1]!.uploadId, accepted: ['AWS:Application'], mismatched: ['AWS:Network'] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(full(sent[2]!), ['AWS:Network']);
    uploader.stop();
  });

  it('AWS:InstanceInformation carries the agent\'s own version and status', async () => {
    const uploader = await open();
    await uploader.put([instance]);
    await uploader.sendNow();
    assert.deepEqual(sent[0]!.items[0]!.Content, [{ AgentStatus: 'Active', AgentVersion: '9.9.9', ComputerName: 'web-1', InstanceId: 'mi-00000000000000001' }]);
    uploader.stop();
  });

  it('resends mismatched types in full at once, and forgets their acknowledged hash', async () => {
    const uploader = await open({ verifyAfterMs: 0 }); // every unchanged gather goes as hashes
    await uploader.put([applications(['bash']), network]);
    await uploader.sendNow();
    await uploader.acknowledge(accept(sent[0]!));
    await uploader.put([applications(['bash']), network]);
    await uploader.sendNow();
    assert.deepEqual(hashOnly(sent[1]!), ['AWS:Application', 'AWS:Network']);
    // The control plane lost AWS:Network (say, restored from an old backup).
    await uploader.acknowledge({ uploadId: sent[1]!.uploadId, accepted: ['AWS:Application'], mismatched: ['AWS:Network'] });
    await new Promise((resolve) => setTimeout(resolve, 20)); // a mismatch is resent at once, without jitter
    assert.equal(sent[2]!.uploadId, sent[1]!.uploadId, 'the same upload, resent');
    assert.deepEqual(full(sent[2]!), ['AWS:Network']);
    assert.deepEqual(sent[2]!.items.map((item) => item.TypeName), ['AWS:Network']);
    assert.equal(uploader.acknowledged['AWS:Network'], undefined);
    await uploader.acknowledge({ uploadId: sent[2]!.uploadId, accepted: ['AWS:Network'], mismatched: [] });
    assert.equal(uploader.pending, undefined);
    assert.equal(uploader.acknowledged['AWS:Network'], inventoryContentHash(network.Content));
    uploader.stop();
  });

  it('keeps the upload spooled on disk until acknowledged: a restarted agent resends it after reconnecting', async () => {
    failSends = true;
    const first = await open();
    await first.put([applications(['bash'])], [{ TypeName: 'AWS:Network', message: 'AWS:Network could not be gathered: boom' }]);
    await first.sendNow();
    assert.equal(sent.length, 0);
    first.stop();
    const onDisk = JSON.parse(await readFile(inventoryStateFile(stateDir), 'utf8')) as { pending: { items: unknown[] } };
    assert.equal(onDisk.pending.items.length, 1);

    failSends = false;
    const second = await open({ jitterMs: 0 });
    const handlers = new Map<string, (message: Message) => Promise<void> | void>();
    const connected: Array<() => void> = [];
    const agent = { on: (type: string, handler: (message: Message) => Promise<void> | void) => handlers.set(type, handler), onConnected: (listener: () => void) => connected.push(listener) } as unknown as Agent;
    new InventoryChannel(agent, second, logger);
    connected.forEach((listener) => listener());
    await new Promise((resolve) => setTimeout(resolve, 20)); // jitter 0: the resend is on its way
    assert.deepEqual(full(sent[0]!), ['AWS:Application']);
    assert.deepEqual(sent[0]!.failures, [{ TypeName: 'AWS:Network', message: 'AWS:Network could not be gathered: boom' }]);
    await handlers.get('inventory-ack')!(createMessage({ type: 'inventory-ack', from: 'cp', to: 'mi-00000000000000001', body: accept(sent[0]!) }));
    assert.equal(second.pending, undefined);
    const third = await open();
    assert.equal(third.acknowledged['AWS:Application'], inventoryContentHash(applications(['bash']).Content), 'acknowledged hashes survive a restart');
    second.stop();
    third.stop();
  });

  it('a newer gather replaces the pending upload (merged by type); an ack of the older one is ignored', async () => {
    const uploader = await open();
    await uploader.put([applications(['bash']), network]);
    await uploader.sendNow();
    const older = sent[0]!;
    await uploader.put([applications(['bash', 'vim'])]);
    assert.notEqual(uploader.pending!.uploadId, older.uploadId);
    assert.deepEqual(uploader.pending!.items.map((item) => item.TypeName).sort(), ['AWS:Application', 'AWS:Network']);
    await uploader.acknowledge(accept(older));
    assert.deepEqual(uploader.acknowledged, {}, 'nothing is taken as acknowledged from an upload that is no longer pending');
    uploader.stop();
  });

  it('never sends a message the control plane would refuse for its size: the largest type is left out and reported', async () => {
    const uploader = await open({ maxMessageBytes: 4000 });
    await uploader.put([applications(Array.from({ length: 100 }, (_, i) => `package-${i}`)), network]);
    await uploader.sendNow();
    assert.deepEqual(full(sent[0]!), ['AWS:Network']);
    assert.equal(sent[0]!.failures?.[0]?.TypeName, 'AWS:Application');
    assert.match(sent[0]!.failures![0]!.message, /AWS:Application was not uploaded: its content is \d+ bytes and one inventory message carries at most 4000/);
    uploader.stop();
  });

  it('drops rejected types without retrying them', async () => {
    const uploader = await open();
    await uploader.put([applications(['bash']), network]);
    await uploader.sendNow();
    await uploader.acknowledge({ uploadId: sent[0]!.uploadId, accepted: ['AWS:Application'], mismatched: [], rejected: [{ TypeName: 'AWS:Network', message: 'too many rows' }] });
    assert.equal(uploader.pending, undefined);
    assert.equal(uploader.acknowledged['AWS:Network'], undefined);
    uploader.stop();
  });

  it('waits a random share of the jitter before uploading, so a fleet does not arrive at once', async () => {
    const uploader = await open({ jitterMs: 3_600_000, random: () => 0.5 });
    await uploader.put([network]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sent.length, 0, 'not sent before its delay (half an hour here)');
    uploader.stop();
  });
});
