/**
 * Retention of inventory history, with an injected clock: diffs older than the limit go, host by host; the
 * current inventory of every host stays whole, and so do recent diffs and diffs recorded while a prune runs.
 */
import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { inventoryHistoryRetention } from '../src/inventory/history-retention.js';
import { FileInventoryPersistence } from '../src/inventory/inventory-persistence.js';
import { app, instanceId, instanceRecord, inventoryWorld, item, type InventoryWorld } from './support/inventory-fixtures.js';
import { ManualClock } from './support/operation-harness.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

describe('Retention: inventory history', () => {
  let clock: ManualClock;
  let world: InventoryWorld;
  let uploads = 0;
  const [busy, quiet, fresh] = [instanceId(1), instanceId(2), instanceId(3)];
  const upload = (host: string, rows: ReturnType<typeof app>[]) => world.service.receiveUpload(host, { uploadId: `u${uploads++}`, items: [item('AWS:Application', rows)] });
  const kind = () => inventoryHistoryRetention({ persistence: new FileInventoryPersistence(world.dir), days: 30 });

  beforeEach(async () => {
    clock = new ManualClock(T0);
    world = await inventoryWorld(clock.now);
    for (const host of [busy, quiet, fresh]) await world.registry.add(instanceRecord(host));
  });
  afterEach(async () => {
    await world.close();
    await rm(world.dir, { recursive: true, force: true });
  });

  it('removes diffs older than the limit and never the current inventory', async () => {
    await upload(busy, [app('bash', '5.2'), app('openssl', '3.0.2')]);
    await upload(quiet, [app('bash', '5.2')]);
    clock.ms = T0 + 10 * DAY;
    await upload(busy, [app('bash', '5.2'), app('openssl', '3.0.7')]);
    clock.ms = T0 + 40 * DAY;
    await upload(busy, [app('bash', '5.2'), app('openssl', '3.0.7'), app('curl', '8.5')]);
    await upload(fresh, [app('vim', '9.1')]);
    clock.ms = T0 + 45 * DAY;
    const freshFile = path.join(world.dir, 'inventory', fresh, 'history.jsonl');
    const freshBefore = await stat(freshFile);

    const removed = await kind().prune(new Date(clock.ms - 30 * DAY));
    assert.deepEqual(removed, { historyEntries: 3, hosts: 2 });

    const busyHistory = await world.service.history(busy);
    assert.equal(busyHistory.length, 1, 'only the diff from within 30 days is left');
    assert.deepEqual(busyHistory[0]!.added.map((row) => row.Name), ['curl']);
    assert.deepEqual(await world.service.history(quiet), [], 'a host that has not changed for 30 days has no history left');
    assert.equal((await world.service.history(fresh)).length, 1);
    assert.equal((await stat(freshFile)).ino, freshBefore.ino, 'a history with nothing old is not rewritten');

    // The current inventory is whole, in memory and on disk (a restart reads it back).
    const expectBusy = ['bash', 'curl', 'openssl'];
    assert.deepEqual(world.service.rows(busy, 'AWS:Application')?.map((row) => row.Name).sort(), expectBusy);
    assert.deepEqual(world.service.rows(quiet, 'AWS:Application')?.map((row) => row.Name), ['bash']);
    const reopened = await world.reopen();
    assert.deepEqual(reopened.rows(busy, 'AWS:Application')?.map((row) => row.Name).sort(), expectBusy);
    assert.deepEqual(reopened.rows(quiet, 'AWS:Application')?.map((row) => row.Name), ['bash']);
    assert.equal((await reopened.history(busy)).length, 1);

    // An unchanged upload adds nothing; the next change is recorded against the current rows as usual.
    await upload(quiet, [app('bash', '5.3')]);
    const [change] = await world.service.history(quiet);
    assert.deepEqual(change?.changed.map((c) => [c.before.Version, c.after.Version]), [['5.2', '5.3']]);
    assert.deepEqual(await kind().prune(new Date(clock.ms - 30 * DAY)), { historyEntries: 0, hosts: 0 });
  });

  it('keeps a diff recorded while the prune rewrites the same history', async () => {
    for (let day = 0; day < 20; day++) {
      clock.ms = T0 + day * DAY;
      await upload(busy, [app('bash', `5.${day}`)]);
    }
    clock.ms = T0 + 60 * DAY;
    const persistence = new FileInventoryPersistence(world.dir);
    const entry = (version: string) => ({ time: clock.now().toISOString(), TypeName: 'AWS:Application', added: [app('bash', version)], removed: [], changed: [] });
    // Appends issued at every step of the prune's read-filter-rename: none may land in the file it replaces.
    const pruning = persistence.pruneHistory(busy, new Date(clock.ms - 30 * DAY));
    const appends: Array<Promise<void>> = [];
    for (let step = 0; step < 10; step++) {
      appends.push(persistence.appendHistory(busy, [entry(`6.${step}`)]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await pruning, 20);
    await Promise.all(appends);
    const history = await world.service.history(busy);
    assert.deepEqual(history.map((e) => e.added[0]?.Version).reverse(), Array.from({ length: 10 }, (_, step) => `6.${step}`), 'every diff appended meanwhile survives the rewrite');
  });
});
