import { createHash } from 'node:crypto';
import type { PatchFilter, PatchOperatingSystem, PatchRule } from '@tender/plugin-api';

/**
 * The predefined baselines SSM ships (Predefined and custom patch baselines), as data the control plane registers.
 * Like SSM's, they cannot be changed, assign compliance level UNSPECIFIED, and one per operating system is the
 * default until RegisterDefaultPatchBaseline names another.
 */
export interface PredefinedPatchBaseline {
  /** `pb-` and 17 hex digits, stable across runs and installs (derived from the name). */
  baselineId: string;
  name: string;
  operatingSystem: PatchOperatingSystem;
  description: string;
  globalFilters: PatchFilter[];
  approvalRules: PatchRule[];
  approvedPatches: string[];
  approvedPatchesComplianceLevel: 'UNSPECIFIED';
  approvedPatchesEnableNonSecurity: boolean;
  rejectedPatches: string[];
  rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY';
  /** This baseline is the operating system's default until another is registered. */
  isDefault: boolean;
}

export function predefinedBaselineId(name: string): string {
  return `pb-${createHash('sha256').update(`tender-predefined:${name}`).digest('hex').slice(0, 17)}`;
}

const filter = (Key: string, ...Values: string[]): PatchFilter => ({ Key, Values });
const rule = (filters: PatchFilter[], approveAfterDays: number, enableNonSecurity = false): PatchRule => ({
  PatchFilterGroup: { PatchFilters: filters },
  ApproveAfterDays: approveAfterDays,
  ComplianceLevel: 'UNSPECIFIED',
  EnableNonSecurity: enableNonSecurity,
});

/** Security patches of the given severities and every Bugfix, each seven days after release. */
const securityAndBugfix = (severities: string[]): PatchRule[] => [
  rule([filter('PRODUCT', '*'), filter('CLASSIFICATION', 'Security'), filter('SEVERITY', ...severities)], 7),
  rule([filter('PRODUCT', '*'), filter('CLASSIFICATION', 'Bugfix')], 7),
];
const windowsOs = (): PatchRule => rule([filter('PATCH_SET', 'OS'), filter('PRODUCT', '*'), filter('CLASSIFICATION', 'CriticalUpdates', 'SecurityUpdates'), filter('MSRC_SEVERITY', 'Critical', 'Important')], 7);
/** Debian-family repositories carry no release dates: security patches of every priority, at once. */
const aptSecurity = (): PatchRule[] => [rule([filter('PRODUCT', '*'), filter('SECTION', '*'), filter('PRIORITY', 'Required', 'Important', 'Standard', 'Optional', 'Extra')], 0)];

interface Entry { name: string; operatingSystem: PatchOperatingSystem; description: string; rules: PatchRule[]; isDefault: boolean }

