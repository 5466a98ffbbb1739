import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { PatchBaselineSnapshot, PatchOperationResult } from '@tender/plugin-api';
import plugin, { compareEvr, createDnfProvider, parseCheckUpdate, parseNevra, parseUpdateinfoInfo, parseUpdateinfoList, rpmvercmp } from '../src/index.js';
import { recordedRun, replayContext } from './replay-context.js';

/** The sandbox the fixtures were recorded in (test/support/dnf-repository.ts, the scenario of test/e2e/patch-providers-dnf.test.ts). */
const SANDBOX = '/tmp/tender-dnf-sandbox';
const options = {
  tool: 'dnf' as const,
  options: ['-c', `${SANDBOX}/dnf.conf`, `--installroot=${SANDBOX}/root`, '--releasever=1', `--setopt=reposdir=${SANDBOX}/repos.d`, '--disableplugin=local'],
  rpmRoot: `${SANDBOX}/root`, env: { HOME: `${SANDBOX}/home` }, osReleaseFile: '/nonexistent',
};

/** Security updates of severity Critical or Important, 7 days after release; fleetreject rejected (BLOCK). Dates: 2026-03-01 noon. */
function securityBaseline(overrides: Partial<PatchBaselineSnapshot> = {}): PatchBaselineSnapshot {
  return {
    snapshotId: 's', instanceId: 'mi-00000000000000002', baselineId: 'pb-00000000000000002', operatingSystem: 'REDHAT_ENTERPRISE_LINUX', globalFilters: [],
    approvalRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical', 'Important'] }] }, ApproveAfterDays: 7 }],
    approvedPatches: [], approvedPatchesComplianceLevel: 'UNSPECIFIED', approvedPatchesEnableNonSecurity: false, rejectedPatches: ['fleetreject'],
    rejectedPatchesAction: 'BLOCK', createdAt: '2026-03-01T12:00:00Z', ...overrides,
  };
}

const states = (result: PatchOperationResult): Record<string, string> => Object.fromEntries(result.patches.map((entry) => [entry.KBId, `${entry.State} ${entry.Version}`]));

