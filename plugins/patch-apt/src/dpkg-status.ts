/** One package of dpkg's database, from `dpkg-query -W -f` with DPKG_QUERY_FORMAT. */
export interface DpkgPackage {
  name: string;
  arch: string;
  version: string;
  /** dpkg's three status letters: want (`i`nstall, `h`old, ...), state (`i`nstalled, `U`npacked, `F` half-configured, ...), error flag. */
  status: string;
  priority: string;
  section: string;
}

export const DPKG_QUERY_FORMAT = '${Package}\\t${Architecture}\\t${Version}\\t${db:Status-Abbrev}\\t${Priority}\\t${Section}\\n';

export function parseDpkgQuery(stdout: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [name, arch, version, status, priority, section] = line.split('\t');
    if (!name || !version || !status) continue;
    packages.push({ name, arch: arch ?? '', version, status, priority: priority ?? '', section: section ?? '' });
  }
  return packages;
}

/** Installed and configured (`ii`, or `hi` for a held package). */
export function isInstalled(pkg: DpkgPackage): boolean {
  return pkg.status[1] === 'i';
}

/** Unpacked but not configured, half-configured, half-installed, or awaiting triggers: an install that did not finish. */
export function isBroken(pkg: DpkgPackage): boolean {
  return 'UFHW'.includes(pkg.status[1] ?? '') || (pkg.status[2] ?? ' ') === 'R';
}

/** dpkg's selection is `hold` (apt-mark hold): apt will not upgrade it. */
export function isHeld(pkg: DpkgPackage): boolean {
  return pkg.status[0] === 'h';
}
