import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { REPO_ROOT } from '../support/processes.js';
import { buildPackages, INSTALL_SCRIPT, type BuiltPackages } from './agent-service-support.js';
import { freePort } from '../support/ports.js';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 16 << 20, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every path under dir with its type and mode: what "the host was left as it was" compares. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
      const child = path.join(rel, entry.name);
      const stat = await fs.lstat(path.join(dir, child));
      out.push(`${child}\t${stat.mode.toString(8)}\t${entry.isFile() ? stat.size : ''}`);
      if (entry.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out.sort();
}

/** The files and symbolic links of a .deb as absolute paths (folders left out). */
const debFiles = async (deb: string) =>
  (await run('dpkg-deb', ['-c', deb])).stdout.split('\n').filter((line) => /^[-l]/.test(line)).map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^\./, '').replace(/ -> .*$/, ''));

describe('agent service: packages and install.sh', function () {
  this.timeout(60_000);
  let packages: BuiltPackages;

  before(async function () {
    this.timeout(600_000);
    if (process.platform !== 'linux' || !has('dpkg-deb') || !has('rpmbuild')) {
      process.stdout.write('      skipped: building the packages needs dpkg-deb and rpmbuild (apt-get install dpkg rpm)\n');
      this.skip();
    }
    packages = await buildPackages();
  });

  describe('the packages', () => {
    it('the tarball\'s launcher runs the agent with this Node.js and refuses one that does not run', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-tar-'));
      try {
        await run('tar', ['-xzf', packages.tar, '-C', dir]);
        const launcher = path.join(dir, 'tender-agent/bin/tender-agent');
        const version = await run(launcher, ['--version']);
        assert.equal(version.code, 0, version.stderr);
        assert.match(version.stdout, /^@tender\/agent\/0\.1\.0 /);
        const help = await run(launcher, ['service', '--help']);
        for (const verb of ['install', 'uninstall', 'status', 'start', 'stop']) assert.match(help.stdout, new RegExp(`service ${verb}`));
        const bad = await run(launcher, ['--version'], { TENDER_AGENT_NODE: '/bin/false' });
        assert.equal(bad.code, 69);
        assert.match(bad.stderr, /tender-agent needs Node\.js 20\.19 or newer; \/bin\/false does not run/);
        // Production dependencies only: no TypeScript, mocha or eslint in the package.
        for (const dev of ['typescript', 'mocha', 'eslint']) await assert.rejects(fs.access(path.join(dir, 'tender-agent/lib/node_modules', dev)), dev);
        // The bundled plugins are there.
        for (const plugin of ['transport-mqtt', 'action-script', 'action-document', 'inventory']) await fs.access(path.join(dir, 'tender-agent/lib/node_modules/@tender', plugin, 'package.json'));
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    it('the .deb lays out /opt/tender-agent, /etc/tender-agent (conffile), /var/lib/tender-agent 0700 and the unit', async () => {
      const listing = (await run('dpkg-deb', ['-c', packages.deb])).stdout;
      assert.match(listing, /^drwx------ root\/root .* \.\/var\/lib\/tender-agent\/$/m);
      assert.match(listing, /^drwxr-xr-x root\/root .* \.\/var\/lib\/$/m, 'only the state dir is private');
      assert.match(listing, /^-rwxr-xr-x root\/root .* \.\/opt\/tender-agent\/bin\/tender-agent$/m);
      assert.match(listing, /\.\/lib\/systemd\/system\/tender-agent\.service$/m);
      assert.match(listing, /\.\/etc\/tender-agent\/agent\.env$/m);
      assert.match(listing, /\.\/usr\/bin\/tender-agent -> \.\.\/\.\.\/opt\/tender-agent\/bin\/tender-agent$/m);
      const conffiles = await run('sh', ['-c', `dpkg-deb --ctrl-tarfile "${packages.deb}" | tar -xOf - ./conffiles`]);
      assert.equal(conffiles.stdout, '/etc/tender-agent/agent.env\n');
      const control = (await run('dpkg-deb', ['-f', packages.deb])).stdout;
      assert.match(control, /^Recommends: nodejs \(>= 20\.19\)$/m);
    });

    it('the .rpm installs with rpm --root into a scratch root and lays out the same files as the .deb', async function () {
      if (!has('rpm')) this.skip();
      const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-rpm-root-'));
      try {
        // The scriptlets would need a whole OS inside the root (sh, node, systemctl): they are run separately below.
        const installed = await run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--nodeps', '--noscripts', packages.rpm]);
        assert.equal(installed.code, 0, installed.stderr);
        const query = await run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-q', 'tender-agent']);
        assert.equal(query.stdout.trim(), 'tender-agent-0.1.0-1.noarch');
        // The same files and links as the .deb (the unit in the RPM distributions' unit folder), nothing more.
        const onDisk = (await snapshot(root)).filter((line) => !/\t4\d{4}\t$/.test(line)).map((line) => `/${line.split('\t')[0]}`).filter((p) => !p.startsWith('/var/lib/rpm') && !p.startsWith('/usr/lib/sysimage'));
        const fromDeb = (await debFiles(packages.deb)).map((p) => p.replace(/^\/lib\/systemd/, '/usr/lib/systemd'));
        assert.ok(fromDeb.length > 1000, `${fromDeb.length} files`);
        assert.deepEqual(onDisk.filter((p) => !fromDeb.includes(p)), [], 'only in the .rpm');
        assert.deepEqual(fromDeb.filter((p) => !onDisk.includes(p)), [], 'only in the .deb');
        assert.equal(((await fs.stat(path.join(root, 'var/lib/tender-agent'))).mode & 0o777).toString(8), '700');
        await fs.access(path.join(root, 'usr/lib/systemd/system/tender-agent.service'));
        const launcher = await run(path.join(root, 'opt/tender-agent/bin/tender-agent'), ['--version']);
        assert.match(launcher.stdout, /^@tender\/agent\/0\.1\.0 /, 'the installed launcher runs');
      } finally {
        await fs.rm(root, { recursive: true, force: true });
      }
    });

    it('the .rpm\'s %pre refuses a host without a new enough Node.js', async function () {
      if (!has('rpm')) this.skip();
      const scripts = (await run('rpm', ['-qp', '--scripts', packages.rpm])).stdout;
      const pre = /preinstall scriptlet \(using \/bin\/sh\):\n([\s\S]*?)\n(?:postinstall|preuninstall) scriptlet/.exec(scripts)?.[1];
      assert.ok(pre, scripts);
      const good = await run('sh', ['-c', pre], { TENDER_AGENT_NODE: process.execPath });
      assert.equal(good.code, 0, good.stderr);
      const bad = await run('sh', ['-c', pre], { TENDER_AGENT_NODE: '/bin/false' });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /tender-agent: not installed\. Install Node\.js 20\.19\+ first/);
    });
  });

  describe('install/install.sh in a scratch root (TENDER_INSTALL_ROOT, tarball, no service manager)', () => {
    let cp: TestControlPlane;
    let root: string;
    let tmp: string;
    let oldNode: string;
    let clock = 0;
    const env = () => ({ TENDER_INSTALL_ROOT: root, TENDER_INSTALL_SKIP_SERVICE: '1', TENDER_ACTIVATION_ID: '', TENDER_ACTIVATION_CODE: '' });
    const install = (args: string[], extra: NodeJS.ProcessEnv = {}) => run('sh', [INSTALL_SCRIPT, ...args], { ...env(), ...extra });

    before(async () => {
      // The control plane's clock can be moved on, to expire an activation without waiting for it.
      cp = await startTestControlPlane({ heartbeatSeconds: 2, now: () => new Date(Date.now() + clock) });
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-install-'));
      root = path.join(tmp, 'root');
      await fs.mkdir(root);
      // A Node.js 18 as far as the check can tell: it answers `node -p process.versions.node` as one would.
      oldNode = path.join(tmp, 'node18');
      await fs.writeFile(oldNode, '#!/bin/sh\necho 18.19.1\n', { mode: 0o755 });
    });

    after(async () => {
      await cp?.stop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    /** Runs a bad install and checks it failed with the message, and changed nothing under the root. */
    async function refused(args: string[], message: RegExp, extra: NodeJS.ProcessEnv = {}, runner = install): Promise<Run> {
      const before = await snapshot(root);
      const result = await runner(args, extra);
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stderr, message);
      assert.deepEqual(await snapshot(root), before, 'the host is left as it was');
      return result;
    }

    it('bad input stops with a clear message and leaves the host as it was', async () => {
      const activation = await cp.createActivation({ limit: 1 });
      const good = ['--package', packages.tar, '--endpoint', cp.running.endpoint, '--activation-id', activation.id, '--activation-code', activation.code];
      await refused(good, /needs Node\.js 20\.19 or newer; .*node18 is 18\.19\.1/, { TENDER_AGENT_NODE: oldNode });
      await refused(good, /needs Node\.js 20\.19 or newer, and none was found/, { TENDER_AGENT_NODE: path.join(tmp, 'no-such-node') });
      await refused(['--package', packages.tar, '--endpoint', cp.running.endpoint], /--activation-id and --activation-code are required/);
      const closed = await freePort();
      await refused([...good.slice(0, 2), '--endpoint', `http://127.0.0.1:${closed}`, ...good.slice(4)], new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closed}: ECONNREFUSED[\\s\\S]*the control plane is unreachable`));
      await refused([...good.slice(0, 1), path.join(tmp, 'missing.tar.gz'), ...good.slice(2)], /no such file/);
      await refused(good, /only \d+ KB free on the file system of .*needs 999999999999 KB/, { TENDER_STATE_MIN_FREE_KB: '999999999999' });
      if (has('setpriv')) {
        // A copy nobody can read: the checkout may sit below a private folder (a CI clone in a mktemp -d, say).
        const shared = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-install-script-'));
        try {
          await fs.chmod(shared, 0o755);
          const script = path.join(shared, 'install.sh');
          await fs.copyFile(INSTALL_SCRIPT, script);
          await fs.chmod(script, 0o644);
          const asNobody = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
            run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', script, ...args], { ...env(), ...extra });
          await refused(good, /run this as root .*Nothing was changed/, {}, asNobody);
        } finally {
          await fs.rm(shared, { recursive: true, force: true });
        }
      }
      // An expired activation: registration fails, and the state dir it made is gone again.
      clock = 2 * 3_600_000;
      try {
        await refused(good, /registration failed[\s\S]*Nothing was changed/);
      } finally {
        clock = 0;
      }
    });

    it('a disk too full for the state dir (a real 1 MB file system) is refused before anything changes', async function () {
      const small = path.join(root, 'var/lib');
      await fs.mkdir(small, { recursive: true });
      if ((await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small])).code !== 0) this.skip();
      try {
        const activation = await cp.createActivation({ limit: 1 });
        await refused(['--package', packages.tar, '--endpoint', cp.running.endpoint, '--activation-id', activation.id, '--activation-code', activation.code], /only \d+ KB free on the file system of .*var\/lib\/tender-agent/);
      } finally {
        await run('umount', [small]);
        await fs.rm(path.join(root, 'var'), { recursive: true, force: true });
      }
    });

    it('installs and registers; a rerun with a newer tarball upgrades in place with the same identity; uninstall keeps state unless --purge', async () => {
      const activation = await cp.createActivation({ limit: 1, name: 'scratch' });
      const first = await install(['--package', packages.tar, '--endpoint', cp.running.endpoint, '--activation-id', activation.id, '--activation-code', activation.code, '--name', 'scratch-1']);
      assert.equal(first.code, 0, first.stderr);
      const instanceId = /registered as (mi-[0-9a-f]{17})/.exec(first.stdout)?.[1];
      assert.ok(instanceId, first.stdout);
      assert.match(first.stdout, /installed tender-agent 0\.1\.0 \(tar\) in .*\/opt\/tender-agent/);
      assert.equal((await cp.describe(instanceId))?.Name, 'scratch-1', 'the control plane knows it');
      const identity = path.join(root, 'var/lib/tender-agent/identity.json');
      assert.equal(((await fs.stat(identity)).mode & 0o777).toString(8), '600');
      assert.equal(((await fs.stat(path.join(root, 'var/lib/tender-agent'))).mode & 0o777).toString(8), '700');
      assert.equal(await fs.readlink(path.join(root, 'usr/local/bin/tender-agent')), path.join(root, 'opt/tender-agent/bin/tender-agent'));
      await fs.access(path.join(root, 'etc/tender-agent/agent.env'));
      const identityBefore = await fs.readFile(identity, 'utf8');

      await fs.appendFile(path.join(root, 'etc/tender-agent/agent.env'), 'TENDER_AGENT_LOG_LEVEL=debug\n');
      const upgrade = await install(['--package', packages.upgradeTar]);
      assert.equal(upgrade.code, 0, upgrade.stderr);
      assert.match(upgrade.stdout, new RegExp(`already registered as ${instanceId}: keeping that identity`));
      assert.equal((await fs.readFile(path.join(root, 'opt/tender-agent/VERSION'), 'utf8')).trim(), '0.1.1');
      assert.equal(await fs.readFile(identity, 'utf8'), identityBefore, 'identity and keys untouched');
      assert.match(await fs.readFile(path.join(root, 'etc/tender-agent/agent.env'), 'utf8'), /TENDER_AGENT_LOG_LEVEL=debug/, 'configuration kept');
      await assert.rejects(fs.access(path.join(root, 'opt/tender-agent.previous')), 'the previous tree is removed once the new one is in');

      const removed = await install(['--uninstall']);
      assert.equal(removed.code, 0, removed.stderr);
      await assert.rejects(fs.access(path.join(root, 'opt/tender-agent')));
      await assert.rejects(fs.lstat(path.join(root, 'usr/local/bin/tender-agent')));
      assert.equal(await fs.readFile(identity, 'utf8'), identityBefore, 'uninstall keeps the identity');
      const purged = await install(['--uninstall', '--purge']);
      assert.equal(purged.code, 0, purged.stderr);
      await assert.rejects(fs.access(path.join(root, 'var/lib/tender-agent')));
      await assert.rejects(fs.access(path.join(root, 'etc/tender-agent')));
    });
  });

  describe('the scripts themselves', () => {
    it('install.sh carries the same Node.js check as the packages (packaging/node-check.sh)', async () => {
      const shared = (await fs.readFile(path.join(REPO_ROOT, 'packaging/node-check.sh'), 'utf8')).replace('@MIN_NODE@', '20.19');
      const functions = (text: string) => /^tender_find_node\(\) \{[\s\S]*?^\}\n\n# Succeeds[\s\S]*?^tender_check_node\(\) \{[\s\S]*?^\}$/m.exec(text)?.[0];
      const script = await fs.readFile(INSTALL_SCRIPT, 'utf8');
      assert.ok(functions(shared));
      assert.equal(functions(script), functions(shared));
      assert.match(script, /^TENDER_MIN_NODE=20\.19$/m);
    });

    it('shellcheck finds nothing in install.sh, the launcher, node-check.sh and the .deb\'s maintainer scripts', async function () {
      if (!has('shellcheck')) this.skip();
      const files = ['install/install.sh', 'packaging/bin/tender-agent', 'packaging/node-check.sh', 'packaging/test/container-root.sh', 'packaging/deb/preinst', 'packaging/deb/postinst', 'packaging/deb/prerm', 'packaging/deb/postrm'];
      const result = await run('shellcheck', files.map((f) => path.join(REPO_ROOT, f)));
      assert.equal(`${result.stdout}${result.stderr}`, '');
    });
  });
});
