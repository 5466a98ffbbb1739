import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDnfProvider } from '@tender/patch-dnf';
import type { PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchReportEntry } from '@tender/plugin-api';
import { DnfSandbox } from '../support/dnf-repository.js';
import { realPatchContext, type RecordedCommand } from '../support/patch-context.js';

const DAY = 86_400_000;
const updateinfoDay = (daysAgo: number): string => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 19).replace('T', ' ');

/** A security-only RHEL baseline: Security updates of severity Critical or Important, 7 days after release. */
function securityBaseline(overrides: Partial<PatchBaselineSnapshot> = {}): PatchBaselineSnapshot {
  return {
    snapshotId: 'snap-dnf', instanceId: 'mi-00000000000000002', baselineId: 'pb-00000000000000002', operatingSystem: 'REDHAT_ENTERPRISE_LINUX',
    globalFilters: [],
    approvalRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical', 'Important'] }] }, ApproveAfterDays: 7, ComplianceLevel: 'HIGH' }],
    approvedPatches: [], approvedPatchesComplianceLevel: 'UNSPECIFIED', approvedPatchesEnableNonSecurity: false,
    rejectedPatches: ['fleetreject'], rejectedPatchesAction: 'BLOCK', createdAt: new Date().toISOString(), ...overrides,
  };
}

const states = (result: PatchOperationResult): Record<string, string> => Object.fromEntries(result.patches.map((entry) => [entry.KBId, `${entry.State} ${entry.Version}`]));
const entry = (result: PatchOperationResult, name: string): PatchReportEntry | undefined => result.patches.find((patch) => patch.KBId === name);

