import assert from 'node:assert/strict';
import { SESSION_CHURN_THRESHOLD, SESSION_CHURN_WINDOW_MS, SessionChurn } from '../src/instances/session-churn.js';

describe('instances: an instance whose sessions keep being replaced (session-churn.ts)', () => {
  const clock = () => {
    let at = Date.parse('2026-11-29T12:00:00Z');
    return { now: () => new Date(at), advance: (ms: number) => void (at += ms) };
  };

  it(`warns at the ${SESSION_CHURN_THRESHOLD}th session within ${SESSION_CHURN_WINDOW_MS / 60_000} minutes, then not again for 10 minutes`, () => {
    const time = clock();
    const churn = new SessionChurn({ now: time.now });
    const answers: Array<number | undefined> = [];
    for (let i = 0; i < SESSION_CHURN_THRESHOLD + 3; i++) {
      answers.push(churn.sessionStarted('mi-0123456789abcdef0'));
      time.advance(1000);
    }
    assert.deepEqual(answers, [undefined, undefined, undefined, undefined, SESSION_CHURN_THRESHOLD, undefined, undefined, undefined]);
    time.advance(10 * 60_000);
    for (let i = 0; i < SESSION_CHURN_THRESHOLD - 1; i++) churn.sessionStarted('mi-0123456789abcdef0');
    assert.equal(churn.sessionStarted('mi-0123456789abcdef0'), SESSION_CHURN_THRESHOLD, 'still churning after the quiet period: a new warning');
  });

  it('reconnections spread wider than the window are not churn; instances count apart', () => {
    const time = clock();
    const churn = new SessionChurn({ now: time.now });
    for (let i = 0; i < 20; i++) {
      assert.equal(churn.sessionStarted('mi-0123456789abcdef0'), undefined);
      assert.equal(churn.sessionStarted(`mi-${String(i).padStart(17, '0')}`), undefined);
      time.advance(SESSION_CHURN_WINDOW_MS / (SESSION_CHURN_THRESHOLD - 1));
    }
  });

  it('forget() starts a deregistered instance over', () => {
    const time = clock();
    const churn = new SessionChurn({ now: time.now, threshold: 2 });
    churn.sessionStarted('mi-0123456789abcdef0');
    churn.forget('mi-0123456789abcdef0');
    assert.equal(churn.sessionStarted('mi-0123456789abcdef0'), undefined);
    assert.equal(churn.sessionStarted('mi-0123456789abcdef0'), 2);
  });
});
