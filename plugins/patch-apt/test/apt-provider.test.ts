import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { predefinedDefaultBaseline } from '@tender/patch-baseline';
import type { PatchBaselineSnapshot } from '@tender/plugin-api';
import plugin, { createAptProvider, DPKG_QUERY_FORMAT, parseAptPolicy } from '../src/index.js';
import { FIXTURES, fixture, recordedRun, replayContext, type Recorded } from './replay-context.js';

function debianBaseline(overrides: Partial<PatchBaselineSnapshot> = {}): PatchBaselineSnapshot {
  const predefined = predefinedDefaultBaseline('DEBIAN');
  return {
    snapshotId: 'snap-1', instanceId: 'mi-00000000000000001', baselineId: predefined.baselineId, operatingSystem: 'DEBIAN', globalFilters: [],
    approvalRules: predefined.approvalRules, approvedPatches: [], approvedPatchesComplianceLevel: 'UNSPECIFIED', approvedPatchesEnableNonSecurity: false,
    rejectedPatches: [], rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY', createdAt: '2026-03-01T12:00:00Z', ...overrides,
  };
}

/** The recorded outputs of this Debian 12 host (a sample of its packages, among them every upgradable one). */
function debianHost(): Recorded[] {
  const query = fixture('debian-12-dpkg-query.stdout');
  const names = query.split('\n').filter(Boolean).map((line) => {
    const [name, arch] = line.split('\t');
    return arch === 'all' ? name! : `${name}:${arch}`;
  });
  return [
    { command: 'dpkg-query', args: ['-W', '-f', DPKG_QUERY_FORMAT], result: { stdout: query, stderr: '', exitCode: 0 } },
    { command: 'apt-cache', args: ['policy', ...names], result: { stdout: fixture('debian-12-apt-cache-policy.stdout'), stderr: '', exitCode: 0 } },
  ];
}

const SANDBOX = '/tmp/tender-apt-sandbox';
const sandboxOptions = (rebootRequiredFile: string) => ({
  env: { APT_CONFIG: `${SANDBOX}/apt.conf`, DEBIAN_FRONTEND: 'noninteractive' }, dpkgRoot: `${SANDBOX}/root`, dpkgOptions: ['--force-script-chrootless'],
  rebootRequiredFile, lockTimeoutSeconds: 0, osReleaseFile: path.join(FIXTURES, 'debian-12-os-release'),
});

