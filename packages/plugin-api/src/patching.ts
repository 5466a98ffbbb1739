/**
 * Patch providers: what a plugin implements so that AWS-RunPatchBaseline can scan and patch a host with its
 * package manager (apt, dnf, Windows Update, ...). The control plane sends a baseline snapshot; the provider
 * lists the host's candidate patches, decides with the baseline which are approved, and reports SSM's states.
 * Every package-manager command goes through `PatchProviderContext.exec`, so recorded outputs can drive tests.
 */
import type { Logger } from './logger.js';

/** SSM's OperatingSystem values for baselines (a manifest's `tender.provides.patchProviderOperatingSystems` uses them). */
export const PATCH_OPERATING_SYSTEMS = [
  'WINDOWS',
  'AMAZON_LINUX',
  'AMAZON_LINUX_2',
  'AMAZON_LINUX_2022',
  'AMAZON_LINUX_2023',
  'UBUNTU',
  'DEBIAN',
  'RASPBIAN',
  'REDHAT_ENTERPRISE_LINUX',
  'CENTOS',
  'ORACLE_LINUX',
  'ROCKY_LINUX',
  'ALMA_LINUX',
  'SUSE',
  'MACOS',
] as const;

export type PatchOperatingSystem = (typeof PATCH_OPERATING_SYSTEMS)[number];

export interface PatchFilter {
  /** SSM's PatchFilter keys: PRODUCT, CLASSIFICATION, SEVERITY, PRIORITY, SECTION, PATCH_SET, MSRC_SEVERITY, ... */
  Key: string;
  Values: string[];
}

export interface PatchRule {
  PatchFilterGroup: { PatchFilters: PatchFilter[] };
  ComplianceLevel?: string;
  ApproveAfterDays?: number;
  /** `YYYY-MM-DD`. */
  ApproveUntilDate?: string;
  EnableNonSecurity?: boolean;
}

/**
 * The baseline as the agent gets it for one instance (what GetDeployablePatchSnapshotForInstance's snapshot holds).
 * Approved and rejected patch names are in SSM's formats for the operating system (package names, `name-version`,
 * `name.arch`, KB ids, ...).
 */
export interface PatchBaselineSnapshot {
  snapshotId: string;
  instanceId: string;
  baselineId: string;
  operatingSystem: PatchOperatingSystem;
  patchGroup?: string;
  globalFilters: PatchFilter[];
  approvalRules: PatchRule[];
  approvedPatches: string[];
  approvedPatchesComplianceLevel: string;
  approvedPatchesEnableNonSecurity: boolean;
  rejectedPatches: string[];
  rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY' | 'BLOCK';
  /** ISO 8601: when the snapshot was made; approval dates (ApproveAfterDays) count to this instant. */
  createdAt: string;
}

/** SSM's patch states (DescribeInstancePatches `State`). */
export type PatchStateName = 'INSTALLED' | 'INSTALLED_OTHER' | 'INSTALLED_PENDING_REBOOT' | 'INSTALLED_REJECTED' | 'MISSING' | 'NOT_APPLICABLE' | 'FAILED' | 'AVAILABLE_SECURITY_UPDATE';

/** One patch on one host as SSM reports it (PatchComplianceData). */
export interface PatchReportEntry {
  /** e.g. `openssl.x86_64:0:3.0.13-1.el9` (dnf), `openssl 3.0.15-1~deb12u1` (apt), the update's title (Windows). */
  Title: string;
  /** The package name on Linux, the KB id on Windows. */
  KBId: string;
  Classification: string;
  Severity: string;
  State: PatchStateName;
  /** ISO 8601, for installed patches where known. */
  InstalledTime?: string;
  /** Comma-separated CVE ids where the source names them. */
  CVEIds?: string;
  /** The version that is or would be installed. */
  Version?: string;
  /**
   * The baseline's compliance level for this patch (the approving rule's ComplianceLevel, or
   * ApprovedPatchesComplianceLevel): the Severity of its compliance item. Absent: UNSPECIFIED, as SSM's own
   * baselines assign.
   */
  ComplianceLevel?: string;
}

export interface PatchOperationResult {
  operation: 'Scan' | 'Install';
  patches: PatchReportEntry[];
  /** The host needs a reboot for installed patches to take effect. */
  rebootRequired: boolean;
  /** Patches that failed to install, with the package manager's reason. */
  failures: Array<{ patch: string; message: string }>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PatchProviderContext {
  signal: AbortSignal;
  logger: Logger;
  /** Runs a package-manager command (no shell). Tests inject recorded outputs here. */
  exec(command: string, args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<ExecResult>;
  /** The current instant (baseline dates are compared to the snapshot's createdAt, not to this). */
  now(): Date;
}

export interface PatchProvider {
  /** A one-line description for `tender-agent plugins`. */
  description?: string;
  /** The baseline operating systems this provider serves. */
  operatingSystems: PatchOperatingSystem[];
  /** Whether this host has what the provider needs (its package manager). */
  detect(context: PatchProviderContext): Promise<boolean>;
  /** Scan: report every applicable patch's state; change nothing on the host. */
  scan(context: PatchProviderContext, baseline: PatchBaselineSnapshot): Promise<PatchOperationResult>;
  /** Install the approved missing patches (only `installOverrideList` when given), then report as scan does. */
  install(context: PatchProviderContext, baseline: PatchBaselineSnapshot, options: { installOverrideList?: string[] }): Promise<PatchOperationResult>;
}
