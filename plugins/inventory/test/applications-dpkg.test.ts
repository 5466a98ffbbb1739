import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applicationGatherer } from '../src/gatherers/application.js';
import { dpkgQueryArgs, parseDpkgQuery } from '../src/gatherers/applications/dpkg.js';
import { runCommand } from '../src/command-runner.js';
import { formatArchitecture } from '../src/rows.js';
import { environment, fixture } from './fixtures.js';

const hasDpkg = (() => {
  try {
    execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('inventory: AWS:Application from dpkg', () => {
  it('parses dpkg-query output recorded on Debian 12 into SSM\'s fields', () => {
    const rows = parseDpkgQuery(fixture('debian-12-dpkg-query.stdout'));
    assert.equal(rows.length, 8);
    assert.deepEqual(rows.find((row) => row.Name === 'bash'), {
      Name: 'bash',
      Publisher: 'Matthias Klose <doko@debian.org>',
      Version: '5.2.15-2+b8',
      ApplicationType: 'shells',
      Architecture: 'x86_64',
      URL: 'http://tiswww.case.edu/php/chet/bash/bashtop.html',
      Summary: 'GNU Bourne Again SHell',
      PackageId: 'bash_5.2.15-2+b8_amd64.deb',
    });
    // No Homepage: URL is left out, as SSM's omitempty does; Architecture "all" stays as dpkg says.
    const adduser = rows.find((row) => row.Name === 'adduser')!;
    assert.equal('URL' in adduser, false);
    assert.equal(adduser.Architecture, 'all');
    assert.equal(rows.find((row) => row.Name === 'zlib1g')?.Version, '1:1.2.13.dfsg-1');
  });

  it('normalises architectures as SSM does (amd64 -> x86_64, 386 -> i386)', () => {
    assert.equal(formatArchitecture('amd64'), 'x86_64');
    assert.equal(formatArchitecture('386'), 'i386');
    assert.equal(formatArchitecture('arm64'), 'arm64');
  });

  it('asks dpkg for another database when given an admin dir', () => {
    assert.equal(dpkgQueryArgs('/tmp/root/var/lib/dpkg')[0], '--admindir=/tmp/root/var/lib/dpkg');
    assert.equal(dpkgQueryArgs()[0], '-W');
  });

  (hasDpkg ? it : it.skip)('on this host equals `dpkg-query -W` (name, version, architecture), sorted by name', async function () {
    this.timeout(60_000);
    const { items } = await applicationGatherer.gather(environment({ run: runCommand }));
    const [item] = items;
    assert.equal(item?.TypeName, 'AWS:Application');
    assert.equal(item?.SchemaVersion, '1.1');
    const expected = execFileSync('dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${Architecture}\n'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, version, architecture] = line.split('\t');
        return `${name}\t${version}\t${formatArchitecture(architecture!)}`;
      })
      .sort();
    const got = item!.Content.map((row) => `${row.Name}\t${row.Version}\t${row.Architecture}`);
    assert.deepEqual([...got].sort(), expected);
    assert.ok(expected.length > 50, 'this host has a real package database');
    const names = got.map((line) => line.split('\t')[0]!.toLowerCase());
    assert.deepEqual(names, [...names].sort(), 'rows are sorted by name, so the hash does not depend on dpkg\'s order');
  });

  (hasDpkg ? it : it.skip)('reads an isolated root\'s dpkg database through dpkgAdminDir', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tender-dpkg-'));
    try {
      const adminDir = path.join(root, 'var/lib/dpkg');
      await mkdir(path.join(adminDir, 'info'), { recursive: true });
      await mkdir(path.join(adminDir, 'updates'), { recursive: true });
      await writeFile(
        path.join(adminDir, 'status'),
        'Package: fleetdemo\nStatus: install ok installed\nPriority: optional\nSection: admin\nMaintainer: X <x@example.com>\nArchitecture: all\nVersion: 1.0.0\nDescription: demo\n\n',
      );
      const { items } = await applicationGatherer.gather(environment({ run: runCommand, dpkgAdminDir: adminDir }));
      assert.deepEqual(items[0]?.Content, [{ Name: 'fleetdemo', Publisher: 'X <x@example.com>', Version: '1.0.0', ApplicationType: 'admin', Architecture: 'all', Summary: 'demo', PackageId: 'fleetdemo_1.0.0_all.deb' }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
