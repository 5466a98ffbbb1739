import assert from 'node:assert/strict';
import { Backoff } from '../src/index.js';

const draws = (backoff: Backoff, count: number): number[] => Array.from({ length: count }, () => backoff.next());

describe('transport-mqtt: Backoff', () => {
  it('grows exponentially up to the cap (random fixed at one half)', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
    assert.deepEqual(draws(backoff, 7), [50, 100, 200, 400, 500, 500, 500]);
    assert.equal(backoff.attempts, 7);
  });

  it('with random just below one, each delay is just below its ceiling: base·2^n, then the cap', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
    assert.deepEqual(draws(backoff, 6), [99, 199, 399, 799, 999, 999]);
  });

  it('never goes below a tenth of the base, even when the draw is zero', () => {
    const backoff = new Backoff({ baseMs: 500, capMs: 60_000, random: () => 0 });
    assert.deepEqual(draws(backoff, 5), [50, 50, 50, 50, 50]);
  });

  it('stays at the cap after very many failures (no overflow to Infinity or NaN)', () => {
    const backoff = new Backoff({ baseMs: 500, capMs: 60_000, random: () => 0.5 });
    const delays = draws(backoff, 2000);
    assert.ok(delays.every((delay) => Number.isFinite(delay) && delay <= 60_000));
    assert.equal(delays.at(-1), 30_000);
  });

  it('reset() starts over from the base', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
    draws(backoff, 5);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.deepEqual(draws(backoff, 3), [50, 100, 200]);
  });

  it('defaults: base 500 ms, cap 60 s', () => {
    const backoff = new Backoff({ random: () => 0.5 });
    assert.equal(backoff.next(), 250);
    assert.equal(draws(backoff, 20).at(-1), 30_000);
  });

  it('with Math.random, 1000 delays are spread over [base/10, ceiling] and all within bounds', () => {
    const baseMs = 100;
    const capMs = 5000;
    const backoff = new Backoff({ baseMs, capMs, random: Math.random });
    const delays: number[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i % 20 === 0) backoff.reset(); // cover the growing part as well as the capped part
      const ceiling = Math.min(capMs, baseMs * 2 ** backoff.attempts);
      const delay = backoff.next();
      assert.ok(Number.isInteger(delay), `${delay} is a whole number of ms`);
      assert.ok(delay >= baseMs / 10 && delay <= ceiling, `draw ${i}: ${delay} within [${baseMs / 10}, ${ceiling}]`);
      delays.push(delay);
    }
    assert.ok(new Set(delays).size > 200, `the delays are spread: ${new Set(delays).size} distinct values`);
    // Full jitter: once capped, delays are uniform over [0, cap), so their mean is about half the cap.
    const capped = delays.filter((_, i) => i % 20 >= 6);
    const mean = capped.reduce((sum, delay) => sum + delay, 0) / capped.length;
    assert.ok(mean > capMs * 0.4 && mean < capMs * 0.6, `mean of capped delays ${mean.toFixed(0)} is near ${capMs / 2}`);
  });
});