describe('patch-dnf: the dnf provider on recorded outputs of dnf --installroot', () => {
  it('the plugin declares the dnf provider for the RHEL family and Amazon Linux', () => {
    assert.deepEqual(Object.keys(plugin.patchProviders ?? {}), ['dnf']);
    assert.ok(plugin.patchProviders?.dnf?.operatingSystems.includes('AMAZON_LINUX_2023'));
    assert.ok(plugin.patchProviders?.dnf?.operatingSystems.includes('REDHAT_ENTERPRISE_LINUX'));
  });

  it('Scan: advisories give classification, severity and CVEs; ApproveAfterDays counts to the snapshot; the approved version is chosen', async () => {
    const context = replayContext(recordedRun('sandbox-scan.json'));
    const result = await createDnfProvider(options).scan(context, securityBaseline());
    assert.deepEqual(states(result), {
      fleetbroken: 'MISSING 0:1.1-1',
      'fleetdemo-sec': 'MISSING 0:1.1-1', // FLEET-2026-0001's version, not the newer 1.2 that no advisory names
      fleetdemo: 'INSTALLED_OTHER 0:1.0-1', // Bugfix
      fleetepoch: 'INSTALLED_OTHER 1:3.0-1', // Enhancement
      fleetold: 'INSTALLED_OTHER 0:1.0-1', // Critical, issued 2026-02-27: 7 days have not passed on 2026-03-01
      fleetplain: 'INSTALLED_OTHER 0:1.0-1', // no advisory
      fleetreject: 'INSTALLED_REJECTED 0:1.0-1',
    });
    const sec = result.patches.find((entry) => entry.KBId === 'fleetdemo-sec')!;
    assert.deepEqual({ ...sec, InstalledTime: undefined }, { Title: 'fleetdemo-sec.noarch:0:1.1-1', KBId: 'fleetdemo-sec', Classification: 'Security', Severity: 'Important', State: 'MISSING', CVEIds: 'CVE-2026-0001,CVE-2026-0002', Version: '0:1.1-1', InstalledTime: undefined });
    assert.equal(result.rebootRequired, false);
    // On 2026-03-06 the Critical one is old enough.
    const later = await createDnfProvider(options).scan(replayContext(recordedRun('sandbox-scan.json')), securityBaseline({ createdAt: '2026-03-06T00:00:00Z' }));
    assert.equal(states(later).fleetold, 'MISSING 0:1.1-1');
    // Approved by advisory id and by CVE id, whatever the rules say.
    const listed = await createDnfProvider(options).scan(replayContext(recordedRun('sandbox-scan.json')), securityBaseline({ approvalRules: [], approvedPatches: ['FLEET-2026-0002', 'CVE-2026-0003'] }));
    assert.equal(states(listed).fleetdemo, 'MISSING 0:1.1-1');
    assert.equal(states(listed).fleetold, 'MISSING 0:1.1-1');
    assert.equal(states(listed)['fleetdemo-sec'], 'INSTALLED_OTHER 0:1.0-1');
  });

  it('Install: exact NEVRAs, rejected packages excluded under BLOCK, the broken update FAILED with dnf\'s reason, the reboot from needs-restarting', async () => {
    const context = replayContext(recordedRun('sandbox-install.json'));
    const result = await createDnfProvider(options).install(context, securityBaseline(), {});
    const upgrade = context.calls.find((call) => call.args.includes('upgrade'))!;
    assert.deepEqual(upgrade.args.slice(options.options.length), ['-y', '--skip-broken', '--exclude=fleetreject', 'upgrade', 'fleetdemo-sec-0:1.1-1.noarch', 'fleetbroken-0:1.1-1.noarch']);
    assert.equal(states(result)['fleetdemo-sec'], 'INSTALLED_PENDING_REBOOT 0:1.1-1');
    assert.equal(states(result).fleetbroken, 'FAILED 0:1.1-1');
    assert.equal(states(result).fleetreject, 'INSTALLED_REJECTED 0:1.0-1');
    assert.equal(result.rebootRequired, true);
    assert.equal(result.failures.length, 1);
    assert.match(result.failures[0]!.message, /^fleetbroken-0:1\.1-1\.noarch was not installed: .*nothing provides fleet-missing needed by fleetbroken-1\.1-1\.noarch/);
    assert.doesNotMatch(result.failures[0]!.message, /6\.0 k/);
    const installed = result.patches.find((entry) => entry.KBId === 'fleetdemo-sec')!;
    assert.equal(installed.Classification, 'Security', 'the installed version is described by its own advisory');
    assert.ok(installed.InstalledTime);
  });

  it('parses yum\'s check-update with wrapped names and an Obsoleting section (hand-made, in yum\'s layout)', () => {
    const yum = [
      '',
      'kernel.x86_64                        4.14.355-276.639.amzn2          amzn2-core',
      'python-devicemapper-and-a-very-long-name.x86_64',
      '                                     1:1.02.170-6.amzn2.5            amzn2-core',
      'openssl-libs.x86_64                  1:1.0.2k-24.amzn2.0.14          amzn2-core',
      'Obsoleting Packages',
      'grub2.x86_64                         1:2.06-70.amzn2                 amzn2-core',
    ].join('\n');
    assert.deepEqual(parseCheckUpdate(yum), [
      { name: 'kernel', arch: 'x86_64', evr: '0:4.14.355-276.639.amzn2', repository: 'amzn2-core' },
      { name: 'python-devicemapper-and-a-very-long-name', arch: 'x86_64', evr: '1:1.02.170-6.amzn2.5', repository: 'amzn2-core' },
      { name: 'openssl-libs', arch: 'x86_64', evr: '1:1.0.2k-24.amzn2.0.14', repository: 'amzn2-core' },
    ]);
  });

  it('parses updateinfo list and info, NEVRAs with epochs', () => {
    const list = parseUpdateinfoList('i ALAS2-2024-2500 important/Sec. openssl-libs-1:1.0.2k-24.amzn2.0.12.x86_64\n  ALAS2-2025-2700 Critical/Sec.  kernel-4.14.355-276.639.amzn2.x86_64\n  ALAS2-2025-2701 bugfix         tzdata-2025a-1.amzn2.noarch\n');
    assert.deepEqual(list.map((e) => [e.advisoryId, e.type, e.severity, e.name, e.evr, e.installed]), [
      ['ALAS2-2024-2500', 'security', 'important', 'openssl-libs', '1:1.0.2k-24.amzn2.0.12', true],
      ['ALAS2-2025-2700', 'security', 'Critical', 'kernel', '0:4.14.355-276.639.amzn2', false],
      ['ALAS2-2025-2701', 'bugfix', undefined, 'tzdata', '0:2025a-1.amzn2', false],
    ]);
    assert.deepEqual(parseNevra('fleetepoch-1:3.1-1.noarch'), { name: 'fleetepoch', evr: '1:3.1-1', arch: 'noarch' });
    const info = parseUpdateinfoInfo('  Update ID: X-1\n       Type: security\n    Updated: 2026-02-20 00:00:00\n       Bugs: 1 - one\n           : 2 - two\n       CVEs: CVE-2026-1\n           : CVE-2026-2\n   Severity: Important\n');
    assert.deepEqual(info.get('X-1'), { id: 'X-1', type: 'security', updated: '2026-02-20 00:00:00', bugzillas: ['1', '2'], cves: ['CVE-2026-1', 'CVE-2026-2'], severity: 'Important' });
  });

  const VERSIONS: Array<[string, string, number]> = [
    ['1.0', '1.0', 0], ['1.0', '1.1', -1], ['1.10', '1.9', 1], ['1.0~rc1', '1.0', -1], ['1.0^git1', '1.0', 1], ['1.0^git1', '1.0.1', -1],
    ['1.0a', '1.0', 1], ['1.0a', '1.0.1', -1], ['2.0', '2_0', 0], ['1.01', '1.1', 0], ['5.2', '5.10', -1], ['a', '1', -1], ['1.0~~', '1.0~', -1],
  ];
  it('compares versions as rpm does (checked against rpm.vercmp where rpm is installed)', () => {
    let rpm = true;
    for (const [a, b, expected] of VERSIONS) {
      assert.equal(Math.sign(rpmvercmp(a, b)), expected, `${a} vs ${b}`);
      if (!rpm) continue;
      try {
        const out = execFileSync('rpm', ['--eval', `%{lua: print(rpm.vercmp("${a}", "${b}"))}`], { encoding: 'utf8' }).trim();
        assert.equal(Math.sign(rpmvercmp(a, b)), Math.sign(Number(out)), `rpm says ${out} for ${a} vs ${b}`);
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        rpm = false;
      }
    }
    assert.equal(Math.sign(compareEvr('1:1.0-1', '0:2.0-1')), 1);
    assert.equal(Math.sign(compareEvr('1.0-10', '1.0-9')), 1);
  });
});

