import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileStore, readStoreFiles } from '../src/store/file-store.js';

interface Row {
  name: string;
  count: number;
  tags: string[];
}

describe('FileStore', () => {
  let dir: string;
  let file: string;
  let journal: string;
  const openStore = (): Promise<FileStore> => FileStore.open(dir);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-file-store-'));
    file = path.join(dir, 'store.json');
    journal = path.join(dir, 'store.journal');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts, gets, lists and deletes rows, table by table', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    const other = store.table<Row>('other');
    assert.equal(await rows.get('a'), undefined);
    assert.deepEqual(await rows.list(), []);

    await rows.put('a', { name: 'a', count: 1, tags: ['x'] });
    await rows.put('b', { name: 'b', count: 2, tags: [] });
    await rows.put('a', { name: 'a', count: 3, tags: ['y'] }); // replace
    await other.put('a', { name: 'other', count: 9, tags: [] });

    assert.deepEqual(await rows.get('a'), { name: 'a', count: 3, tags: ['y'] });
    assert.deepEqual(
      (await rows.list()).map((r) => r.name).sort(),
      ['a', 'b'],
    );
    assert.deepEqual(await other.get('a'), { name: 'other', count: 9, tags: [] });

    assert.equal(await rows.delete('a'), true);
    assert.equal(await rows.delete('a'), false, 'deleting a missing key says so');
    assert.equal(await rows.get('a'), undefined);
    assert.deepEqual((await rows.list()).map((r) => r.name), ['b']);
    assert.deepEqual(await other.get('a'), { name: 'other', count: 9, tags: [] }, 'other tables are untouched');
  });

  it('writes every change through to disk before resolving, and leaves it all in store.json when closed', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    await rows.put('a', { name: 'a', count: 1, tags: [] });
    assert.deepEqual((await readStoreFiles(dir)).rows, { a: { name: 'a', count: 1, tags: [] } });
    await rows.put('b', { name: 'b', count: 2, tags: [] });
    await rows.delete('a');
    assert.deepEqual((await readStoreFiles(dir)).rows, { b: { name: 'b', count: 2, tags: [] } });
    await store.close();
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { format: number; tables: Record<string, Record<string, Row>> };
    assert.equal(onDisk.format, 1);
    assert.deepEqual(onDisk.tables.rows, { b: { name: 'b', count: 2, tags: [] } });
    assert.equal(await readFile(journal, 'utf8'), '', 'the journal is folded into the snapshot');
  });

  it('appends only the rows that changed, one batch per burst, and folds the journal into store.json once it outgrows it', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    await Promise.all(Array.from({ length: 50 }, (_, i) => rows.put(`k${i}`, { name: `k${i}`, count: i, tags: [] })));
    await rows.put('k7', { name: 'k7', count: 700, tags: [] });
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 51, 'one line per change, not the whole store per change');
    assert.deepEqual(JSON.parse(lines.at(-1)!), { t: 'rows', k: 'k7', v: { name: 'k7', count: 700, tags: [] } });

    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 20; i++) await rows.put(`big${i}`, { name: big, count: i, tags: [] });
    assert.ok((await stat(journal)).size < 1.5 * 1024 * 1024, 'the journal was folded into the snapshot');
    const reopened = await FileStore.open(dir);
    assert.equal((await reopened.table<Row>('rows').list()).length, 70);
    assert.equal((await reopened.table<Row>('rows').get('k7'))?.count, 700);
  });

  it('a batch torn by a crash is dropped; a damaged line is reported by name and left untouched', async () => {
    const store = await openStore();
    await store.table<Row>('rows').put('a', { name: 'a', count: 1, tags: [] });
    // The crash: half of a batch whose fdatasync never returned, so no caller was told it was stored.
    await appendFile(journal, '{"t":"rows","k":"b","v":{"name":"b","cou');
    const reopened = await FileStore.open(dir);
    assert.deepEqual((await reopened.table<Row>('rows').list()).map((row) => row.name), ['a']);
    await reopened.table<Row>('rows').put('c', { name: 'c', count: 3, tags: [] });
    assert.deepEqual(Object.keys((await readStoreFiles(dir)).rows ?? {}).sort(), ['a', 'c'], 'the torn tail was cut off before the next batch');

    const damaged = '{"t":"rows","k":"a","v":{}}\nnot json\n{"t":"rows","k":"a","d":1}\n';
    await writeFile(journal, damaged);
    await assert.rejects(FileStore.open(dir), (error: Error) => {
      assert.ok(error.message.includes(journal), `message names the file: ${error.message}`);
      assert.match(error.message, /damaged at line 2/);
      return true;
    });
    assert.equal(await readFile(journal, 'utf8'), damaged);
  });

  it('insert() only takes a free key, and says false when it was taken', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    assert.equal(await rows.insert('k', { name: 'first', count: 1, tags: [] }), true);
    assert.equal(await rows.insert('k', { name: 'second', count: 2, tags: [] }), false);
    assert.deepEqual(await rows.get('k'), { name: 'first', count: 1, tags: [] });
  });

  it('concurrent inserts of one key: exactly one wins', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => rows.insert('same', { name: `n${i}`, count: i, tags: [] })),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal((await rows.get('same'))?.name, `n${winner}`);
  });

  it('update() is a read-modify-write that sees the current row (or undefined)', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    let seen: Row | undefined | 'not called' = 'not called';
    const created = await rows.update('c', (current) => {
      seen = current;
      return { name: 'c', count: 1, tags: [] };
    });
    assert.equal(seen, undefined);
    assert.deepEqual(created, { name: 'c', count: 1, tags: [] });

    const updated = await rows.update('c', (current) => (current ? { ...current, count: current.count + 10 } : undefined));
    assert.deepEqual(updated, { name: 'c', count: 11, tags: [] });
    assert.deepEqual(await rows.get('c'), { name: 'c', count: 11, tags: [] });

    // Returning undefined leaves the row as it is and returns it.
    const unchanged = await rows.update('c', () => undefined);
    assert.deepEqual(unchanged, { name: 'c', count: 11, tags: [] });
    assert.equal(await rows.update('missing', () => undefined), undefined);
    assert.equal(await rows.get('missing'), undefined);
  });

  it('concurrent updates never lose an increment', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    await rows.put('n', { name: 'n', count: 0, tags: [] });
    await Promise.all(
      Array.from({ length: 100 }, () => rows.update('n', (current) => (current ? { ...current, count: current.count + 1 } : undefined))),
    );
    assert.equal((await rows.get('n'))?.count, 100);
    const reopened = await FileStore.open(dir);
    assert.equal((await reopened.table<Row>('rows').get('n'))?.count, 100);
  });

  it('a change that throws writes nothing: not in memory, not on disk', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    await rows.put('a', { name: 'a', count: 1, tags: ['keep'] });
    const before = await readStoreFiles(dir);
    const journalBefore = await readFile(journal);

    await assert.rejects(
      rows.update('a', (current) => {
        if (current) current.count = 999; // mutating what update() passed in must not leak into the store
        throw new Error('refused by the change');
      }),
      /refused by the change/,
    );
    await assert.rejects(rows.update('fresh', () => {
      throw new Error('no');
    }), /no/);

    assert.deepEqual(await rows.get('a'), { name: 'a', count: 1, tags: ['keep'] });
    assert.equal(await rows.get('fresh'), undefined);
    assert.deepEqual(await readStoreFiles(dir), before, 'nothing changed on disk');
    assert.deepEqual(await readFile(journal), journalBefore, 'nothing was appended');
    const reopened = await FileStore.open(dir);
    assert.deepEqual(await reopened.table<Row>('rows').get('a'), { name: 'a', count: 1, tags: ['keep'] });
    assert.equal(await reopened.table<Row>('rows').get('fresh'), undefined);
  });

  it('hands out copies: mutating a value given or returned does not change the store', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    const original: Row = { name: 'a', count: 1, tags: ['x'] };
    await rows.put('a', original);
    original.count = 2;
    original.tags.push('mutated-after-put');

    const got = await rows.get('a');
    assert.ok(got);
    got.count = 3;
    got.tags.push('mutated-after-get');

    const listed = await rows.list();
    listed[0]!.tags.push('mutated-after-list');

    const updated = await rows.update('a', (current) => (current ? { ...current, name: 'b' } : undefined));
    assert.ok(updated);
    updated.tags.push('mutated-after-update');

    const inserted: Row = { name: 'i', count: 1, tags: [] };
    await rows.insert('i', inserted);
    inserted.tags.push('mutated-after-insert');

    assert.deepEqual(await rows.get('a'), { name: 'b', count: 1, tags: ['x'] });
    assert.deepEqual(await rows.get('i'), { name: 'i', count: 1, tags: [] });
  });

  it('read() shares the stored row frozen: it cannot be changed, writers still get copies, and a later change replaces it', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    assert.equal(await rows.read('a'), undefined);
    await rows.put('a', { name: 'a', count: 1, tags: ['x'] });

    const shared = await rows.read('a');
    assert.ok(shared);
    assert.equal(await rows.read('a'), shared, 'no copy: the same row every time');
    assert.deepEqual(await rows.readAll(), [shared]);
    assert.equal((await rows.readAll())[0], shared, 'readAll() shares the rows too');
    assert.ok(Object.isFrozen(shared) && Object.isFrozen(shared.tags), 'frozen all the way down');
    assert.throws(() => ((shared as Row).count = 2), TypeError);
    assert.throws(() => (shared.tags as string[]).push('y'), TypeError);

    // get() and update() still hand out copies a writer may change, even of a row that has been frozen.
    const got = await rows.get('a');
    assert.ok(got && !Object.isFrozen(got));
    got.tags.push('mine');
    const updated = await rows.update('a', (current) => (current ? { ...current, count: current.count + 1, tags: [...current.tags, 'z'] } : undefined));
    assert.deepEqual(updated, { name: 'a', count: 2, tags: ['x', 'z'] });

    // The row read before the change is the old one, untouched; read() now gives the new one.
    assert.deepEqual(shared, { name: 'a', count: 1, tags: ['x'] });
    assert.deepEqual(await rows.read('a'), { name: 'a', count: 2, tags: ['x', 'z'] });
    await store.close();
    assert.deepEqual((await readStoreFiles(dir)).rows, { a: { name: 'a', count: 2, tags: ['x', 'z'] } });
  });

  it('a reopened store sees everything that was written', async () => {
    const store = await openStore();
    await store.table<Row>('rows').put('a', { name: 'a', count: 1, tags: ['t'] });
    await store.table<Row>('rows').insert('b', { name: 'b', count: 2, tags: [] });
    await store.table<Row>('rows').update('a', (r) => (r ? { ...r, count: 5 } : undefined));
    await store.table<Row>('gone').put('x', { name: 'x', count: 0, tags: [] });
    await store.table<Row>('gone').delete('x');
    await store.table<{ id: number }>('numbers').put('1', { id: 1 });
    await store.close();

    const reopened = await openStore();
    assert.deepEqual(await reopened.table<Row>('rows').get('a'), { name: 'a', count: 5, tags: ['t'] });
    assert.deepEqual(await reopened.table<Row>('rows').get('b'), { name: 'b', count: 2, tags: [] });
    assert.equal(await reopened.table<Row>('gone').get('x'), undefined);
    assert.deepEqual(await reopened.table<{ id: number }>('numbers').list(), [{ id: 1 }]);
  });

  it('500 concurrent puts all persist', async () => {
    const store = await openStore();
    const rows = store.table<Row>('rows');
    await Promise.all(Array.from({ length: 500 }, (_, i) => rows.put(`k${i}`, { name: `k${i}`, count: i, tags: [] })));
    // Read the file as another process would, without close(): every put resolved only after it was durable.
    assert.equal(Object.keys((await readStoreFiles(dir)).rows ?? {}).length, 500);

    const reopened = await FileStore.open(dir);
    const all = await reopened.table<Row>('rows').list();
    assert.equal(all.length, 500);
    const counts = new Set(all.map((r) => r.count));
    for (let i = 0; i < 500; i++) assert.ok(counts.has(i), `row ${i} is missing`);
    // No temporary files were left beside the store.
    assert.deepEqual((await readdir(dir)).filter((f) => f !== 'store.json' && f !== 'store.journal'), []);
  });

  it('reports a corrupt store.json by name and leaves it byte-for-byte untouched', async () => {
    const corrupt = Buffer.from('{"format":1,"tables":{"rows":{"a":{"name":"a"', 'utf8');
    await writeFile(file, corrupt);
    await assert.rejects(FileStore.open(dir), (error: Error) => {
      assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
      assert.match(error.message, /corrupt/);
      return true;
    });
    assert.deepEqual(await readFile(file), corrupt);
  });

  for (const [label, content] of [
    ['another format version', '{"format":2,"tables":{}}'],
    ['a JSON array', '[1,2,3]'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['an object without tables', '{"format":1}'],
    ['tables that are null', '{"format":1,"tables":null}'],
    ['a table that is not an object', '{"format":1,"tables":{"rows":5}}'],
    ['some other app\'s JSON', '{"name":"not tender","version":"1.0.0"}'],
  ] as const) {
    it(`refuses a store.json holding ${label}, naming the file and leaving it untouched`, async () => {
      await writeFile(file, content);
      await assert.rejects(FileStore.open(dir), (error: Error) => {
        assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
        assert.match(error.message, /not a Tender store/);
        return true;
      });
      assert.equal(await readFile(file, 'utf8'), content);
    });
  }
});
