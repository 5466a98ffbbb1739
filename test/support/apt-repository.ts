import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A local apt repository and an isolated root to install its packages into, with the real apt-get and dpkg: the
 * host's own package database is never touched. Packages are built with dpkg-deb, indexed with
 * dpkg-scanpackages into a flat repository (Packages plus a Release listing its SHA-256), and installed with
 * `apt-get install` under an APT_CONFIG that points dpkg at `<root>` (--root, scripts run chrootless).
 *
 * For patching, packages can also go into named suites (`addSuitePackage`): a Debian-style repository with
 * `dists/<suite>/main/binary-<arch>/Packages` and a Release per suite, so apt reports each version's suite (a
 * `*-security` suite makes a security update), with priority, section, dependencies, a postinst that asks for a
 * reboot (`<root>/run/reboot-required`, as Debian's update-notifier does) or one that fails.
 */
export interface SuitePackage {
  priority?: string;
  section?: string;
  depends?: string;
  /** The postinst touches `$DPKG_ROOT/run/reboot-required` and names the package in reboot-required.pkgs. */
  rebootRequired?: boolean;
  /** The postinst exits 1 on configure: dpkg leaves the package unconfigured (half-configured). */
  failsToConfigure?: boolean;
}
export class AptSandbox {
  readonly root: string;
  readonly repo: string;
  private readonly aptConfig: string;

  private constructor(readonly dir: string) {
    this.root = path.join(dir, 'root');
    this.repo = path.join(dir, 'repo');
    this.aptConfig = path.join(dir, 'apt.conf');
  }

  /** dpkg's database of the isolated root: what `dpkg-query --admindir` (and TENDER_INVENTORY_DPKG_ADMINDIR) reads. */
  get adminDir(): string {
    return path.join(this.root, 'var/lib/dpkg');
  }

  static async available(): Promise<boolean> {
    for (const tool of ['apt-get', 'dpkg-deb', 'dpkg-scanpackages', 'dpkg-query']) {
      try {
        await exec('sh', ['-c', `command -v ${tool}`]);
      } catch {
        return false;
      }
    }
    return true;
  }

  static async create(dir: string): Promise<AptSandbox> {
    const sandbox = new AptSandbox(dir);
    for (const sub of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'var/lib/apt']) await fs.mkdir(path.join(sandbox.root, sub), { recursive: true });
    await fs.writeFile(path.join(sandbox.adminDir, 'status'), '');
    for (const sub of ['repo', 'lists/partial', 'cache/archives/partial', 'apt.conf.d']) await fs.mkdir(path.join(dir, sub), { recursive: true });
    // Sources are listed as packages are added: a flat repository (addPackage) and one line per suite.
    await fs.writeFile(path.join(dir, 'sources.list'), '');
    await fs.writeFile(
      sandbox.aptConfig,
      [
        `Dir::Etc::sourcelist "${dir}/sources.list";`,
        'Dir::Etc::sourceparts "-";',
        `Dir::Etc::parts "${dir}/apt.conf.d";`,
        `Dir::State::Lists "${dir}/lists";`,
        `Dir::Cache "${dir}/cache";`,
        `Dir::State::status "${sandbox.adminDir}/status";`,
        `Dir::State::extended_states "${sandbox.root}/var/lib/apt/extended_states";`,
        'APT::Sandbox::User "root";',
        `DPkg::Options { "--root=${sandbox.root}"; "--force-script-chrootless"; };`,
        '',
      ].join('\n'),
    );
    return sandbox;
  }

  /** Builds `<name>_<version>_all.deb` into the repository and re-indexes it. */
  async addPackage(name: string, version: string, description = `${name}, a test package`): Promise<void> {
    const build = path.join(this.dir, 'build', `${name}_${version}`);
    await fs.mkdir(path.join(build, 'DEBIAN'), { recursive: true });
    await fs.mkdir(path.join(build, 'usr/share', name), { recursive: true });
    await fs.writeFile(path.join(build, 'usr/share', name, 'VERSION'), `${version}\n`);
    await fs.writeFile(path.join(build, 'DEBIAN/control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Fleet Test <fleet@example.com>\nPriority: optional\nSection: admin\nHomepage: https://example.com/${name}\nDescription: ${description}\n`);
    // dpkg-deb insists on 0755 for DEBIAN/, whatever umask the test process runs under (other suites set 077).
    for (const dir of ['', 'DEBIAN', 'usr', 'usr/share', `usr/share/${name}`]) await fs.chmod(path.join(build, dir), 0o755);
    for (const file of ['DEBIAN/control', `usr/share/${name}/VERSION`]) await fs.chmod(path.join(build, file), 0o644);
    await exec('dpkg-deb', ['--root-owner-group', '-Zgzip', '-b', build, this.repo]);
    const { stdout } = await exec('dpkg-scanpackages', ['-m', '.', '/dev/null'], { cwd: this.repo });
    await fs.writeFile(path.join(this.repo, 'Packages'), stdout);
    const hash = createHash('sha256').update(stdout).digest('hex');
    await fs.writeFile(path.join(this.repo, 'Release'), `Origin: Fleet\nLabel: Fleet\nSuite: fleet\nCodename: fleet\nDate: ${new Date().toUTCString()}\nSHA256:\n ${hash} ${Buffer.byteLength(stdout)} Packages\n`);
    await this.listSource(`deb [trusted=yes] file:${this.repo} ./\n`);
  }

  /** `apt-get update` then `apt-get install -y <names>` into the isolated root. */
  async install(...names: string[]): Promise<void> {
    await exec('apt-get', ['-qq', 'update'], { env: { ...process.env, ...this.env } });
    await exec('apt-get', ['-qq', '-y', 'install', ...names], { env: { ...process.env, ...this.env } });
  }

  /** What apt-get and apt-cache need to work on the sandbox instead of the host. */
  get env(): Record<string, string> {
    return { APT_CONFIG: this.aptConfig, DEBIAN_FRONTEND: 'noninteractive' };
  }

  /** The file a package's postinst creates when it needs a reboot (Debian's /var/run/reboot-required). */
  get rebootRequiredFile(): string {
    return path.join(this.root, 'run/reboot-required');
  }

  /** `apt-get update` alone (after packages were added). */
  async update(): Promise<void> {
    await exec('apt-get', ['-qq', 'update'], { env: { ...process.env, ...this.env } });
  }

  /** The installed version of a package in the isolated root, or undefined. */
  async installedVersion(name: string): Promise<string | undefined> {
    try {
      const { stdout } = await exec('dpkg-query', [`--admindir=${this.adminDir}`, '-W', '-f', '${db:Status-Abbrev}|${Version}', name]);
      const [status, version] = stdout.split('|');
      return status?.startsWith('ii') || status?.startsWith('hi') ? version : undefined;
    } catch {
      return undefined;
    }
  }

  /** The dpkg status letters (`ii `, `iF `, `hi `, ...) of a package in the isolated root. */
  async status(name: string): Promise<string> {
    const { stdout } = await exec('dpkg-query', [`--admindir=${this.adminDir}`, '-W', '-f', '${db:Status-Abbrev}', name]);
    return stdout;
  }

  /** `apt-mark hold` in the isolated root (dpkg's selection `hold`). */
  async hold(name: string): Promise<void> {
    await exec('sh', ['-c', `echo "${name} hold" | dpkg --admindir="${this.adminDir}" --set-selections`]);
  }

  /** Builds `<name>_<version>_all.deb` into the suite (a `*-security` suite for security updates) and re-indexes it. */
  async addSuitePackage(suite: string, name: string, version: string, options: SuitePackage = {}): Promise<void> {
    const suites = path.join(this.dir, 'suites');
    const build = path.join(this.dir, 'build', `${suite}_${name}_${version}`);
    await fs.mkdir(path.join(build, 'DEBIAN'), { recursive: true });
    await fs.mkdir(path.join(build, 'usr/share', name), { recursive: true });
    await fs.writeFile(path.join(build, 'usr/share', name, 'VERSION'), `${version}\n`);
    const depends = options.depends ? `Depends: ${options.depends}\n` : '';
    await fs.writeFile(path.join(build, 'DEBIAN/control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Fleet Test <fleet@example.com>\n${depends}Priority: ${options.priority ?? 'optional'}\nSection: ${options.section ?? 'admin'}\nDescription: ${name}, a patch test package\n`);
    const postinst = [
      '#!/bin/sh',
      options.rebootRequired ? `[ "$1" = configure ] && touch "$DPKG_ROOT/run/reboot-required" && echo ${name} >> "$DPKG_ROOT/run/reboot-required.pkgs"` : '',
      options.failsToConfigure ? `[ "$1" = configure ] && echo "${name}: configure failed" >&2 && exit 1` : '',
      'exit 0',
      '',
    ].join('\n');
    await fs.writeFile(path.join(build, 'DEBIAN/postinst'), postinst);
    for (const dir of ['', 'DEBIAN', 'usr', 'usr/share', `usr/share/${name}`]) await fs.chmod(path.join(build, dir), 0o755);
    for (const file of ['DEBIAN/control', `usr/share/${name}/VERSION`]) await fs.chmod(path.join(build, file), 0o644);
    await fs.chmod(path.join(build, 'DEBIAN/postinst'), 0o755);
    await fs.mkdir(path.join(this.root, 'run'), { recursive: true });
    const pool = path.join(suites, 'pool', suite);
    await fs.mkdir(pool, { recursive: true });
    await exec('dpkg-deb', ['--root-owner-group', '-Zgzip', '-b', build, pool]);
    await this.indexSuite(suite);
  }

  private async indexSuite(suite: string): Promise<void> {
    const suites = path.join(this.dir, 'suites');
    const { stdout: archOut } = await exec('dpkg', ['--print-architecture']);
    const arch = archOut.trim();
    const { stdout } = await exec('dpkg-scanpackages', ['-m', `pool/${suite}`, '/dev/null'], { cwd: suites });
    const binary = path.join(suites, 'dists', suite, 'main', `binary-${arch}`);
    await fs.mkdir(binary, { recursive: true });
    await fs.writeFile(path.join(binary, 'Packages'), stdout);
    const hash = createHash('sha256').update(stdout).digest('hex');
    await fs.writeFile(
      path.join(suites, 'dists', suite, 'Release'),
      `Origin: Fleet\nLabel: Fleet\nSuite: ${suite}\nCodename: ${suite}\nDate: ${new Date().toUTCString()}\nArchitectures: ${arch}\nComponents: main\nSHA256:\n ${hash} ${Buffer.byteLength(stdout)} main/binary-${arch}/Packages\n`,
    );
    await this.listSource(`deb [trusted=yes] file:${suites} ${suite} main\n`);
  }

  private async listSource(line: string): Promise<void> {
    const sources = path.join(this.dir, 'sources.list');
    if (!(await fs.readFile(sources, 'utf8')).includes(line)) await fs.appendFile(sources, line);
  }
}
