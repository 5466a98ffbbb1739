import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { compareDebianVersions } from '../src/index.js';

// [a, b, sign of compare(a, b)]: epochs, revisions, tilde, letters before other characters, leading zeros.
const PAIRS: Array<[string, string, -1 | 0 | 1]> = [
  ['1.0', '1.0', 0], ['1.0', '1.1', -1], ['1.10', '1.9', 1], ['1:0.1', '2.0', 1], ['0:1.0', '1.0', 0],
  ['1.0-1', '1.0-2', -1], ['1.0', '1.0-0', 0], ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0~~', '1.0~', -1],
  ['1.0a', '1.0', 1], ['1.0a', '1.0+', -1], ['1.0.', '1.0a', 1], ['1.01', '1.1', 0], ['3.0.15-1~deb12u1', '3.0.16-1~deb12u1', -1],
  ['3.0.16-1~deb12u1', '3.0.16-1', -1], ['2.36-9+deb12u7', '2.36-9+deb12u14', -1], ['5.2.15-2+b8', '5.2.15-2+b13', -1],
  ['1:2.3', '1:2.3.0', -1], ['2025b-0+deb12u2', '2026f-0+deb12u1', -1], ['1.2-3ubuntu0.1', '1.2-3', 1], ['7.88.1-10+deb12u12', '7.88.1-10+deb12u5', 1],
  ['a', 'b', -1], ['1.0-a', '1.0-1', 1], ['10', '9', 1], ['1.0+dfsg-1', '1.0-1', 1],
];

function dpkgAvailable(): boolean {
  try {
    execFileSync('dpkg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('patch-apt: Debian version comparison', () => {
  for (const [a, b, expected] of PAIRS) {
    it(`${a} ${expected < 0 ? '<' : expected > 0 ? '>' : '='} ${b}`, () => {
      assert.equal(Math.sign(compareDebianVersions(a, b)), expected);
      assert.equal(Math.sign(compareDebianVersions(b, a)), -expected || 0);
    });
  }

  it('agrees with dpkg --compare-versions on every pair', function () {
    if (!dpkgAvailable()) this.skip();
    for (const [a, b] of PAIRS) {
      const dpkgSays = (op: string): boolean => {
        try {
          execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      };
      const ours = Math.sign(compareDebianVersions(a, b));
      const theirs = dpkgSays('lt') ? -1 : dpkgSays('gt') ? 1 : 0;
      assert.equal(ours, theirs, `${a} vs ${b}`);
    }
  });
});
