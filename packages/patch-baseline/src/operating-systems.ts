import type { PatchOperatingSystem } from '@tender/plugin-api';
import { PatchBaselineError } from './errors.js';

/** How an operating system names, classifies and lists its patches; decides list formats and filter keys. */
export type PatchFamily = 'windows' | 'rpm' | 'apt' | 'suse' | 'macos';

export const PATCH_OPERATING_SYSTEMS: readonly PatchOperatingSystem[] = [
  'WINDOWS', 'AMAZON_LINUX', 'AMAZON_LINUX_2', 'AMAZON_LINUX_2022', 'AMAZON_LINUX_2023', 'UBUNTU', 'DEBIAN', 'RASPBIAN',
  'REDHAT_ENTERPRISE_LINUX', 'CENTOS', 'ORACLE_LINUX', 'ROCKY_LINUX', 'ALMA_LINUX', 'SUSE', 'MACOS',
];

const FAMILY: Record<PatchOperatingSystem, PatchFamily> = {
  WINDOWS: 'windows',
  AMAZON_LINUX: 'rpm', AMAZON_LINUX_2: 'rpm', AMAZON_LINUX_2022: 'rpm', AMAZON_LINUX_2023: 'rpm',
  REDHAT_ENTERPRISE_LINUX: 'rpm', CENTOS: 'rpm', ORACLE_LINUX: 'rpm', ROCKY_LINUX: 'rpm', ALMA_LINUX: 'rpm',
  UBUNTU: 'apt', DEBIAN: 'apt', RASPBIAN: 'apt',
  SUSE: 'suse',
  MACOS: 'macos',
};

export function isPatchOperatingSystem(value: unknown): value is PatchOperatingSystem {
  return typeof value === 'string' && (PATCH_OPERATING_SYSTEMS as readonly string[]).includes(value);
}

export function patchFamily(operatingSystem: PatchOperatingSystem): PatchFamily {
  const family = FAMILY[operatingSystem];
  if (!family) throw new PatchBaselineError(`Unsupported operating system: ${String(operatingSystem)}`, 'UnsupportedOperatingSystem');
  return family;
}

/** Linux families have release dates that cannot be trusted (apt repositories carry none): SSM refuses
 * ApproveAfterDays / ApproveUntilDate for Debian and Ubuntu, and approves their matching patches at once. */
export function supportsApprovalDates(operatingSystem: PatchOperatingSystem): boolean {
  return patchFamily(operatingSystem) !== 'apt';
}

/** The fields of /etc/os-release that matter here. */
export interface OsRelease {
  ID?: string;
  ID_LIKE?: string;
  VERSION_ID?: string;
}

/** Parses /etc/os-release text (KEY=value lines, optional quotes). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    fields[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

/** The baseline operating system of a Linux host, from its os-release; undefined when SSM has no such OS. */
export function operatingSystemFromOsRelease(release: OsRelease): PatchOperatingSystem | undefined {
  const id = (release.ID ?? '').toLowerCase();
  const version = release.VERSION_ID ?? '';
  switch (id) {
    case 'ubuntu': return 'UBUNTU';
    case 'debian': return 'DEBIAN';
    case 'raspbian': return 'RASPBIAN';
    case 'rhel': return 'REDHAT_ENTERPRISE_LINUX';
    case 'centos': return 'CENTOS';
    case 'ol': return 'ORACLE_LINUX';
    case 'rocky': return 'ROCKY_LINUX';
    case 'almalinux': return 'ALMA_LINUX';
    case 'sles': case 'sled': case 'opensuse-leap': return 'SUSE';
    case 'amzn':
      if (version === '2') return 'AMAZON_LINUX_2';
      if (version === '2023') return 'AMAZON_LINUX_2023';
      if (version === '2022') return 'AMAZON_LINUX_2022';
      return 'AMAZON_LINUX';
    default: {
      const like = (release.ID_LIKE ?? '').toLowerCase().split(/\s+/);
      if (like.includes('ubuntu')) return 'UBUNTU';
      if (like.includes('debian')) return 'DEBIAN';
      if (like.includes('rhel') || like.includes('fedora')) return 'REDHAT_ENTERPRISE_LINUX';
      return undefined;
    }
  }
}

/** SSM's PRODUCT value for a Linux host (`Ubuntu22.04`, `Debian12`, `RedhatEnterpriseLinux9.4`, `AmazonLinux2023`). */
export function productFromOsRelease(release: OsRelease): string | undefined {
  const os = operatingSystemFromOsRelease(release);
  const version = release.VERSION_ID ?? '';
  const prefix: Partial<Record<PatchOperatingSystem, string>> = {
    UBUNTU: 'Ubuntu', DEBIAN: 'Debian', RASPBIAN: 'Raspbian', REDHAT_ENTERPRISE_LINUX: 'RedhatEnterpriseLinux', CENTOS: 'CentOS',
    ORACLE_LINUX: 'OracleLinux', ROCKY_LINUX: 'RockyLinux', ALMA_LINUX: 'AlmaLinux', SUSE: 'SUSE', AMAZON_LINUX: 'AmazonLinux',
    AMAZON_LINUX_2: 'AmazonLinux', AMAZON_LINUX_2022: 'AmazonLinux', AMAZON_LINUX_2023: 'AmazonLinux',
  };
  if (!os || !prefix[os]) return undefined;
  return `${prefix[os]}${version}`;
}
