import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface RpmPackage {
  release?: string;
  epoch?: number;
  requires?: string;
}

export interface Advisory {
  id: string;
  /** updateinfo's type: security, bugfix, enhancement, newpackage. */
  type: string;
  severity?: string;
  /** `YYYY-MM-DD HH:MM:SS` (UTC), as updateinfo writes it. */
  issued: string;
  title?: string;
  cves?: string[];
  bugzillas?: string[];
  packages: Array<{ name: string; version: string; release?: string; epoch?: number }>;
}

/**
 * A local rpm repository with updateinfo advisories and an isolated root to install into with the real dnf
 * (`--installroot`): the host is never touched. Packages are built with rpmbuild (noarch, one file each),
 * indexed with createrepo_c, and advisories added with modifyrepo_c, as ../shared/recipes/dnf.sh does.
 */
export class DnfSandbox {
  readonly root: string;
  readonly repo: string;
  private readonly advisories: Advisory[] = [];

  private constructor(readonly dir: string) {
    this.root = path.join(dir, 'root');
    this.repo = path.join(dir, 'repo');
  }

  static async available(): Promise<boolean> {
    for (const tool of ['dnf', 'rpmbuild', 'createrepo_c', 'modifyrepo_c', 'rpm']) {
      try {
        await exec('sh', ['-c', `command -v ${tool}`]);
      } catch {
        return false;
      }
    }
    return true;
  }

  static async create(dir: string): Promise<DnfSandbox> {
    const sandbox = new DnfSandbox(dir);
    for (const sub of ['repo', 'repos.d', 'home', 'root', 'build']) await fs.mkdir(path.join(dir, sub), { recursive: true });
    // Debian's rpm keeps its database under ~/.rpmdb unless told otherwise.
    await fs.writeFile(path.join(dir, 'home/.rpmmacros'), '%_dbpath /var/lib/rpm\n');
    await fs.writeFile(path.join(dir, 'repos.d/fleet.repo'), `[fleet]\nname=fleet\nbaseurl=file://${sandbox.repo}\ngpgcheck=0\nmetadata_expire=0\n`);
    await fs.writeFile(path.join(dir, 'dnf.conf'), '[main]\ngpgcheck=0\ninstall_weak_deps=0\n');
    await fs.writeFile(
      path.join(dir, 'demo.spec'),
      [
        'Name: %{pname}', 'Version: %{ver}', 'Release: %{rel}', '%{?ep:Epoch: %{ep}}', 'Summary: %{pname}, a patch test package', 'License: MIT', 'BuildArch: noarch',
        '%{?req:Requires: %{req}}', '%description', '%{pname}, a patch test package', '%install',
        'mkdir -p %{buildroot}/usr/share/%{name}; echo %{version} > %{buildroot}/usr/share/%{name}/VERSION', '%files', '/usr/share/%{name}/VERSION', '',
      ].join('\n'),
    );
    return sandbox;
  }

  /** What dnf needs to work on the sandbox (HOME for Debian's rpm macros). */
  get env(): Record<string, string> {
    return { HOME: path.join(this.dir, 'home') };
  }

  /**
   * dnf's options for the sandbox: its config, repositories and installroot. dnf-plugins-core's `local` plugin
   * (enabled by Debian's package) would copy every installed package into a repository on the host: it is off.
   */
  get dnfOptions(): string[] {
    return ['-c', path.join(this.dir, 'dnf.conf'), `--installroot=${this.root}`, '--releasever=1', `--setopt=reposdir=${path.join(this.dir, 'repos.d')}`, '--disableplugin=local'];
  }

