import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createAptProvider } from '@tender/patch-apt';
import { predefinedDefaultBaseline } from '@tender/patch-baseline';
import type { PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchReportEntry } from '@tender/plugin-api';
import { AptSandbox } from '../support/apt-repository.js';
import { realPatchContext, type RecordedCommand } from '../support/patch-context.js';

const exec = promisify(execFile);

/** AWS-DebianDefaultPatchBaseline's rules (security updates of every priority), with this test's lists. */
function debianBaseline(overrides: Partial<PatchBaselineSnapshot> = {}): PatchBaselineSnapshot {
  const predefined = predefinedDefaultBaseline('DEBIAN');
  return {
    snapshotId: 'snap-apt', instanceId: 'mi-00000000000000001', baselineId: predefined.baselineId, operatingSystem: 'DEBIAN',
    globalFilters: [], approvalRules: predefined.approvalRules, approvedPatches: [], approvedPatchesComplianceLevel: 'UNSPECIFIED',
    approvedPatchesEnableNonSecurity: false, rejectedPatches: [], rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
    createdAt: new Date().toISOString(), ...overrides,
  };
}

const byName = (result: PatchOperationResult): Map<string, PatchReportEntry> => new Map(result.patches.map((entry) => [entry.KBId, entry]));

describe('patch-apt end to end: real apt-get and dpkg on an isolated root fed by local suites', function () {
  this.timeout(180_000);
  let work: string;

  before(async function () {
    if (process.platform !== 'linux' || !(await AptSandbox.available())) {
      console.log('      (skipped: needs Linux with apt-get, dpkg-deb and dpkg-scanpackages)');
      this.skip();
    }
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-patch-apt-'));
  });
  after(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  async function sandboxWithUpdates(name: string): Promise<{ apt: AptSandbox; provider: PatchProvider }> {
    const apt = await AptSandbox.create(path.join(work, name));
    await apt.addSuitePackage('fleet', 'fleetdemo', '1.0.0', { section: 'utils' });
    await apt.addSuitePackage('fleet', 'fleetdemo-sec', '2.0.0', { priority: 'important', section: 'net' });
    await apt.addSuitePackage('fleet', 'fleetkeep', '1.0');
    await apt.addSuitePackage('fleet', 'fleetreject', '1.0');
    await apt.addSuitePackage('fleet', 'fleetheld', '1.0');
    await apt.addSuitePackage('fleet-security', 'fleetabsent', '1.0');
    await apt.install('fleetdemo', 'fleetdemo-sec', 'fleetkeep', 'fleetreject', 'fleetheld');
    await apt.addSuitePackage('fleet', 'fleetdemo', '1.0.1', { section: 'utils' });
    await apt.addSuitePackage('fleet-security', 'fleetdemo-sec', '2.0.1', { priority: 'important', section: 'net', rebootRequired: true });
    await apt.addSuitePackage('fleet-security', 'fleetreject', '1.1');
    await apt.addSuitePackage('fleet-security', 'fleetheld', '1.1');
    await apt.hold('fleetheld');
    await apt.update();
    const provider = createAptProvider({ env: apt.env, dpkgRoot: apt.root, dpkgOptions: ['--force-script-chrootless'], rebootRequiredFile: apt.rebootRequiredFile, lockTimeoutSeconds: 0 });
    return { apt, provider };
  }

  it('Scan reports exactly the upgradable packages with their classification, and changes nothing', async () => {
    const { apt, provider } = await sandboxWithUpdates('scan');
    const statusBefore = await fs.readFile(path.join(apt.adminDir, 'status'), 'utf8');
    const commands: RecordedCommand[] = [];
    assert.equal(await provider.detect(realPatchContext()), true);
    const result = await provider.scan(realPatchContext(commands), debianBaseline({ rejectedPatches: ['fleetreject'], approvedPatches: ['fleetabsent'] }));

    // What apt itself calls upgradable (held packages are kept back by apt, so they are added by name).
    const { stdout } = await exec('apt', ['list', '--upgradable'], { env: { ...process.env, ...apt.env } });
    const upgradable = stdout.split('\n').filter((line) => line.includes('[upgradable from')).map((line) => line.split('/')[0]);
    assert.deepEqual([...upgradable].sort(), ['fleetdemo', 'fleetdemo-sec', 'fleetheld', 'fleetreject']);

    const patches = byName(result);
    assert.deepEqual([...patches.keys()].sort(), ['fleetabsent', 'fleetdemo', 'fleetdemo-sec', 'fleetheld', 'fleetkeep', 'fleetreject']);
    assert.equal(patches.get('fleetabsent')?.State, 'NOT_APPLICABLE', 'approved, but not installed');
    assert.deepEqual(patches.get('fleetdemo-sec'), { Title: 'fleetdemo-sec 2.0.1', KBId: 'fleetdemo-sec', Classification: 'Security', Severity: 'Important', State: 'MISSING', ComplianceLevel: 'UNSPECIFIED', Version: '2.0.1' });
    assert.deepEqual(patches.get('fleetdemo'), { Title: 'fleetdemo 1.0.0', KBId: 'fleetdemo', Classification: 'Other', Severity: 'Optional', State: 'INSTALLED_OTHER', Version: '1.0.0' });
    assert.equal(patches.get('fleetheld')?.State, 'MISSING', 'a held package with an approved security update is still missing it');
    assert.equal(patches.get('fleetheld')?.Classification, 'Security');
    assert.equal(patches.get('fleetreject')?.State, 'INSTALLED_OTHER', 'rejected under ALLOW_AS_DEPENDENCY');
    assert.equal(patches.get('fleetkeep')?.State, 'INSTALLED_OTHER', 'up to date, from no security suite');
    assert.equal(result.rebootRequired, false);
    assert.deepEqual(result.failures, []);

    assert.equal(await fs.readFile(path.join(apt.adminDir, 'status'), 'utf8'), statusBefore, 'dpkg status unchanged');
    const ran = commands.map((c) => `${c.command} ${c.args.find((a) => /^[a-z]+$/.test(a)) ?? ''}`.trim());
    assert.deepEqual([...new Set(ran)].sort(), ['apt-cache policy', 'apt-get update', 'dpkg-query'], `a scan runs only read-only commands: ${ran.join(', ')}`);
  });

  it('Install under a security-only baseline upgrades only the security package; rejected and held packages stay; the reboot is detected', async () => {
    const { apt, provider } = await sandboxWithUpdates('install');
    const result = await provider.install(realPatchContext(), debianBaseline({ rejectedPatches: ['fleetreject'], rejectedPatchesAction: 'BLOCK' }), {});
    assert.equal(await apt.installedVersion('fleetdemo-sec'), '2.0.1');
    assert.equal(await apt.installedVersion('fleetdemo'), '1.0.0', 'the non-security update is not approved');
    assert.equal(await apt.installedVersion('fleetreject'), '1.0', 'the rejected package stays');
    assert.equal(await apt.installedVersion('fleetheld'), '1.0', 'the held package stays');

    const patches = byName(result);
    assert.equal(patches.get('fleetdemo-sec')?.State, 'INSTALLED_PENDING_REBOOT');
    assert.equal(patches.get('fleetdemo-sec')?.Version, '2.0.1');
    assert.equal(patches.get('fleetreject')?.State, 'INSTALLED_REJECTED', 'installed before it was rejected, under BLOCK');
    assert.equal(patches.get('fleetheld')?.State, 'FAILED');
    assert.equal(patches.get('fleetdemo')?.State, 'INSTALLED_OTHER');
    assert.equal(result.rebootRequired, true);
    assert.deepEqual(result.failures.map((f) => f.patch), ['fleetheld']);
    assert.match(result.failures[0]!.message, /held/);

    // A later scan (no reboot yet) still reports the pending reboot; after the reboot flag is gone, INSTALLED.
    const rescan = await provider.scan(realPatchContext(), debianBaseline({ rejectedPatches: ['fleetreject'], rejectedPatchesAction: 'BLOCK' }));
    assert.equal(byName(rescan).get('fleetdemo-sec')?.State, 'INSTALLED_PENDING_REBOOT');
    await fs.rm(apt.rebootRequiredFile);
    const afterReboot = await provider.scan(realPatchContext(), debianBaseline());
    assert.equal(byName(afterReboot).get('fleetdemo-sec')?.State, 'INSTALLED');
    assert.equal(afterReboot.rebootRequired, false);
  });

  it('InstallOverrideList installs the packages it names, approved or not, and nothing else', async () => {
    const { apt, provider } = await sandboxWithUpdates('override');
    const result = await provider.install(realPatchContext(), debianBaseline(), { installOverrideList: ['fleetdemo'] });
    assert.equal(await apt.installedVersion('fleetdemo'), '1.0.1');
    assert.equal(await apt.installedVersion('fleetdemo-sec'), '2.0.0', 'approved, but not in the list');
    assert.equal(byName(result).get('fleetdemo-sec')?.State, 'MISSING');
    assert.equal(byName(result).get('fleetdemo')?.Version, '1.0.1');
    assert.deepEqual(result.failures, []);
  });

  it('BLOCK keeps back an update that needs a rejected package; ALLOW_AS_DEPENDENCY installs both', async () => {
    for (const action of ['BLOCK', 'ALLOW_AS_DEPENDENCY'] as const) {
      const apt = await AptSandbox.create(path.join(work, `dependency-${action}`));
      await apt.addSuitePackage('fleet', 'fleetapp', '1.0');
      await apt.addSuitePackage('fleet', 'fleetlib', '1.0');
      await apt.install('fleetapp', 'fleetlib');
      await apt.addSuitePackage('fleet', 'fleetlib', '1.1');
      await apt.addSuitePackage('fleet-security', 'fleetapp', '1.1', { depends: 'fleetlib (>= 1.1)' });
      await apt.update();
      const provider = createAptProvider({ env: apt.env, dpkgRoot: apt.root, dpkgOptions: ['--force-script-chrootless'], rebootRequiredFile: apt.rebootRequiredFile, lockTimeoutSeconds: 0 });
      const result = await provider.install(realPatchContext(), debianBaseline({ rejectedPatches: ['fleetlib'], rejectedPatchesAction: action }), {});
      const patches = byName(result);
      if (action === 'BLOCK') {
        assert.equal(await apt.installedVersion('fleetapp'), '1.0');
        assert.equal(await apt.installedVersion('fleetlib'), '1.0');
        assert.equal(patches.get('fleetapp')?.State, 'FAILED');
        assert.match(result.failures.find((f) => f.patch === 'fleetapp')?.message ?? '', /rejected package fleetlib/);
      } else {
        assert.equal(await apt.installedVersion('fleetapp'), '1.1');
        assert.equal(await apt.installedVersion('fleetlib'), '1.1', 'installed as a dependency');
        assert.equal(patches.get('fleetapp')?.State, 'INSTALLED');
        assert.equal(patches.get('fleetlib')?.State, 'INSTALLED_OTHER');
      }
    }
  });

  it('a package whose install fails is FAILED and named; the others are installed; dpkg --configure -a is attempted', async () => {
    const apt = await AptSandbox.create(path.join(work, 'failing'));
    await apt.addSuitePackage('fleet', 'fleetbad', '1.0');
    await apt.addSuitePackage('fleet', 'fleetgood', '1.0');
    await apt.install('fleetbad', 'fleetgood');
    await apt.addSuitePackage('fleet-security', 'fleetbad', '1.1', { failsToConfigure: true });
    await apt.addSuitePackage('fleet-security', 'fleetgood', '1.1');
    await apt.update();
    const provider = createAptProvider({ env: apt.env, dpkgRoot: apt.root, dpkgOptions: ['--force-script-chrootless'], rebootRequiredFile: apt.rebootRequiredFile, lockTimeoutSeconds: 0 });
    const commands: RecordedCommand[] = [];
    const result = await provider.install(realPatchContext(commands), debianBaseline(), {});
    assert.equal(await apt.installedVersion('fleetgood'), '1.1');
    assert.match(await apt.status('fleetbad'), /^iF/, 'dpkg left it half-configured, as it does');
    const patches = byName(result);
    assert.equal(patches.get('fleetbad')?.State, 'FAILED');
    assert.equal(patches.get('fleetgood')?.State, 'INSTALLED');
    assert.deepEqual(result.failures.map((f) => f.patch), ['fleetbad']);
    assert.match(result.failures[0]!.message, /post-installation script|returned error exit status|error processing/);
    assert.ok(commands.some((c) => c.command === 'dpkg' && c.args.includes('--configure') && c.args.includes('-a')), 'recovery attempted');
    // A later scan still reports the broken package as FAILED.
    assert.equal(byName(await provider.scan(realPatchContext(), debianBaseline())).get('fleetbad')?.State, 'FAILED');
  });

  it('a locked dpkg fails every selected patch with the reason, and the host is left as it was', async function () {
    const { apt, provider } = await sandboxWithUpdates('locked');
    let holder: ChildProcess | undefined;
    try {
      // apt takes dpkg's frontend lock with fcntl(); hold it the same way from another process.
      const lockFile = path.join(apt.adminDir, 'lock-frontend');
      holder = spawn('python3', ['-c', `import fcntl,sys,time\nf=open(${JSON.stringify(lockFile)},'a')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(120)`], { stdio: ['ignore', 'pipe', 'inherit'] });
      const ready = await new Promise<boolean>((resolve) => {
        holder!.stdout!.once('data', () => resolve(true));
        holder!.once('exit', () => resolve(false));
      });
      if (!ready) this.skip();
      const commands: RecordedCommand[] = [];
      const result = await provider.install(realPatchContext(commands), debianBaseline(), {});
      assert.equal(await apt.installedVersion('fleetdemo-sec'), '2.0.0');
      assert.equal(byName(result).get('fleetdemo-sec')?.State, 'FAILED');
      assert.match(result.failures.find((f) => f.patch === 'fleetdemo-sec')?.message ?? '', /locked by another process/);
      assert.ok(!commands.some((c) => c.command === 'dpkg'), 'no recovery while another process holds the lock');
    } finally {
      holder?.kill();
    }
  });
});
