import assert from 'node:assert/strict';
import { diffRows } from '../src/inventory/inventory-diff.js';
import { compareAttributeValues, compareVersions } from '../src/inventory/version-compare.js';

describe('inventory: version ordering for LessThan / GreaterThan', () => {
  const ordered = (versions: string[]) => {
    for (let i = 1; i < versions.length; i++) assert.equal(compareVersions(versions[i - 1]!, versions[i]!), -1, `${versions[i - 1]} < ${versions[i]}`);
  };

  it('compares digit runs as numbers: 3.0.2 < 3.0.7 < 3.0.10 < 3.0.11', () => ordered(['3.0.2', '3.0.7', '3.0.10', '3.0.11']));
  it('epoch first, then upstream, then revision (dpkg)', () => {
    ordered(['9.9-9', '1:1.0-1', '1:1.0-2', '1:1.1-0', '2:0.1']);
    assert.equal(compareVersions('1.2.13.dfsg-1', '1:1.2.13.dfsg-1'), -1, 'an absent epoch is 0');
    assert.equal(compareVersions('3.0.11-1~deb12u2', '3.0.7'), 1, 'openssl 3.0.11 on Debian is newer than 3.0.7');
    assert.equal(compareVersions('3.0.2-0ubuntu1.15', '3.0.7'), -1);
  });
  it('~ sorts before everything, even the end; letters before other characters', () => {
    ordered(['1.0~rc1', '1.0~rc2', '1.0', '1.0a', '1.0+b1']);
    ordered(['2.36-9+deb12u3', '2.36-9+deb12u10']);
  });
  it('treats equal versions as equal, leading zeros included', () => {
    assert.equal(compareVersions('1.01', '1.1'), 0);
    assert.equal(compareVersions('0:5.2', '5.2'), 0);
  });
  it('numbers compare as numbers outside version attributes; version attributes always as versions', () => {
    assert.equal(compareAttributeValues('CPUCores', '9', '10'), -1);
    assert.equal(compareAttributeValues('Size', '1.5', '1.25'), 1, 'decimals numerically');
    assert.equal(compareAttributeValues('Version', '1.5', '1.25'), -1, '1.5 < 1.25 as versions');
    assert.equal(compareAttributeValues('Name', 'lib2', 'lib10'), -1, 'other text: a natural order');
  });
});

describe('inventory: history diffs', () => {
  it('pairs rows by identity into changed, and leaves the rest added or removed', () => {
    const before = [{ Name: 'openssl', Version: '3.0.2', Architecture: 'amd64' }, { Name: 'bash', Version: '5.1', Architecture: 'amd64' }, { Name: 'curl', Version: '7', Architecture: 'amd64' }];
    const after = [{ Architecture: 'amd64', Version: '5.1', Name: 'bash' }, { Name: 'openssl', Version: '3.0.13', Architecture: 'amd64' }, { Name: 'nginx', Version: '1.24', Architecture: 'amd64' }];
    const diff = diffRows('AWS:Application', before, after);
    assert.deepEqual(diff.changed, [{ before: before[0], after: after[1] }]);
    assert.deepEqual(diff.added, [after[2]]);
    assert.deepEqual(diff.removed, [before[2]]);
  });
  it('diffs custom types by whole rows, and duplicate rows as a multiset', () => {
    const diff = diffRows('Custom:Disk', [{ Mount: '/' }, { Mount: '/' }], [{ Mount: '/' }, { Mount: '/data' }]);
    assert.deepEqual(diff, { added: [{ Mount: '/data' }], removed: [{ Mount: '/' }], changed: [] });
  });
});
