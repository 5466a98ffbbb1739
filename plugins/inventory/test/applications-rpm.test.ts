import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRpmQuery, rpmQueryArgs } from '../src/gatherers/applications/rpm.js';

function installed(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The rpm gatherer against a real rpm database: packages built with rpmbuild and installed with `rpm --root` into a
 * scratch root (`.ci/run` installs Debian's rpm package, which has both). The query is the gatherer's own.
 */
describe('inventory: AWS:Application from a real rpm database', function () {
  this.timeout(120_000);
  let work = '';
  let env: NodeJS.ProcessEnv = {};
  const root = () => path.join(work, 'root');
  // stderr is kept from the test output: Debian's rpm warns on every install that alien is the Debian way.
  const rpm = (args: string[]) => execFileSync('rpm', ['--root', root(), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  before(function () {
    if (!installed('rpm') || !installed('rpmbuild')) {
      console.log('      (rpm and rpmbuild are not installed: skipping; .ci/run installs them)');
      this.skip();
    }
    work = mkdtempSync(path.join(os.tmpdir(), 'tender-rpm-'));
    const home = path.join(work, 'home');
    mkdirSync(home);
    // Debian's rpm keeps its database under ~/.rpmdb unless told otherwise; inside --root it belongs in /var/lib/rpm.
    writeFileSync(path.join(home, '.rpmmacros'), '%_dbpath /var/lib/rpm\n');
    env = { ...process.env, HOME: home };
    writeFileSync(
      path.join(work, 'demo.spec'),
      [
        'Name: %{pname}',
        'Version: %{ver}',
        'Release: 3.fleet',
        '%{?epochnum:Epoch: %{epochnum}}',
        'Summary: %{pname} for the Tender inventory test',
        'Vendor: Tender Test Vendor',
        'URL: https://example.com/%{pname}',
        'License: MIT',
        'BuildArch: noarch',
        '%description',
        'A package of the inventory test.',
        'Second line of the description.',
        '%install',
        'mkdir -p %{buildroot}/usr/share/%{name}; echo %{version} > %{buildroot}/usr/share/%{name}/VERSION',
        '%files',
        '/usr/share/%{name}/VERSION',
        '',
      ].join('\n'),
    );
    const build = (name: string, version: string, epoch?: string) =>
      execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${work}/build`, '--define', `pname ${name}`, '--define', `ver ${version}`, ...(epoch ? ['--define', `epochnum ${epoch}`] : []), path.join(work, 'demo.spec')], { env, stdio: 'ignore' });
    build('fleetdemo', '1.0.10');
    build('fleetdemo-sec', '2.0.1', '2');
    const rpmsDir = path.join(work, 'build', 'RPMS', 'noarch');
    mkdirSync(root());
    rpm(['--initdb']);
    rpm(['-i', '--nodeps', '--noscripts', ...readdirSync(rpmsDir).map((file) => path.join(rpmsDir, file))]);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('parses what rpm -qa prints with the gatherer\'s query into SSM\'s fields, equal to rpm\'s own view', () => {
    const rows = parseRpmQuery(rpm(rpmQueryArgs()));
    const ownView = rpm(['-qa', '--queryformat', '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{EPOCH}\t%{ARCH}\n'])
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([name, version, release, epoch, arch]) => [name, version, release, epoch === '(none)' ? undefined : epoch, arch])
      .sort();
    assert.deepEqual(rows.map((row) => [row.Name, row.Version, row.Release, row.Epoch, row.Architecture]).sort(), ownView);

    const sec = rows.find((row) => row.Name === 'fleetdemo-sec')!;
    assert.equal(sec.Version, '2.0.1');
    assert.equal(sec.Release, '3.fleet');
    assert.equal(sec.Epoch, '2');
    assert.equal(sec.Publisher, 'Tender Test Vendor');
    assert.equal(sec.URL, 'https://example.com/fleetdemo-sec');
    assert.equal(sec.Summary, 'fleetdemo-sec for the Tender inventory test');
    assert.equal(sec.Architecture, 'noarch');
    assert.equal(sec.PackageId, 'fleetdemo-sec-2.0.1-3.fleet.src.rpm');
    const installedAt = Date.parse(String(sec.InstalledTime));
    assert.ok(Math.abs(installedAt - Date.now()) < 10 * 60_000, `InstalledTime ${sec.InstalledTime} is the install, just now`);
    assert.equal('Epoch' in rows.find((row) => row.Name === 'fleetdemo')!, false, 'no Epoch tag: the field is left out');
  });
});
