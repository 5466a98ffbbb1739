import type { PatchBaselineSnapshot, PatchOperatingSystem, PatchRule } from '@tender/plugin-api';
import type { PatchCandidate } from '../src/index.js';

export const CREATED_AT = '2026-03-01T12:00:00.000Z';

export function snapshot(operatingSystem: PatchOperatingSystem, overrides: Partial<PatchBaselineSnapshot> = {}): PatchBaselineSnapshot {
  return {
    snapshotId: 'snap-1', instanceId: 'mi-0123456789abcdef0', baselineId: 'pb-0123456789abcdef0', operatingSystem,
    globalFilters: [], approvalRules: [], approvedPatches: [], approvedPatchesComplianceLevel: 'UNSPECIFIED',
    approvedPatchesEnableNonSecurity: false, rejectedPatches: [], rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
    createdAt: CREATED_AT, ...overrides,
  };
}

export function rule(filters: Record<string, string[]>, extra: Partial<PatchRule> = {}): PatchRule {
  return { PatchFilterGroup: { PatchFilters: Object.entries(filters).map(([Key, Values]) => ({ Key, Values })) }, ApproveAfterDays: 0, ...extra };
}

export const rpmSecurity: PatchCandidate = {
  name: 'openssl', arch: 'x86_64', installedVersion: '1:3.0.7-24.el9', availableVersion: '1:3.0.7-27.el9',
  classification: 'Security', severity: 'Important', product: 'RedhatEnterpriseLinux9.4', releaseDate: '2026-02-20T00:00:00Z',
  cves: ['CVE-2026-1111'], advisoryIds: ['RHSA-2026:0101'], bugzillaIds: ['2260001'], security: true,
};
export const rpmBugfix: PatchCandidate = {
  name: 'tzdata', arch: 'noarch', installedVersion: '2025a-1.el9', availableVersion: '2026a-1.el9', classification: 'Bugfix',
  severity: 'None', product: 'RedhatEnterpriseLinux9.4', releaseDate: '2026-02-27T00:00:00Z', advisoryIds: ['RHBA-2026:0200'], security: false,
};
export const rpmNoAdvisory: PatchCandidate = {
  name: 'vim-minimal', arch: 'x86_64', installedVersion: '2:8.2.2637-20.el9', availableVersion: '2:8.2.2637-21.el9',
  product: 'RedhatEnterpriseLinux9.4', releaseDate: '2026-01-01T00:00:00Z', security: false, nonSecurity: true,
};
export const aptSecurity: PatchCandidate = {
  name: 'openssl', arch: 'amd64', installedVersion: '3.0.15-1~deb12u1', availableVersion: '3.0.16-1~deb12u1', classification: 'Security',
  priority: 'Optional', section: 'utils', product: 'Debian12', repository: 'bookworm-security', security: true,
};
export const aptRegular: PatchCandidate = {
  name: 'tzdata', arch: 'all', installedVersion: '2024a-0+deb12u1', availableVersion: '2025b-0+deb12u1', classification: 'Other',
  priority: 'Required', section: 'localization', product: 'Debian12', repository: 'bookworm-updates', security: false, nonSecurity: true,
};
export const windowsSecurity: PatchCandidate = {
  name: 'KB5034439', kbId: 'KB5034439', title: '2026-02 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034439)',
  classification: 'SecurityUpdates', severity: 'Critical', product: 'WindowsServer2022', productFamily: 'Windows', patchSet: 'OS',
  releaseDate: '2026-02-10T17:00:00Z', installed: false, security: true,
};
export const windowsDefinition: PatchCandidate = {
  name: 'KB2267602', kbId: 'KB2267602', title: 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602',
  classification: 'DefinitionUpdates', product: 'Microsoft Defender Antivirus', productFamily: 'Windows', patchSet: 'OS',
  releaseDate: '2026-02-28T00:00:00Z', installed: false, security: false,
};