  /** Builds `<name>-<version>-<release>.noarch.rpm` into the repository and re-indexes it (keeping advisories). */
  async addPackage(name: string, version: string, options: RpmPackage = {}): Promise<void> {
    const defines = ['--define', `_topdir ${path.join(this.dir, 'build')}`, '--define', `pname ${name}`, '--define', `ver ${version}`, '--define', `rel ${options.release ?? '1'}`];
    if (options.epoch !== undefined) defines.push('--define', `ep ${options.epoch}`);
    if (options.requires) defines.push('--define', `req ${options.requires}`);
    await exec('rpmbuild', ['-bb', '--quiet', ...defines, path.join(this.dir, 'demo.spec')], { env: { ...process.env, ...this.env } });
    const file = `${name}-${version}-${options.release ?? '1'}.noarch.rpm`;
    await fs.copyFile(path.join(this.dir, 'build/RPMS/noarch', file), path.join(this.repo, file));
    await this.index();
  }

  /** Adds an updateinfo advisory and re-indexes. */
  async addAdvisory(advisory: Advisory): Promise<void> {
    this.advisories.push(advisory);
    await this.index();
  }

  private async index(): Promise<void> {
    await exec('createrepo_c', ['-q', this.repo]);
    if (this.advisories.length === 0) return;
    const file = path.join(this.dir, 'updateinfo.xml');
    await fs.writeFile(file, updateinfoXml(this.advisories));
    await exec('modifyrepo_c', ['--mdtype=updateinfo', file, path.join(this.repo, 'repodata')]);
  }

  /** `dnf install -y <names>` into the isolated root. */
  async install(...names: string[]): Promise<void> {
    await exec('dnf', ['-y', '-q', ...this.dnfOptions, 'install', ...names], { env: { ...process.env, ...this.env } });
  }

  /** Names packages that need a reboot once updated, beside the kernel and glibc (needs-restarting's own list). */
  async rebootAfter(...names: string[]): Promise<void> {
    const dir = path.join(this.root, 'etc/dnf/plugins/needs-restarting.d');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'fleet.conf'), `${names.join('\n')}\n`);
  }

  /** Every installed package of the root as `name-epoch:version-release` lines, sorted. */
  async installedPackages(): Promise<string> {
    const { stdout } = await exec('rpm', [`--root=${this.root}`, '-qa', '--qf', '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE} %{INSTALLTIME}\n'], { env: { ...process.env, ...this.env } });
    return stdout.split('\n').filter(Boolean).sort().join('\n');
  }

  /** The installed `[epoch:]version-release` of a package in the root, or undefined. */
  async installedVersion(name: string): Promise<string | undefined> {
    try {
      const { stdout } = await exec('rpm', [`--root=${this.root}`, '-q', '--qf', '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}', name], { env: { ...process.env, ...this.env } });
      return stdout.trim();
    } catch {
      return undefined;
    }
  }
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function updateinfoXml(advisories: Advisory[]): string {
  const updates = advisories.map((advisory) => {
    const references = [
      ...(advisory.cves ?? []).map((cve) => `<reference href="https://example.com/${cve}" id="${cve}" type="cve" title="${cve}"/>`),
      ...(advisory.bugzillas ?? []).map((bug) => `<reference href="https://bugzilla.example.com/${bug}" id="${bug}" type="bugzilla" title="bug ${bug}"/>`),
    ].join('');
    const packages = advisory.packages
      .map((p) => `<package name="${p.name}" version="${p.version}" release="${p.release ?? '1'}" epoch="${p.epoch ?? 0}" arch="noarch"><filename>${p.name}-${p.version}-${p.release ?? '1'}.noarch.rpm</filename></package>`)
      .join('');
    return ` <update from="fleet@example.com" status="stable" type="${advisory.type}" version="1">
  <id>${escape(advisory.id)}</id><title>${escape(advisory.title ?? `${advisory.id} update`)}</title>
  <severity>${escape(advisory.severity ?? 'None')}</severity><issued date="${advisory.issued}"/><updated date="${advisory.issued}"/>
  <description>${escape(advisory.title ?? advisory.id)}</description>
  <references>${references}</references>
  <pkglist><collection short="fleet"><name>fleet</name>${packages}</collection></pkglist>
 </update>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n${updates.join('\n')}\n</updates>\n`;
}