describe('patch-apt: the apt provider on recorded outputs', () => {
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'patch-apt-unit-'));
  });
  after(() => fs.rm(tmp, { recursive: true, force: true }));

  it('the plugin declares the apt provider for Debian, Ubuntu and Raspbian', () => {
    assert.deepEqual(Object.keys(plugin.patchProviders ?? {}), ['apt']);
    assert.deepEqual(plugin.patchProviders?.apt?.operatingSystems, ['DEBIAN', 'UBUNTU', 'RASPBIAN']);
  });

  it('a Debian 12 host: the updates found are exactly what apt-get -s dist-upgrade would install, classified by suite', async () => {
    const provider = createAptProvider({ updateLists: false, osReleaseFile: path.join(FIXTURES, 'debian-12-os-release'), rebootRequiredFile: path.join(tmp, 'none') });
    const context = replayContext(debianHost());
    const result = await provider.scan(context, debianBaseline());
    const simulated = new Map(fixture('debian-12-apt-get-simulate-dist-upgrade.stdout').split('\n').flatMap((line) => {
      const match = /^Inst (\S+) \[[^\]]*\] \((\S+) (.*) \[/.exec(line);
      return match ? [[match[1]!, { version: match[2]!, security: /-security/.test(match[3]!) }]] : [];
    }));
    assert.equal(simulated.size, 130);
    for (const [name, update] of simulated) {
      const entry = result.patches.find((patch) => patch.KBId === name);
      assert.ok(entry, `${name} is reported`);
      // Security updates are approved by AWS-DebianDefaultPatchBaseline: MISSING at the new version. Others are not
      // approved: the package stays at its installed version, INSTALLED when that version came from a security
      // suite (approved), INSTALLED_OTHER when not.
      if (update.security) assert.deepEqual([entry.State, entry.Version, entry.Classification], ['MISSING', update.version, 'Security'], name);
      else assert.ok(entry.State === (entry.Classification === 'Security' ? 'INSTALLED' : 'INSTALLED_OTHER') && entry.Version !== update.version, `${name}: ${JSON.stringify(entry)}`);
    }
    assert.ok(result.patches.some((entry) => entry.KBId === 'libxslt1-dev' && entry.State === 'INSTALLED'), 'an installed security version with a newer regular update');
    const missing = result.patches.filter((entry) => entry.State === 'MISSING');
    assert.equal(missing.length, [...simulated.values()].filter((update) => update.security).length);
    assert.deepEqual(context.calls.map((call) => call.command), ['dpkg-query', 'apt-cache']);
    const libgcrypt = result.patches.find((entry) => entry.KBId === 'libgcrypt20');
    assert.deepEqual(libgcrypt, { Title: 'libgcrypt20 1.10.1-3+deb12u1', KBId: 'libgcrypt20', Classification: 'Security', Severity: 'Optional', State: 'MISSING', Version: '1.10.1-3+deb12u1' });
  });

  it('PRIORITY and SECTION filters apply to the package records (only Required security updates)', async () => {
    const provider = createAptProvider({ updateLists: false, osReleaseFile: path.join(FIXTURES, 'debian-12-os-release'), rebootRequiredFile: path.join(tmp, 'none') });
    const required = debianBaseline({ approvalRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required'] }, { Key: 'PRODUCT', Values: ['Debian12'] }] }, ApproveAfterDays: 0 }] });
    const result = await provider.scan(replayContext(debianHost()), required);
    const missing = result.patches.filter((entry) => entry.State === 'MISSING');
    assert.ok(missing.length > 0);
    assert.ok(missing.every((entry) => entry.Severity === 'Required'), missing.map((entry) => `${entry.KBId}:${entry.Severity}`).join(' '));
    const otherProduct = { ...required, approvalRules: [{ ...required.approvalRules[0]!, PatchFilterGroup: { PatchFilters: [{ Key: 'PRODUCT', Values: ['Ubuntu22.04'] }] } }] };
    assert.equal((await provider.scan(replayContext(debianHost()), otherProduct)).patches.filter((entry) => entry.State === 'MISSING').length, 0);
  });

  it('a locked dpkg: every selected patch FAILED with the reason, no recovery attempted', async () => {
    const provider = createAptProvider(sandboxOptions(path.join(tmp, 'none')));
    const context = replayContext(recordedRun('sandbox-install-locked.json'));
    const result = await provider.install(context, debianBaseline(), {});
    const failed = result.patches.filter((entry) => entry.State === 'FAILED').map((entry) => entry.KBId).sort();
    assert.deepEqual(failed, ['fleetbad', 'fleetdemo-sec', 'fleetheld']);
    for (const name of ['fleetbad', 'fleetdemo-sec']) assert.match(result.failures.find((f) => f.patch === name)?.message ?? '', /locked by another process.*lock-frontend/);
    assert.ok(!context.calls.some((call) => call.command === 'dpkg'));
  });

  it('a package whose postinst fails: FAILED with dpkg\'s words, dpkg --configure -a attempted, the others installed, reboot detected', async () => {
    const rebootFile = path.join(tmp, 'reboot-required');
    await fs.writeFile(rebootFile, '');
    await fs.writeFile(`${rebootFile}.pkgs`, 'fleetdemo-sec\n');
    const provider = createAptProvider(sandboxOptions(rebootFile));
    const context = replayContext(recordedRun('sandbox-install-failed-package.json'));
    const result = await provider.install(context, debianBaseline(), {});
    const states = Object.fromEntries(result.patches.map((entry) => [entry.KBId, entry.State]));
    assert.deepEqual(states, { fleetbad: 'FAILED', fleetdemo: 'INSTALLED_OTHER', 'fleetdemo-sec': 'INSTALLED_PENDING_REBOOT', fleetheld: 'FAILED' });
    assert.equal(result.rebootRequired, true);
    assert.match(result.failures.find((f) => f.patch === 'fleetbad')?.message ?? '', /fleetbad failed to install: .*post-installation script subprocess returned error exit status 1/);
    assert.match(result.failures.find((f) => f.patch === 'fleetheld')?.message ?? '', /held \(apt-mark hold\)/);
    assert.ok(context.calls.some((call) => call.command === 'dpkg' && call.args.join(' ').endsWith('--configure -a')));
  });

  it('parses a foreign-architecture block and a flat repository in apt-cache policy', () => {
    const policies = parseAptPolicy('libc6:i386:\n  Installed: (none)\n  Candidate: 2.36-9\n  Version table:\n     2.36-9 500\n        500 file:/srv/repo ./ Packages\n');
    assert.equal(policies.get('libc6:i386')?.candidate, '2.36-9');
    assert.equal(policies.get('libc6:i386')?.installed, undefined);
    assert.deepEqual(policies.get('libc6:i386')?.versions.get('2.36-9'), ['.']);
  });
});