describe('patch-dnf end to end: real dnf with --installroot and a local repository with updateinfo advisories', function () {
  this.timeout(600_000);
  let work: string;
  let dnf: DnfSandbox;
  let provider: PatchProvider;

  before(async function () {
    if (process.platform !== 'linux' || !(await DnfSandbox.available())) {
      console.log('      (skipped: needs dnf, rpmbuild, createrepo_c and modifyrepo_c; .ci/run installs them)');
      this.skip();
    }
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-patch-dnf-'));
    dnf = await DnfSandbox.create(path.join(work, 'dnf'));
    for (const name of ['fleetdemo', 'fleetdemo-sec', 'fleetold', 'fleetplain', 'fleetreject', 'fleetbroken']) await dnf.addPackage(name, '1.0');
    await dnf.install('fleetdemo', 'fleetdemo-sec', 'fleetold', 'fleetplain', 'fleetreject', 'fleetbroken');
    for (const name of ['fleetdemo', 'fleetold', 'fleetplain', 'fleetreject']) await dnf.addPackage(name, '1.1');
    await dnf.addPackage('fleetdemo-sec', '1.1');
    await dnf.addPackage('fleetdemo-sec', '1.2'); // a newer build that no advisory names
    await dnf.addPackage('fleetbroken', '1.1', { requires: 'fleet-missing' });
    await dnf.addAdvisory({ id: 'FLEET-2026-0001', type: 'security', severity: 'Important', issued: updateinfoDay(10), title: 'Important: fleetdemo-sec security update', cves: ['CVE-2026-0001', 'CVE-2026-0002'], bugzillas: ['2260001'], packages: [{ name: 'fleetdemo-sec', version: '1.1' }] });
    await dnf.addAdvisory({ id: 'FLEET-2026-0002', type: 'bugfix', issued: updateinfoDay(20), packages: [{ name: 'fleetdemo', version: '1.1' }] });
    await dnf.addAdvisory({ id: 'FLEET-2026-0003', type: 'security', severity: 'Critical', issued: updateinfoDay(2), cves: ['CVE-2026-0003'], packages: [{ name: 'fleetold', version: '1.1' }] });
    await dnf.addAdvisory({ id: 'FLEET-2026-0004', type: 'security', severity: 'Important', issued: updateinfoDay(30), packages: [{ name: 'fleetreject', version: '1.1' }] });
    await dnf.addAdvisory({ id: 'FLEET-2026-0005', type: 'security', severity: 'Important', issued: updateinfoDay(30), packages: [{ name: 'fleetbroken', version: '1.1' }] });
    provider = createDnfProvider({ tool: 'dnf', options: dnf.dnfOptions, rpmRoot: dnf.root, env: dnf.env });
  });
  after(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('Scan: each upgradable package with its advisory\'s classification, the approved version chosen, ApproveAfterDays honoured; nothing changes', async () => {
    const before = await dnf.installedPackages();
    const commands: RecordedCommand[] = [];
    assert.equal(await provider.detect(realPatchContext()), true);
    const result = await provider.scan(realPatchContext(commands), securityBaseline());
    assert.deepEqual(states(result), {
      fleetdemo: 'INSTALLED_OTHER 0:1.0-1', // a Bugfix: not in a security-only baseline
      'fleetdemo-sec': 'MISSING 0:1.1-1', // the advisory's version, not the newer 1.2 no advisory names
      fleetold: 'INSTALLED_OTHER 0:1.0-1', // Critical, but released 2 days ago: ApproveAfterDays 7 holds it back
      fleetplain: 'INSTALLED_OTHER 0:1.0-1', // no advisory: a non-security update
      fleetreject: 'INSTALLED_REJECTED 0:1.0-1',
      fleetbroken: 'MISSING 0:1.1-1',
    });
    assert.deepEqual(entry(result, 'fleetdemo-sec'), { Title: 'fleetdemo-sec.noarch:0:1.1-1', KBId: 'fleetdemo-sec', Classification: 'Security', Severity: 'Important', State: 'MISSING', ComplianceLevel: 'HIGH', CVEIds: 'CVE-2026-0001,CVE-2026-0002', Version: '0:1.1-1' });
    assert.equal(entry(result, 'fleetdemo')?.Classification, 'Bugfix');
    assert.equal(result.rebootRequired, false);
    assert.equal(await dnf.installedPackages(), before, 'the rpm database is unchanged');
    const ran = new Set(commands.map((c) => (c.command === 'rpm' ? 'rpm' : `${c.command} ${c.args.filter((a) => /^[a-z][a-z-]*$/.test(a)).join(' ')}`)));
    assert.deepEqual([...ran].sort(), ['dnf check-update', 'dnf needs-restarting', 'dnf updateinfo info', 'dnf updateinfo list', 'rpm']);

    // Seven days on, the Critical advisory is old enough.
    const later = await provider.scan(realPatchContext(), securityBaseline({ createdAt: new Date(Date.now() + 6 * DAY).toISOString() }));
    assert.equal(states(later).fleetold, 'MISSING 0:1.1-1');
    // EnableNonSecurity with every classification approves the newest build of each package.
    const everything = await provider.scan(realPatchContext(), securityBaseline({ rejectedPatches: [], approvalRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['*'] }] }, ApproveAfterDays: 0, EnableNonSecurity: true }] }));
    assert.equal(states(everything)['fleetdemo-sec'], 'MISSING 0:1.2-1');
    assert.equal(states(everything).fleetplain, 'MISSING 0:1.1-1');
  });

  it('Install under the security-only baseline: only the approved security update; the rejected package stays; a failed update is named; the reboot is detected', async () => {
    // needs-restarting counts fleetdemo-sec as a core package (as it does the kernel): installing it needs a reboot.
    await dnf.rebootAfter('fleetdemo-sec');
    const result = await provider.install(realPatchContext(), securityBaseline(), {});
    assert.equal(await dnf.installedVersion('fleetdemo-sec'), '1.1-1');
    for (const name of ['fleetdemo', 'fleetold', 'fleetplain', 'fleetreject', 'fleetbroken']) assert.equal(await dnf.installedVersion(name), '1.0-1', name);
    assert.equal(states(result)['fleetdemo-sec'], 'INSTALLED_PENDING_REBOOT 0:1.1-1');
    assert.equal(states(result).fleetreject, 'INSTALLED_REJECTED 0:1.0-1');
    assert.equal(states(result).fleetbroken, 'FAILED 0:1.1-1');
    assert.deepEqual(result.failures.map((failure) => failure.patch), ['fleetbroken']);
    assert.match(result.failures[0]!.message, /fleet-missing/);
    assert.equal(result.rebootRequired, true);
    assert.ok(entry(result, 'fleetdemo-sec')?.InstalledTime, 'the install time is reported');
  });
});
