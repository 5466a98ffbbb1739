import assert from 'node:assert/strict';
import type { PatchBaselineSnapshot } from '@tender/plugin-api';
import { evaluatePatch, predefinedDefaultBaseline, type PatchCandidate } from '../src/index.js';
import { aptRegular, aptSecurity, rpmBugfix, rpmNoAdvisory, rpmSecurity, rule, snapshot, windowsDefinition, windowsSecurity, CREATED_AT } from './fixtures.js';

interface Case {
  title: string;
  baseline: PatchBaselineSnapshot;
  candidate: PatchCandidate;
  approved: boolean;
  rejected?: boolean;
  level?: string;
  reason?: RegExp;
}

const securityOnlyRhel = snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'], SEVERITY: ['Critical', 'Important'] }, { ComplianceLevel: 'HIGH' })] });
const fromPredefined = (name: Parameters<typeof predefinedDefaultBaseline>[0]): PatchBaselineSnapshot => {
  const predefined = predefinedDefaultBaseline(name);
  return snapshot(name, { approvalRules: predefined.approvalRules, globalFilters: predefined.globalFilters });
};

const CASES: Case[] = [
  // rpm family: classification and severity, advisory membership, EnableNonSecurity
  { title: 'rpm: a Security/Important update matches a security rule', baseline: securityOnlyRhel, candidate: rpmSecurity, approved: true, level: 'HIGH' },
  { title: 'rpm: a Bugfix update does not match a Security rule', baseline: securityOnlyRhel, candidate: rpmBugfix, approved: false },
  { title: 'rpm: severity outside the rule', baseline: securityOnlyRhel, candidate: { ...rpmSecurity, severity: 'Low' }, approved: false },
  { title: 'rpm: a package no advisory names is invisible to rules without EnableNonSecurity',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['*'] })] }), candidate: rpmNoAdvisory, approved: false },
  { title: 'rpm: ... and approved by a rule with EnableNonSecurity',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['*'] }, { EnableNonSecurity: true })] }), candidate: rpmNoAdvisory, approved: true },
  { title: 'rpm: a Bugfix advisory counts for a rule without EnableNonSecurity (advisories are what rules see)',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Bugfix'] })] }), candidate: rpmBugfix, approved: true },
  { title: 'rpm: filter values and keys match case-insensitively',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['security'], SEVERITY: ['IMPORTANT'] })] }), candidate: rpmSecurity, approved: true },
  { title: 'rpm: PRODUCT with a wildcard', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ PRODUCT: ['RedhatEnterpriseLinux9*'], CLASSIFICATION: ['Security'] })] }), candidate: rpmSecurity, approved: true },
  { title: 'rpm: another PRODUCT', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ PRODUCT: ['RedhatEnterpriseLinux8.10'] })] }), candidate: rpmSecurity, approved: false },
  { title: 'rpm: global filters exclude what the rules would approve',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { globalFilters: [{ Key: 'SEVERITY', Values: ['Critical'] }], approvalRules: [rule({ CLASSIFICATION: ['*'] })] }), candidate: rpmSecurity, approved: false, reason: /global filters/ },
  // approval dates, counted to the snapshot's createdAt (2026-03-01T12:00Z)
  { title: 'ApproveAfterDays: released 2026-02-20, 7 days -> approved on 02-27', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'] }, { ApproveAfterDays: 7 })] }), candidate: rpmSecurity, approved: true },
  { title: 'ApproveAfterDays: 10 days -> not before 03-02', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'] }, { ApproveAfterDays: 10 })] }), candidate: rpmSecurity, approved: false },
  { title: 'ApproveAfterDays: exactly N days old at createdAt is approved', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'] }, { ApproveAfterDays: 9 })] }), candidate: { ...rpmSecurity, releaseDate: '2026-02-20T12:00:00Z' }, approved: true },
  { title: 'ApproveAfterDays: unknown release date waits', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'] }, { ApproveAfterDays: 1 })] }), candidate: { ...rpmSecurity, releaseDate: undefined }, approved: false },
  { title: 'ApproveUntilDate: released on the cutoff day counts', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'] }, { ApproveAfterDays: undefined, ApproveUntilDate: '2026-02-20' })] }), candidate: { ...rpmSecurity, releaseDate: '2026-02-20T23:30:00Z' }, approved: true },
  { title: 'ApproveUntilDate: released the day after does not', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['Security'] }, { ApproveAfterDays: undefined, ApproveUntilDate: '2026-02-19' })] }), candidate: rpmSecurity, approved: false },
  { title: 'the most severe compliance level among approving rules applies',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['*'] }, { ComplianceLevel: 'LOW' }), rule({ SEVERITY: ['Important'] }, { ComplianceLevel: 'CRITICAL' })] }), candidate: rpmSecurity, approved: true, level: 'CRITICAL' },
  // approved and rejected lists
  { title: 'the rejected list wins over rules and the approved list',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvalRules: [rule({ CLASSIFICATION: ['*'] })], approvedPatches: ['openssl'], rejectedPatches: ['openssl.x86_64'] }), candidate: rpmSecurity, approved: false, rejected: true },
  { title: 'rpm: approved by CVE id, with the approved list\'s compliance level',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvedPatches: ['CVE-2026-1111'], approvedPatchesComplianceLevel: 'MEDIUM' }), candidate: rpmSecurity, approved: true, level: 'MEDIUM' },
  { title: 'rpm: approved by advisory id', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvedPatches: ['RHSA-2026:0101'] }), candidate: rpmSecurity, approved: true },
  { title: 'rpm: approved by Bugzilla id', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvedPatches: ['2260001'] }), candidate: rpmSecurity, approved: true },
  { title: 'rpm: approved non-security package needs ApprovedPatchesEnableNonSecurity',
    baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvedPatches: ['vim-minimal'] }), candidate: rpmNoAdvisory, approved: false, reason: /ApprovedPatchesEnableNonSecurity/ },
  { title: 'rpm: ... and with it is approved', baseline: snapshot('REDHAT_ENTERPRISE_LINUX', { approvedPatches: ['vim-minimal'], approvedPatchesEnableNonSecurity: true }), candidate: rpmNoAdvisory, approved: true },
  // apt: security origin, PRIORITY and SECTION, no dates
  { title: 'apt: the default Debian baseline approves a security update', baseline: fromPredefined('DEBIAN'), candidate: aptSecurity, approved: true },
  { title: 'apt: ... and not an update from a regular suite', baseline: fromPredefined('DEBIAN'), candidate: aptRegular, approved: false },
  { title: 'apt: EnableNonSecurity admits regular updates', baseline: snapshot('DEBIAN', { approvalRules: [rule({ PRIORITY: ['Required'] }, { EnableNonSecurity: true })] }), candidate: aptRegular, approved: true },
  { title: 'apt: PRIORITY outside the rule', baseline: snapshot('UBUNTU', { approvalRules: [rule({ PRIORITY: ['Required', 'Important'] })] }), candidate: aptSecurity, approved: false },
  { title: 'apt: SECTION ignores the component prefix', baseline: snapshot('DEBIAN', { approvalRules: [rule({ SECTION: ['net'] })] }), candidate: { ...aptSecurity, section: 'contrib/net' }, approved: true },
  { title: 'apt: no release dates, so a waiting period does not hold a patch back', baseline: snapshot('DEBIAN', { approvalRules: [rule({ PRIORITY: ['*'] }, { ApproveAfterDays: 7 })] }), candidate: aptSecurity, approved: true },
  { title: 'apt: a rejected package name with a wildcard', baseline: snapshot('DEBIAN', { approvalRules: [rule({ PRIORITY: ['*'] })], rejectedPatches: ['open*'] }), candidate: aptSecurity, approved: false, rejected: true },
  // Windows: classification and MSRC severity, KB lists
  { title: 'Windows: the default baseline approves a Critical security update after 7 days', baseline: fromPredefined('WINDOWS'), candidate: windowsSecurity, approved: true },
  { title: 'Windows: ... but not 5 days after release', baseline: { ...fromPredefined('WINDOWS'), createdAt: '2026-02-15T17:00:00Z' }, candidate: windowsSecurity, approved: false },
  { title: 'Windows: definition updates are not in the default baseline', baseline: fromPredefined('WINDOWS'), candidate: windowsDefinition, approved: false },
  { title: 'Windows: a missing MSRC severity is Unspecified', baseline: snapshot('WINDOWS', { approvalRules: [rule({ MSRC_SEVERITY: ['Unspecified'] })] }), candidate: windowsDefinition, approved: true },
  { title: 'Windows: approved by KB id whatever the rules say', baseline: snapshot('WINDOWS', { approvedPatches: ['kb2267602'] }), candidate: windowsDefinition, approved: true },
  { title: 'Windows: EnableNonSecurity does not apply', baseline: snapshot('WINDOWS', { approvalRules: [rule({ CLASSIFICATION: ['DefinitionUpdates'] })] }), candidate: { ...windowsDefinition, nonSecurity: true }, approved: true },
  { title: 'Windows: PATCH_SET APPLICATION does not take OS updates', baseline: snapshot('WINDOWS', { approvalRules: [rule({ PATCH_SET: ['APPLICATION'] })] }), candidate: windowsSecurity, approved: false },
];

describe('patch-baseline: evaluatePatch', () => {
  it('counts dates to the snapshot, which the fixtures put at 2026-03-01T12:00Z', () => assert.equal(CREATED_AT, '2026-03-01T12:00:00.000Z'));
  for (const entry of CASES) {
    it(entry.title, () => {
      const decision = evaluatePatch(entry.baseline, entry.candidate);
      assert.equal(decision.approved, entry.approved, decision.reason);
      assert.equal(decision.rejected, entry.rejected ?? false, decision.reason);
      if (entry.level) assert.equal(decision.complianceLevel, entry.level);
      if (entry.reason) assert.match(decision.reason, entry.reason);
    });
  }
});
