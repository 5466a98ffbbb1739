/**
 * storedHistoryRetention on its own, over a made-up history (orders with their lines, notes and attachment
 * directories) in a real file store: what a kind built on it removes and keeps, the counts it reports, and a prune
 * that died midway finished by the next run after a restart, with `onPruned` told of what it finished too.
 */
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { historyPart, RETENTION_INTENTS_TABLE, StoreDeletions, storedHistoryRetention } from '../src/retention/index.js';
import { FileStore, readStoreFiles } from '../src/store/file-store.js';
import type { Store } from '../src/store/store.js';
import { ManualClock } from './support/operation-harness.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(T0 - days * DAY).toISOString();

interface Order {
  orderId: string;
  status: 'open' | 'closed';
  closedAt?: string;
}
interface Line {
  lineId: string;
  orderId: string;
}
interface Note {
  orderId: string;
  n: number;
}

describe('Retention: a history kept in the store (storedHistoryRetention)', () => {
  let dir: string;
  let attachments: string;
  let store: Store;
  const clock = new ManualClock(T0);
  const pruned: string[][] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-stored-history-'));
    attachments = path.join(dir, 'attachments');
    store = await FileStore.open(dir);
    pruned.length = 0;
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const orders = () => store.table<Order>('orders');
  const lines = () => store.table<Line>('order-lines');
  const notes = () => store.table<Note>('order-notes');
  const addOrder = async (order: Order, lineCount: number, options: { notes?: number; attachment?: boolean } = {}) => {
    await orders().put(order.orderId, order);
    for (let n = 0; n < lineCount; n++) await lines().put(`${order.orderId}-l${n}`, { lineId: `${order.orderId}-l${n}`, orderId: order.orderId });
    for (let n = 0; n < (options.notes ?? 0); n++) await notes().put(`${order.orderId}#${n}`, { orderId: order.orderId, n });
    if (options.attachment) {
      await mkdir(path.join(attachments, order.orderId), { recursive: true });
      await writeFile(path.join(attachments, order.orderId, 'invoice.pdf'), 'pdf');
    }
  };
  const exists = (file: string) => access(file).then(() => true, () => false);

  /** The kind: closed orders go with their lines, notes and attachment directory, aged from closedAt. */
  const orderHistory = () =>
    storedHistoryRetention<Order>({
      kind: 'orders',
      store,
      days: 30,
      now: clock.now,
      records: { table: 'orders', counted: 'orders', keyOf: (order) => order.orderId },
      isFinished: (order) => order.status === 'closed',
      endedAt: (order) => order.closedAt ?? '',
      parts: [
        historyPart<Line>({ table: 'order-lines', counted: 'lines', recordOf: (line) => line.orderId, keyOf: (line) => line.lineId }),
        historyPart<Note>({ table: 'order-notes', counted: 'notes', recordOf: (note) => note.orderId, keyOf: (note) => `${note.orderId}#${note.n}` }),
      ],
      files: { root: attachments, counted: 'attachments', lister: async () => (orderId) => [orderId] },
      onPruned: (keys) => void pruned.push([...keys].sort()),
      groupsPerBatch: 2,
    });
  const cutoff = () => new Date(clock.ms - 30 * DAY);

  it('removes finished records ended before the cutoff with their parts and files; keeps the rest', async () => {
    await addOrder({ orderId: 'old-1', status: 'closed', closedAt: daysAgo(40) }, 2, { notes: 1, attachment: true });
    await addOrder({ orderId: 'old-2', status: 'closed', closedAt: daysAgo(31) }, 1);
    await addOrder({ orderId: 'old-3', status: 'closed', closedAt: daysAgo(90) }, 0, { notes: 2 });
    await addOrder({ orderId: 'recent', status: 'closed', closedAt: daysAgo(29) }, 1, { attachment: true });
    await addOrder({ orderId: 'open', status: 'open', closedAt: daysAgo(400) }, 1);
    await addOrder({ orderId: 'undated', status: 'closed' }, 1);

    const removed = await orderHistory().prune(cutoff());
    assert.deepEqual(removed, { orders: 3, lines: 3, notes: 3, attachments: 1 }, 'three groups, in two batches of two (the attachment of an order without one does not count)');
    assert.deepEqual(Object.keys(removed), ['orders', 'lines', 'notes', 'attachments'], 'the record first, then the parts in their order, then the files');
    assert.deepEqual((await orders().list()).map((order) => order.orderId).sort(), ['open', 'recent', 'undated'], 'not finished, too recent, or ended at no date: kept');
    assert.deepEqual((await lines().list()).map((line) => line.orderId).sort(), ['open', 'recent', 'undated'], 'the parts of what stays stay');
    assert.deepEqual(await notes().list(), []);
    assert.equal(await exists(path.join(attachments, 'old-1')), false);
    assert.equal(await exists(path.join(attachments, 'recent', 'invoice.pdf')), true);
    assert.deepEqual(pruned, [['old-1', 'old-2', 'old-3']]);
    assert.deepEqual(Object.keys((await readStoreFiles(dir))[RETENTION_INTENTS_TABLE] ?? {}), [], 'no intent is left behind');

    assert.deepEqual(await orderHistory().prune(cutoff()), { orders: 0, lines: 0, notes: 0, attachments: 0 });
    assert.equal(pruned.length, 1, 'onPruned is not told of a run that removed nothing');
  });

  it('finishes, after a restart, a prune that died midway, and tells onPruned of what it finished', async () => {
    await addOrder({ orderId: 'crashed', status: 'closed', closedAt: daysAgo(40) }, 2, { notes: 1, attachment: true });
    await addOrder({ orderId: 'old', status: 'closed', closedAt: daysAgo(40) }, 1);
    // The intent is recorded and one line deleted; then the process dies. Another kind's intent is not ours to finish.
    await new StoreDeletions(store, { kind: 'orders', fileRoot: attachments, now: clock.now }).plan([
      { rows: [{ table: 'order-lines', key: 'crashed-l0' }, { table: 'order-lines', key: 'crashed-l1' }, { table: 'order-notes', key: 'crashed#0' }, { table: 'orders', key: 'crashed' }], files: ['crashed'] },
    ]);
    const othersIntent = await new StoreDeletions(store, { kind: 'invoices', now: clock.now }).plan([{ rows: [{ table: 'order-lines', key: 'old-l0' }] }]);
    await lines().delete('crashed-l0');
    await store.close();
    store = await FileStore.open(dir);

    const removed = await orderHistory().prune(cutoff());
    assert.deepEqual(removed, { orders: 2, lines: 2, notes: 1, attachments: 1 }, 'what the intent still found, and the other old order');
    assert.deepEqual(await orders().list(), []);
    assert.equal(await exists(path.join(attachments, 'crashed')), false);
    assert.deepEqual(pruned, [['crashed', 'old']]);
    assert.deepEqual(Object.keys((await readStoreFiles(dir))[RETENTION_INTENTS_TABLE] ?? {}), [othersIntent], 'only the other kind\'s intent is left');
  });
});