const ENTRIES: Entry[] = [
  { name: 'AWS-DefaultPatchBaseline', operatingSystem: 'WINDOWS', isDefault: true, rules: [windowsOs()],
    description: 'Default patch baseline for Windows: approves operating system patches classified CriticalUpdates or SecurityUpdates with an MSRC severity of Critical or Important, 7 days after release.' },
  { name: 'AWS-WindowsPredefinedPatchBaseline-OS', operatingSystem: 'WINDOWS', isDefault: false, rules: [windowsOs()],
    description: 'Windows operating system patches classified CriticalUpdates or SecurityUpdates with an MSRC severity of Critical or Important, 7 days after release.' },
  { name: 'AWS-WindowsPredefinedPatchBaseline-OS-Applications', operatingSystem: 'WINDOWS', isDefault: false,
    rules: [windowsOs(), rule([filter('PATCH_SET', 'APPLICATION'), filter('PRODUCT_FAMILY', '*'), filter('PRODUCT', '*'), filter('CLASSIFICATION', '*')], 7)],
    description: 'Windows operating system patches as AWS-WindowsPredefinedPatchBaseline-OS, and every patch for Microsoft applications, 7 days after release.' },
  { name: 'AWS-AmazonLinuxDefaultPatchBaseline', operatingSystem: 'AMAZON_LINUX', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for Amazon Linux: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-AmazonLinux2DefaultPatchBaseline', operatingSystem: 'AMAZON_LINUX_2', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for Amazon Linux 2: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-AmazonLinux2022DefaultPatchBaseline', operatingSystem: 'AMAZON_LINUX_2022', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for Amazon Linux 2022: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-AmazonLinux2023DefaultPatchBaseline', operatingSystem: 'AMAZON_LINUX_2023', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for Amazon Linux 2023: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-RedHatDefaultPatchBaseline', operatingSystem: 'REDHAT_ENTERPRISE_LINUX', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for Red Hat Enterprise Linux: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-CentOSDefaultPatchBaseline', operatingSystem: 'CENTOS', isDefault: true,
    rules: [rule([filter('PRODUCT', '*'), filter('CLASSIFICATION', '*'), filter('SEVERITY', '*')], 7, true)],
    description: 'Default patch baseline for CentOS: every update, non-security updates included, 7 days after it becomes available.' },
  { name: 'AWS-OracleLinuxDefaultPatchBaseline', operatingSystem: 'ORACLE_LINUX', isDefault: true, rules: securityAndBugfix(['Important', 'Moderate']),
    description: 'Default patch baseline for Oracle Linux: Security patches of severity Important or Moderate and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-RockyLinuxDefaultPatchBaseline', operatingSystem: 'ROCKY_LINUX', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for Rocky Linux: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-AlmaLinuxDefaultPatchBaseline', operatingSystem: 'ALMA_LINUX', isDefault: true, rules: securityAndBugfix(['Critical', 'Important']),
    description: 'Default patch baseline for AlmaLinux: Security patches of severity Critical or Important and all Bugfix patches, 7 days after release.' },
  { name: 'AWS-SuseDefaultPatchBaseline', operatingSystem: 'SUSE', isDefault: true,
    rules: [rule([filter('PRODUCT', '*'), filter('CLASSIFICATION', 'Security'), filter('SEVERITY', 'Critical', 'Important')], 7)],
    description: 'Default patch baseline for SUSE Linux Enterprise Server: Security patches of severity Critical or Important, 7 days after release.' },
  { name: 'AWS-UbuntuDefaultPatchBaseline', operatingSystem: 'UBUNTU', isDefault: true, rules: aptSecurity(),
    description: 'Default patch baseline for Ubuntu Server: at once, every security patch of priority Required, Important, Standard, Optional or Extra (the repositories carry no reliable release dates).' },
  { name: 'AWS-DebianDefaultPatchBaseline', operatingSystem: 'DEBIAN', isDefault: true, rules: aptSecurity(),
    description: 'Default patch baseline for Debian Server: at once, every security patch of priority Required, Important, Standard, Optional or Extra (the repositories carry no reliable release dates).' },
  { name: 'AWS-RaspbianDefaultPatchBaseline', operatingSystem: 'RASPBIAN', isDefault: true, rules: aptSecurity(),
    description: 'Default patch baseline for Raspberry Pi OS: at once, every security patch of priority Required, Important, Standard, Optional or Extra.' },
  { name: 'AWS-MacOSDefaultPatchBaseline', operatingSystem: 'MACOS', isDefault: true,
    rules: [rule([filter('PRODUCT', '*'), filter('CLASSIFICATION', 'Security')], 0), rule([filter('PRODUCT', '*'), filter('CLASSIFICATION', '*')], 0, true)],
    description: 'Default patch baseline for macOS: every Security patch, and every package with a current update.' },
];

export const PREDEFINED_PATCH_BASELINES: readonly PredefinedPatchBaseline[] = Object.freeze(ENTRIES.map((entry) => Object.freeze({
  baselineId: predefinedBaselineId(entry.name),
  name: entry.name,
  operatingSystem: entry.operatingSystem,
  description: entry.description,
  globalFilters: [],
  approvalRules: entry.rules,
  approvedPatches: [],
  approvedPatchesComplianceLevel: 'UNSPECIFIED' as const,
  approvedPatchesEnableNonSecurity: false,
  rejectedPatches: [],
  rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY' as const,
  isDefault: entry.isDefault,
})));

/** The predefined baseline that is an operating system's default (GetDefaultPatchBaseline before any registration). */
export function predefinedDefaultBaseline(operatingSystem: PatchOperatingSystem): PredefinedPatchBaseline {
  const found = PREDEFINED_PATCH_BASELINES.find((baseline) => baseline.isDefault && baseline.operatingSystem === operatingSystem);
  if (!found) throw new Error(`no predefined default baseline for ${operatingSystem}`);
  return found;
}
