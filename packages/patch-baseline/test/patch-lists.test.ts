import assert from 'node:assert/strict';
import type { PatchOperatingSystem } from '@tender/plugin-api';
import { PatchBaselineError, patchListMatches, validatePatchList, type PatchCandidate } from '../src/index.js';

const dbus: PatchCandidate = { name: 'dbus', arch: 'x86_64', installedVersion: '1:1.12.20-8.amzn2023.0.1', availableVersion: '1:1.12.28-1.amzn2023.0.1', security: true };

describe('patch-baseline: approved and rejected list formats', () => {
  // SSM's documented constructions for dbus.x86_64:1:1.12.28-1.amzn2023.0.1, and wildcard forms.
  const rpmNames: Array<[string, boolean]> = [
    ['dbus', true], ['dbus.x86_64', true], ['dbus-1.12.28', true], ['dbus-1.12.28-1.amzn2023.0.1', true],
    ['dbus-1.12.28-1.amzn2023.0.1.x86_64', true], ['1.12.28', true], ['1.12.28-1.amzn2023.0.1', true],
    ['1:1.12.28-1.amzn2023.0.1', true], ['dbus-1:1.12.28-1.amzn2023.0.1', true], ['dbus-1:1.12.28-1.amzn2023.0.1.x86_64', true],
    ['1:dbus-1.12.28-1.amzn2023.0.1.x86_64', true], ['dbus.x86_64:1:1.12.28-1.amzn2023.0.1', true],
    ['dbus*', true], ['dbus-1.12.2*', true], ['dbus-*:1.12.28-1.amzn2023.0.1.x86_64', true], ['DBUS', true],
    ['dbus.i686', false], ['dbus-1.12.29', false], ['dbus-daemon', false], ['0:1.12.28-1.amzn2023.0.1', false], ['dbus-1.12.20', false],
  ];
  for (const [entry, matches] of rpmNames) {
    it(`AMAZON_LINUX_2023: "${entry}" ${matches ? 'names' : 'does not name'} the update dbus.x86_64:1:1.12.28-1.amzn2023.0.1`, () => {
      validatePatchList('AMAZON_LINUX_2023', [entry], 'ApprovedPatches');
      assert.equal(patchListMatches('AMAZON_LINUX_2023', [entry], dbus, 'available') !== undefined, matches);
    });
  }

  it('rpm: the installed version is named when asked for it', () => {
    assert.ok(patchListMatches('AMAZON_LINUX_2023', ['dbus-1.12.20'], dbus, 'installed'));
    assert.equal(patchListMatches('AMAZON_LINUX_2023', ['dbus-1.12.20'], dbus, 'available'), undefined);
  });

  it('rpm: a version without epoch is epoch 0', () => {
    const noEpoch: PatchCandidate = { name: 'curl', arch: 'noarch', availableVersion: '8.5.0-1.el9', security: true };
    assert.ok(patchListMatches('REDHAT_ENTERPRISE_LINUX', ['curl-0:8.5.0-1.el9.noarch'], noEpoch, 'available'));
  });

  it('apt: package names match every version and architecture, with wildcards', () => {
    const libssl: PatchCandidate = { name: 'libssl3', arch: 'amd64', availableVersion: '3.0.16-1~deb12u1', security: true };
    assert.ok(patchListMatches('DEBIAN', ['libssl3'], libssl, 'available'));
    assert.ok(patchListMatches('UBUNTU', ['libssl*'], libssl, 'available'));
    assert.equal(patchListMatches('UBUNTU', ['libssl'], libssl, 'available'), undefined);
  });

  it('Windows: KB ids, case-insensitively', () => {
    const kb: PatchCandidate = { name: 'KB5034439', kbId: 'KB5034439', security: true };
    assert.ok(patchListMatches('WINDOWS', ['kb5034439'], kb, 'available'));
    assert.equal(patchListMatches('WINDOWS', ['KB503443'], kb, 'available'), undefined);
  });

  const malformed: Array<[PatchOperatingSystem, string, RegExp]> = [
    ['WINDOWS', 'openssl', /KB id/],
    ['WINDOWS', 'KB12 34', /KB id/],
    ['DEBIAN', 'openssl=3.0.16', /package name/],
    ['UBUNTU', 'openssl 3.0', /package name/],
    ['REDHAT_ENTERPRISE_LINUX', 'dbus*-1.*', /valid patch/],
    ['REDHAT_ENTERPRISE_LINUX', 'dbus;rm', /valid patch/],
    ['AMAZON_LINUX_2', '', /1 to 100/],
    ['AMAZON_LINUX_2', 'x'.repeat(101), /1 to 100/],
  ];
  for (const [os, entry, message] of malformed) {
    it(`${os}: refuses the malformed entry "${entry.slice(0, 20)}"`, () => {
      assert.throws(() => validatePatchList(os, [entry], 'RejectedPatches'), (error: unknown) => {
        assert.ok(error instanceof PatchBaselineError);
        assert.equal(error.code, 'ValidationException');
        assert.match(error.message, /RejectedPatches/);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('refuses more than 50 entries', () => {
    assert.throws(() => validatePatchList('DEBIAN', Array.from({ length: 51 }, (_, i) => `pkg${i}`), 'ApprovedPatches'), /at most 50/);
  });
});
