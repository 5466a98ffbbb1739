import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, LockedError, newNameSyncedWithFile, readJsonFile, StateFileError, writeJsonFile, writeNewJsonFileSync } from '../src/index.js';

describe('local-state', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-ls-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes JSON atomically with owner-only permissions and reads it back', async () => {
    const file = path.join(dir, 'state.json');
    await writeJsonFile(file, { a: 1 });
    await writeJsonFile(file, { a: 2 });
    assert.deepEqual(await readJsonFile(file), { a: 2 });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['state.json'], 'no temporary files are left behind');
  });

  it('creates a new file durably in place, owner-only, and refuses (untouched) one that exists', async () => {
    const file = path.join(dir, 'first.json');
    writeNewJsonFileSync(file, { step: 1 });
    assert.deepEqual(await readJsonFile(file), { step: 1 });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.throws(() => writeNewJsonFileSync(file, { step: 2 }), (error: NodeJS.ErrnoException) => error.code === 'EEXIST');
    assert.deepEqual(await readJsonFile(file), { step: 1 }, 'the existing file is as it was');
    assert.deepEqual(await fs.readdir(dir), ['first.json'], 'nothing else was written');
  });

  it('skips the folder fsync after creating a file only on filesystems that make the new name durable with it', function () {
    if (process.platform !== 'linux') this.skip(); // elsewhere the folder is always synced
    // The filesystem's name as coreutils reports it, learned independently of statfs' magic numbers.
    const typeOf = (folder: string) => execFileSync('stat', ['-f', '-c', '%T', folder], { encoding: 'utf8' }).trim();
    const cases = [dir, '/dev/shm'].filter((folder) => existsSync(folder)).map((folder) => ({ folder, type: typeOf(folder) }));
    const journaled = new Set(['ext2/ext3', 'xfs', 'btrfs']);
    for (const { folder, type } of cases) {
      assert.equal(newNameSyncedWithFile(folder), journaled.has(type), `${folder} is ${type}`);
      const file = path.join(folder, `tender-ls-new-${process.pid}.json`);
      try {
        writeNewJsonFileSync(file, { on: type });
        assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { on: type });
      } finally {
        rmSync(file, { force: true });
      }
    }
    assert.ok(cases.some((c) => journaled.has(c.type)) || cases.some((c) => c.type === 'tmpfs'), `no filesystem here to tell apart: ${JSON.stringify(cases)}`);
    assert.equal(newNameSyncedWithFile(path.join(dir, 'no-such-folder')), false, 'a folder that cannot be asked about is synced');
  });

  it('reports a corrupt file by name and leaves it untouched', async () => {
    const file = path.join(dir, 'identity.json');
    await fs.writeFile(file, '{"instanceId": "mi-');
    await assert.rejects(readJsonFile(file), (error: unknown) => {
      assert.ok(error instanceof StateFileError);
      assert.match(error.message, /identity\.json is corrupt/);
      return true;
    });
    assert.equal(await fs.readFile(file, 'utf8'), '{"instanceId": "mi-');
  });

  it('returns undefined for an absent file', async () => {
    assert.equal(await readJsonFile(path.join(dir, 'none.json')), undefined);
  });

  it('refuses a second holder of a lock while the first lives, and takes over a dead holder\'s lock', async () => {
    const lock = await acquireLock(dir);
    // Another live process holding the lock: write a live pid (a sleeping child) into the file.
    await lock.release();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      await fs.writeFile(path.join(dir, 'lock'), `${child.pid}\n`);
      await assert.rejects(acquireLock(dir), (error: unknown) => error instanceof LockedError && error.holderPid === child.pid);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const again = await acquireLock(dir); // the holder is dead now: stale lock taken over
    assert.equal((await fs.readFile(path.join(dir, 'lock'), 'utf8')).trim(), String(process.pid));
    await again.release();
  });
});
