import assert from 'node:assert/strict';
import { AssociationIndex, targetsMatch, type AssociationTarget } from '../src/associations/index.js';

const host = (id: string, tags: Record<string, string>) => ({ InstanceId: id, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
const A = 'mi-0000000000000000a';
const B = 'mi-0000000000000000b';

describe('AssociationIndex: which associations apply to an instance, without scanning them all', () => {
  const put = (index: AssociationIndex, id: string, targets: AssociationTarget[], date = '2026-11-01T00:00:00.000Z') => index.put({ AssociationId: id, Date: date, Targets: targets });

  it('finds associations by instance id, *, tag value and tag key, oldest first', () => {
    const index = new AssociationIndex();
    put(index, 'by-id', [{ Key: 'InstanceIds', Values: [A] }], '2026-11-01T00:00:03.000Z');
    put(index, 'everywhere', [{ Key: 'InstanceIds', Values: ['*'] }], '2026-11-01T00:00:01.000Z');
    put(index, 'by-tag', [{ Key: 'tag:Role', Values: ['web', 'api'] }], '2026-11-01T00:00:02.000Z');
    put(index, 'by-tag-key', [{ Key: 'tag-key', Values: ['Patch'] }], '2026-11-01T00:00:04.000Z');
    assert.deepEqual(index.matching(host(A, { Role: 'api' })).map((e) => e.AssociationId), ['everywhere', 'by-tag', 'by-id']);
    assert.deepEqual(index.matching(host(B, { Role: 'db', Patch: 'no' })).map((e) => e.AssociationId), ['everywhere', 'by-tag-key']);
  });

  it('an instance must match every target, not only the one the association is filed under', () => {
    const index = new AssociationIndex();
    put(index, 'web-prod', [{ Key: 'tag:Role', Values: ['web'] }, { Key: 'tag:Env', Values: ['prod'] }]);
    put(index, 'ids-and-tag', [{ Key: 'InstanceIds', Values: [A, B] }, { Key: 'tag-key', Values: ['Patch'] }]);
    assert.deepEqual(index.matching(host(A, { Role: 'web', Env: 'test' })).map((e) => e.AssociationId), []);
    assert.deepEqual(index.matching(host(A, { Role: 'web', Env: 'prod', Patch: '' })).map((e) => e.AssociationId).sort(), ['ids-and-tag', 'web-prod']);
  });

  it('agrees with targetsMatch over every association for a mix of hosts (the naive scan it replaces)', () => {
    const index = new AssociationIndex();
    const all: Array<{ id: string; targets: AssociationTarget[] }> = [];
    const roles = ['web', 'db', 'api'];
    for (let i = 0; i < 300; i++) {
      const targets: AssociationTarget[] =
        i % 7 === 0 ? [{ Key: 'InstanceIds', Values: ['*'] }, { Key: 'tag:Env', Values: ['prod'] }]
        : i % 3 === 0 ? [{ Key: 'tag:Role', Values: [roles[i % 3]!, roles[(i + 1) % 3]!] }]
        : i % 3 === 1 ? [{ Key: 'tag-key', Values: [`K${i % 5}`] }]
        : [{ Key: 'InstanceIds', Values: [`mi-${(i % 40).toString(16).padStart(17, '0')}`] }];
      all.push({ id: `a${i}`, targets });
      put(index, `a${i}`, targets);
    }
    for (let n = 0; n < 40; n++) {
      const instance = host(`mi-${n.toString(16).padStart(17, '0')}`, { Role: roles[n % 3]!, Env: n % 2 ? 'prod' : 'test', [`K${n % 5}`]: 'x' });
      const naive = all.filter((a) => targetsMatch(a.targets, instance)).map((a) => a.id).sort();
      assert.deepEqual(index.matching(instance).map((e) => e.AssociationId).sort(), naive, instance.InstanceId);
    }
  });

  it('re-files an association whose targets changed, and forgets a removed one', () => {
    const index = new AssociationIndex();
    put(index, 'moving', [{ Key: 'tag:Role', Values: ['web'] }]);
    put(index, 'moving', [{ Key: 'tag:Role', Values: ['db'] }]);
    assert.equal(index.size, 1);
    assert.deepEqual(index.matching(host(A, { Role: 'web' })), []);
    assert.deepEqual(index.matching(host(A, { Role: 'db' })).map((e) => e.AssociationId), ['moving']);
    index.remove('moving');
    assert.deepEqual(index.matching(host(A, { Role: 'db' })), []);
    assert.equal(index.size, 0);
  });
});
