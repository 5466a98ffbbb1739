import assert from 'node:assert/strict';
import type { PatchStateName } from '@tender/plugin-api';
import { countPatchStates, patchState, toReportEntry, type PatchCandidate, type PatchStateOptions } from '../src/index.js';
import { aptRegular, aptSecurity, rule, snapshot, windowsDefinition, windowsSecurity } from './fixtures.js';

const debian = snapshot('DEBIAN', { approvalRules: [rule({ PRIORITY: ['*'] })] });
const debianBlocking = { ...debian, rejectedPatches: ['tzdata'], rejectedPatchesAction: 'BLOCK' as const };
const debianAllowing = { ...debian, rejectedPatches: ['tzdata'] };
const windows = snapshot('WINDOWS', { approvalRules: [rule({ CLASSIFICATION: ['SecurityUpdates'] })] });
const upToDate = (candidate: PatchCandidate): PatchCandidate => ({ ...candidate, installedVersion: candidate.availableVersion, availableVersion: undefined });

const CASES: Array<[string, ReturnType<typeof snapshot>, PatchCandidate, PatchStateOptions, PatchStateName | undefined]> = [
  ['apt: approved update for an installed package is MISSING', debian, aptSecurity, {}, 'MISSING'],
  ['apt: its failed install is FAILED', debian, aptSecurity, { failed: true }, 'FAILED'],
  ['apt: a package left half-installed is FAILED even without an update', debian, upToDate(aptSecurity), { failed: true }, 'FAILED'],
  ['apt: installed at the approved version is INSTALLED', debian, upToDate(aptSecurity), {}, 'INSTALLED'],
  ['apt: ... INSTALLED_PENDING_REBOOT when the host awaits a reboot for it', debian, upToDate(aptSecurity), { pendingReboot: true }, 'INSTALLED_PENDING_REBOOT'],
  ['apt: an unapproved (non-security) update leaves the package INSTALLED_OTHER', debian, aptRegular, {}, 'INSTALLED_OTHER'],
  ['apt: an unapproved update over an approved installed version is INSTALLED', debian, aptRegular, { installed: { ...upToDate(aptSecurity), name: 'tzdata' } }, 'INSTALLED'],
  ['apt: ... INSTALLED_OTHER when the installed version is not approved either', debian, aptRegular, { installed: upToDate(aptRegular) }, 'INSTALLED_OTHER'],
  ['apt: an unapproved security update is AVAILABLE_SECURITY_UPDATE when the baseline asks', snapshot('DEBIAN'), aptSecurity, { reportAvailableSecurityUpdates: true }, 'AVAILABLE_SECURITY_UPDATE'],
  ['apt: a rejected installed package under BLOCK is INSTALLED_REJECTED', debianBlocking, upToDate(aptRegular), {}, 'INSTALLED_REJECTED'],
  ['apt: ... also while an update for it waits', debianBlocking, { ...aptRegular, nonSecurity: false }, {}, 'INSTALLED_REJECTED'],
  ['apt: ... and INSTALLED_OTHER under ALLOW_AS_DEPENDENCY', debianAllowing, upToDate(aptRegular), {}, 'INSTALLED_OTHER'],
  ['apt: an approved package that is not installed is NOT_APPLICABLE', debian, { ...aptSecurity, installedVersion: undefined }, {}, 'NOT_APPLICABLE'],
  ['apt: an unapproved package that is not installed is not reported', snapshot('DEBIAN'), { ...aptSecurity, installedVersion: undefined }, {}, undefined],
  ['Windows: an approved update not installed is MISSING', windows, windowsSecurity, {}, 'MISSING'],
  ['Windows: installed and approved is INSTALLED', windows, { ...windowsSecurity, installed: true }, {}, 'INSTALLED'],
  ['Windows: installed, awaiting reboot', windows, { ...windowsSecurity, installed: true }, { pendingReboot: true }, 'INSTALLED_PENDING_REBOOT'],
  ['Windows: installed and not approved is INSTALLED_OTHER', windows, { ...windowsDefinition, installed: true }, {}, 'INSTALLED_OTHER'],
  ['Windows: not installed and not approved is not reported', windows, windowsDefinition, {}, undefined],
  ['Windows: a failed install is FAILED', windows, windowsSecurity, { failed: true }, 'FAILED'],
];

describe('patch-baseline: patchState', () => {
  for (const [title, baseline, candidate, options, expected] of CASES) {
    it(title, () => assert.equal(patchState(baseline, candidate, options)?.state, expected));
  }

  it('report entries carry the version that is or would be installed, CVEs and counts', () => {
    const missing = toReportEntry({ ...aptSecurity, cves: ['CVE-2026-1', 'CVE-2026-2'] }, patchState(debian, aptSecurity)!, 'openssl 3.0.16-1~deb12u1');
    assert.deepEqual(missing, { Title: 'openssl 3.0.16-1~deb12u1', KBId: 'openssl', Classification: 'Security', Severity: 'Optional', State: 'MISSING', CVEIds: 'CVE-2026-1,CVE-2026-2', Version: '3.0.16-1~deb12u1' });
    const other = toReportEntry(aptRegular, patchState(debian, aptRegular)!, 'tzdata');
    assert.equal(other.Version, '2024a-0+deb12u1');
    assert.deepEqual(countPatchStates([missing, other, { State: 'MISSING' }]), {
      InstalledCount: 0, InstalledOtherCount: 1, InstalledPendingRebootCount: 0, InstalledRejectedCount: 0, MissingCount: 2,
      FailedCount: 0, NotApplicableCount: 0, AvailableSecurityUpdateCount: 0,
    });
  });
});
