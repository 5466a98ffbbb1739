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
 */
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
    await fs.writeFile(path.join(dir, 'sources.list'), `deb [trusted=yes] file:${sandbox.repo} ./\n`);
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
  }

  /** `apt-get update` then `apt-get install -y <names>` into the isolated root. */
  async install(...names: string[]): Promise<void> {
    const env = { ...process.env, APT_CONFIG: this.aptConfig, DEBIAN_FRONTEND: 'noninteractive' };
    await exec('apt-get', ['-qq', 'update'], { env });
    await exec('apt-get', ['-qq', '-y', 'install', ...names], { env });
  }
}
