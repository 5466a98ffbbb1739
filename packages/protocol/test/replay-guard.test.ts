import assert from 'node:assert/strict';
import { DEFAULT_SKEW_MS, ReplayGuard } from '../src/index.js';

const T0 = 1_700_000_000_000;

describe('ReplayGuard', () => {
  it('accepts a new id once and answers replay after that', () => {
    const guard = new ReplayGuard();
    assert.equal(guard.check('a', T0, T0), 'ok');
    assert.equal(guard.check('a', T0, T0 + 1), 'replay');
    assert.equal(guard.check('a', T0 + 5, T0 + 2), 'replay', 'same id with another ts is still a replay');
    assert.equal(guard.check('b', T0, T0 + 3), 'ok');
    assert.equal(guard.size, 2);
  });

  it('answers stale for ts older than now - windowMs (default window = skew)', () => {
    const guard = new ReplayGuard();
    assert.equal(guard.check('old', T0 - DEFAULT_SKEW_MS - 1, T0), 'stale');
    assert.equal(guard.check('edge', T0 - DEFAULT_SKEW_MS, T0), 'ok');
    assert.equal(guard.check('nan', Number.NaN, T0), 'stale');
    assert.equal(guard.size, 1, 'stale ids are not recorded');
  });

  it('forgets ids once ts + windowMs has passed, oldest first', () => {
    const guard = new ReplayGuard({ windowMs: 1000 });
    assert.equal(guard.check('a', T0, T0), 'ok');
    assert.equal(guard.check('b', T0 + 500, T0 + 500), 'ok');
    assert.equal(guard.check('a', T0, T0 + 1000), 'replay', 'still remembered at exactly ts + window');
    assert.equal(guard.size, 2);
    assert.equal(guard.check('c', T0 + 1001, T0 + 1001), 'ok');
    assert.equal(guard.size, 2, 'a evicted lazily');
    // A replay of an evicted id is refused by the window check instead.
    assert.equal(guard.check('a', T0, T0 + 1001), 'stale');
    assert.equal(guard.check('x', T0 + 5000, T0 + 5000), 'ok');
    assert.equal(guard.size, 1, 'b and c expired');
  });

  it('stays bounded and never lets an evicted id through: the floor', () => {
    const guard = new ReplayGuard({ windowMs: 60_000, maxEntries: 3 });
    for (let i = 0; i < 3; i += 1) assert.equal(guard.check(`m${i}`, T0 + i, T0 + 10), 'ok');
    assert.equal(guard.size, 3);
    // Full: m0 (ts T0) is evicted early and the floor becomes T0.
    assert.equal(guard.check('m3', T0 + 3, T0 + 10), 'ok');
    assert.equal(guard.size, 3);
    assert.equal(guard.check('m0', T0, T0 + 10), 'stale', 'replay of the evicted id is refused');
    assert.equal(guard.check('late', T0, T0 + 10), 'stale', 'new id at the floor is refused too (the trade-off)');
    assert.equal(guard.check('m1', T0 + 1, T0 + 10), 'replay', 'still remembered');
    assert.equal(guard.check('m4', T0 + 4, T0 + 10), 'ok', 'newer than the floor is fine');
    assert.equal(guard.check('m1', T0 + 1, T0 + 10), 'stale', 'm1 evicted now, floor raised to T0 + 1');
    assert.equal(guard.size, 3);
  });

  it('floor is the highest ts ever evicted early, not the last one', () => {
    const guard = new ReplayGuard({ windowMs: 60_000, maxEntries: 2 });
    assert.equal(guard.check('hi', T0 + 50, T0), 'ok');
    assert.equal(guard.check('lo', T0 + 10, T0), 'ok');
    assert.equal(guard.check('n1', T0 + 60, T0), 'ok'); // evicts hi: floor T0 + 50
    assert.equal(guard.check('n2', T0 + 70, T0), 'ok'); // evicts lo (ts T0 + 10): floor stays T0 + 50
    assert.equal(guard.check('hi', T0 + 50, T0), 'stale');
    assert.equal(guard.check('fresh', T0 + 40, T0), 'stale', 'below the floor even though above the last eviction');
    assert.equal(guard.check('fresh', T0 + 51, T0), 'ok');
  });

  it('the floor stops mattering once the window has moved past it', () => {
    const guard = new ReplayGuard({ windowMs: 1000, maxEntries: 1 });
    assert.equal(guard.check('a', T0, T0), 'ok');
    assert.equal(guard.check('b', T0 + 1, T0), 'ok'); // evicts a early: floor T0
    assert.equal(guard.check('a', T0, T0 + 500), 'stale');
    assert.equal(guard.check('a', T0, T0 + 1001), 'stale', 'and later the window refuses it by itself');
    assert.equal(guard.check('c', T0 + 2000, T0 + 2000), 'ok');
  });

  it('stays bounded under a long stream and remains consistent (amortised queue compaction)', () => {
    const guard = new ReplayGuard({ windowMs: 10_000, maxEntries: 500 });
    let now = T0;
    for (let i = 0; i < 50_000; i += 1) {
      now += 1;
      assert.equal(guard.check(`id-${i}`, now, now), 'ok');
      assert.ok(guard.size <= 500);
    }
    assert.equal(guard.check('id-49999', now, now), 'replay');
    assert.equal(guard.check('id-49500', now - 499, now), 'replay');
    assert.equal(guard.check('id-49499', now - 500, now), 'stale');
  });

  it('is fast: 200k checks well under a second', function () {
    this.timeout(10000);
    const guard = new ReplayGuard({ windowMs: 1000, maxEntries: 100_000 });
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200_000; i += 1) guard.check(`id-${i}`, T0 + i / 10, T0 + i / 10);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.ok(guard.size <= 100_000);
  });

  it('rejects nonsense options', () => {
    assert.throws(() => new ReplayGuard({ maxEntries: 0 }), RangeError);
    assert.throws(() => new ReplayGuard({ maxEntries: 1.5 }), RangeError);
    assert.throws(() => new ReplayGuard({ windowMs: -1 }), RangeError);
    assert.throws(() => new ReplayGuard({ windowMs: Number.POSITIVE_INFINITY }), RangeError);
  });
});