describe('patch-dnf: yum (Amazon Linux 2) on hand-made recordings', () => {
  it('reads yum\'s outputs: the approved older advisory version is chosen, medium severity stays out, needs-restarting\'s reboot', async () => {
    const baseline = securityBaseline({
      operatingSystem: 'AMAZON_LINUX_2', rejectedPatches: [],
      approvalRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical', 'Important'] }] }, ApproveAfterDays: 7 }],
    });
    const context = replayContext(recordedRun('amazon-linux-2-yum-scan.json'));
    const result = await createDnfProvider({ tool: 'yum', osReleaseFile: '/nonexistent' }).scan(context, baseline);
    assert.deepEqual(states(result), {
      kernel: 'MISSING 0:4.14.355-276.639.amzn2', // important, 19 days old
      'openssl-libs': 'INSTALLED 1:1.0.2k-24.amzn2.0.12', // its installed advisory is approved; the critical one is 2 days old
      curl: 'INSTALLED_OTHER 0:8.3.0-1.amzn2.0.6', // medium
      tzdata: 'INSTALLED_OTHER 0:2024a-1.amzn2', // bugfix
    });
    const kernel = result.patches.find((entry) => entry.KBId === 'kernel');
    assert.deepEqual([kernel?.Classification, kernel?.Severity, kernel?.CVEIds], ['Security', 'Important', 'CVE-2026-1000,CVE-2026-1001']);
    assert.equal(result.rebootRequired, true);
    assert.deepEqual(context.calls.map((call) => `${call.command} ${call.args.join(' ')}`).slice(1), ['yum -q check-update', 'yum -q updateinfo list all', 'yum -q updateinfo info all', 'needs-restarting -r']);
  });
});
