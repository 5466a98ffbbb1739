import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expandPath, fileGatherer, patternMatcher } from '../src/gatherers/file.js';
import { environment } from './fixtures.js';

describe('inventory: AWS:File', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tender-files-'));
    await mkdir(path.join(root, 'a/b/c'), { recursive: true });
    await writeFile(path.join(root, 'app.log'), 'x'.repeat(10));
    await writeFile(path.join(root, 'notes.txt'), 'n');
    await writeFile(path.join(root, 'a/one.log'), '1');
    await writeFile(path.join(root, 'a/b/two.log'), '22');
    await writeFile(path.join(root, 'a/b/c/three.log'), '333');
  });
  after(() => rm(root, { recursive: true, force: true }));

  const names = (rows: Array<Record<string, string>>) => rows.map((row) => path.join(row.InstalledDir!, row.Name!).slice(root.length + 1));

  it('matches * and ? patterns, literally otherwise', () => {
    assert.ok(patternMatcher('*.log', false).test('app.log'));
    assert.ok(!patternMatcher('*.log', false).test('app.logs'));
    assert.ok(patternMatcher('a?.txt', false).test('ab.txt'));
    assert.ok(!patternMatcher('a+.txt', false).test('aa.txt'));
    assert.ok(patternMatcher('*.EXE', true).test('setup.exe'));
    assert.equal(expandPath('%HOME%/x', { HOME: '/home/u' }), '/home/u/x');
    assert.equal(expandPath('${HOME}/x and $HOME', { HOME: '/h' }), '/h/x and /h');
  });

  it('lists metadata of matching files, recursively down to DirDepthLimit', async () => {
    const flat = await fileGatherer([{ Path: root, Pattern: ['*.log'] }]).gather(environment());
    assert.deepEqual(names(flat.items[0]!.Content), ['app.log']);
    const row = flat.items[0]!.Content[0]!;
    assert.equal(row.Size, '10');
    assert.match(row.ModificationTime!, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const deep = await fileGatherer([{ Path: root, Pattern: ['*.log'], Recursive: true }]).gather(environment());
    assert.deepEqual(names(deep.items[0]!.Content), ['app.log', 'a/one.log', 'a/b/two.log', 'a/b/c/three.log']);
    const shallow = await fileGatherer([{ Path: root, Pattern: ['*.log'], Recursive: true, DirDepthLimit: 1 }]).gather(environment());
    assert.deepEqual(names(shallow.items[0]!.Content), ['app.log', 'a/one.log']);
  });

  it('fails the type (and collects nothing) past FileLimit or DirScanLimit, as SSM does', async () => {
    await assert.rejects(fileGatherer([{ Path: root, Pattern: ['*'], Recursive: true, FileLimit: 3 }]).gather(environment()), /more than 3 files \(FileLimit\)/);
    await assert.rejects(fileGatherer([{ Path: root, Pattern: ['*'], Recursive: true, DirScanLimit: 2 }]).gather(environment()), /more than 2 directories .* \(DirScanLimit\)/);
  });

  it('reports a missing or unreadable path and still lists what the other filters found', async () => {
    const locked = path.join(root, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o000);
    try {
      const output = await fileGatherer([
        { Path: path.join(root, 'missing'), Pattern: ['*'] },
        { Path: locked, Pattern: ['*'] },
        { Path: root, Pattern: ['notes.txt'] },
      ]).gather(environment());
      assert.deepEqual(names(output.items[0]!.Content), ['notes.txt']);
      assert.match(output.problems?.[0] ?? '', /missing does not exist; it was skipped/);
      if (process.getuid?.() !== 0) assert.match(output.problems?.[1] ?? '', /locked cannot be read \(permission denied\)/); // root reads anything
    } finally {
      await chmod(locked, 0o700);
    }
  });
});
