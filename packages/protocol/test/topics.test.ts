import assert from 'node:assert/strict';
import { TOPIC_PREFIX, isValidInstanceId, topics } from '../src/index.js';

const ID = 'mi-0123456789abcdef0';

describe('topics', () => {
  it('builds the per-instance and wildcard topics', () => {
    assert.equal(TOPIC_PREFIX, 'tender/v1/i');
    assert.equal(topics.down(ID), `tender/v1/i/${ID}/down`);
    assert.equal(topics.up(ID), `tender/v1/i/${ID}/up`);
    assert.equal(topics.allUp, 'tender/v1/i/+/up');
    assert.equal(topics.sharedAllUp('cp'), '$share/cp/tender/v1/i/+/up');
  });

  it('parses what it builds', () => {
    assert.deepEqual(topics.parse(topics.up(ID)), { instanceId: ID, direction: 'up' });
    assert.deepEqual(topics.parse(topics.down(ID)), { instanceId: ID, direction: 'down' });
  });

  it('parses real topics only', () => {
    for (const topic of [
      topics.allUp,
      topics.sharedAllUp('cp'),
      `tender/v1/i/${ID}`,
      `tender/v1/i/${ID}/sideways`,
      `tender/v1/i/${ID}/up/extra`,
      'tender/v1/i//up',
      'tender/v1/i/#',
      `tender/v2/i/${ID}/up`,
      `/tender/v1/i/${ID}/up`,
      `xtender/v1/i/${ID}/up`,
      'tender/v1/i/mi-1\u0000/up',
      '',
    ]) {
      assert.equal(topics.parse(topic), undefined, topic);
    }
  });

  it('refuses ids and groups that would change the topic structure', () => {
    for (const bad of ['', 'a/b', '+', 'mi-#', 'mi-\u0000']) {
      assert.throws(() => topics.up(bad), TypeError, JSON.stringify(bad));
      assert.throws(() => topics.down(bad), TypeError, JSON.stringify(bad));
      assert.throws(() => topics.sharedAllUp(bad), TypeError, JSON.stringify(bad));
    }
    assert.throws(() => topics.up('a/b'), /contains "\/"/);
  });

  it('validates instance ids', () => {
    assert.equal(isValidInstanceId(ID), true);
    for (const bad of ['', 'mi-0123456789abcdef', 'mi-0123456789abcdef01', 'mi-0123456789ABCDEF0', 'i-0123456789abcdef0', `${ID}\n`, ` ${ID}`]) {
      assert.equal(isValidInstanceId(bad), false, JSON.stringify(bad));
    }
  });
});
