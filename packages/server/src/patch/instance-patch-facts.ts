/**
 * What Patch Manager reads off a managed instance: its patch group (the `Patch Group` or `PatchGroup` tag, as SSM)
 * and the operating system its baseline is chosen for, from the platform the agent reported (PlatformType,
 * PlatformName, PlatformVersion).
 */
import type { PatchOperatingSystem } from '@tender/plugin-api';
import type { InstanceRecord } from '../instances/instance-registry.js';

/** SSM reads either tag key; `Patch Group` first (the older, documented one). */
export const PATCH_GROUP_TAG_KEYS = ['Patch Group', 'PatchGroup'] as const;

export function patchGroupOf(record: Pick<InstanceRecord, 'Tags'>): string | undefined {
  for (const key of PATCH_GROUP_TAG_KEYS) {
    const tag = record.Tags.find((t) => t.Key === key);
    if (tag && tag.Value !== '') return tag.Value;
  }
  return undefined;
}

const BY_NAME: Array<[RegExp, PatchOperatingSystem]> = [
  [/^ubuntu/i, 'UBUNTU'],
  [/^raspbian/i, 'RASPBIAN'],
  [/^debian/i, 'DEBIAN'],
  [/^red hat/i, 'REDHAT_ENTERPRISE_LINUX'],
  [/^centos/i, 'CENTOS'],
  [/^oracle/i, 'ORACLE_LINUX'],
  [/^rocky/i, 'ROCKY_LINUX'],
  [/^alma/i, 'ALMA_LINUX'],
  [/^(sles|suse|opensuse)/i, 'SUSE'],
  // Fedora has no SSM baseline of its own; its dnf and advisories are RHEL's, as the dnf provider treats it.
  [/^fedora/i, 'REDHAT_ENTERPRISE_LINUX'],
];

/** The baseline operating system of an instance, or undefined when it has none SSM knows (or reported nothing yet). */
export function operatingSystemOf(record: Pick<InstanceRecord, 'info'>): PatchOperatingSystem | undefined {
  const info = record.info;
  if (!info) return undefined;
  if (info.PlatformType === 'Windows') return 'WINDOWS';
  if (info.PlatformType === 'MacOS') return 'MACOS';
  const name = info.PlatformName.trim();
  if (/^amazon linux/i.test(name)) {
    const version = info.PlatformVersion.split('.')[0];
    if (version === '2') return 'AMAZON_LINUX_2';
    if (version === '2022') return 'AMAZON_LINUX_2022';
    if (version === '2023') return 'AMAZON_LINUX_2023';
    return 'AMAZON_LINUX';
  }
  return BY_NAME.find(([pattern]) => pattern.test(name))?.[1];
}

const PRODUCT_PREFIX: Partial<Record<PatchOperatingSystem, string>> = {
  UBUNTU: 'Ubuntu', DEBIAN: 'Debian', RASPBIAN: 'Raspbian', REDHAT_ENTERPRISE_LINUX: 'RedhatEnterpriseLinux', CENTOS: 'CentOS',
  ORACLE_LINUX: 'OracleLinux', ROCKY_LINUX: 'RockyLinux', ALMA_LINUX: 'AlmaLinux', SUSE: 'SUSE', AMAZON_LINUX: 'AmazonLinux',
  AMAZON_LINUX_2: 'AmazonLinux', AMAZON_LINUX_2022: 'AmazonLinux', AMAZON_LINUX_2023: 'AmazonLinux', MACOS: 'macOS',
};

/** SSM's PRODUCT of the instance (`Debian12`, `Ubuntu22.04`, ...): GetDeployablePatchSnapshotForInstance's Product. */
export function productOf(record: Pick<InstanceRecord, 'info'>): string | undefined {
  const os = operatingSystemOf(record);
  const info = record.info;
  if (!os || !info) return undefined;
  if (os === 'WINDOWS') return info.PlatformName.replace(/^Microsoft\s+/i, '').replace(/\s+/g, '');
  const prefix = PRODUCT_PREFIX[os];
  return prefix ? `${prefix}${info.PlatformVersion}` : undefined;
}
