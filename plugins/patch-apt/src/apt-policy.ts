/** What `apt-cache policy <packages>` says about one package. */
export interface AptPolicy {
  installed?: string;
  candidate?: string;
  /** Each version in the version table with the suites (`bookworm-security`, `jammy-updates`, ...) it comes from. */
  versions: Map<string, string[]>;
}

/**
 * Parses `apt-cache policy` for several packages. Blocks start with `name:` (or `name:arch:` for a foreign
 * architecture) at column 0; version lines are ` *** 1.2-3 500` / `     1.2-3 500`; source lines are
 * `        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages` (the dpkg status file
 * line, `100 /var/lib/dpkg/status`, names no suite).
 */
export function parseAptPolicy(stdout: string): Map<string, AptPolicy> {
  const policies = new Map<string, AptPolicy>();
  let current: AptPolicy | undefined;
  let version: string | undefined;
  for (const line of stdout.split('\n')) {
    if (/^\S.*:$/.test(line)) {
      current = { versions: new Map() };
      policies.set(line.slice(0, -1), current);
      version = undefined;
      continue;
    }
    if (!current) continue;
    const field = /^ {2}(Installed|Candidate): (.+)$/.exec(line);
    if (field) {
      const value = field[2]!.trim();
      if (value !== '(none)') current[field[1] === 'Installed' ? 'installed' : 'candidate'] = value;
      continue;
    }
    const versionLine = /^ {1}(?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (versionLine) {
      version = versionLine[1]!;
      current.versions.set(version, []);
      continue;
    }
    const source = /^ {8}-?\d+ (\S+) (\S+)(?: \S+)? Packages$/.exec(line);
    if (source && version) {
      // `bookworm-security/main` names suite and component; a flat repository says `./`.
      const suite = source[2]!.replace(/\/.*$/, '');
      current.versions.get(version)!.push(suite || source[2]!);
    }
  }
  return policies;
}

/** A version from a `*-security` suite (Debian's bookworm-security, Ubuntu's jammy-security, ...) is a security update. */
export function isSecuritySuite(suite: string): boolean {
  return /-security$/.test(suite) || /-security\//.test(suite);
}
