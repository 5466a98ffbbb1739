import type { PatchReportEntry, PatchStateName } from '@tender/plugin-api';
import { evaluatePatch, type BaselineRules } from './approval.js';
import { patchFamily } from './operating-systems.js';
import type { PatchCandidate, PatchDecision } from './patch-candidate.js';
import { patchListMatches } from './patch-lists.js';

export interface PatchStateOptions {
  /** The install of this patch failed in this run, or the package manager left it half-installed. */
  failed?: boolean;
  /** The patch was installed in this run and the host must reboot before it takes effect. */
  pendingReboot?: boolean;
  /**
   * The installed version as a candidate of its own (no availableVersion), with what is known of it (its advisory,
   * its suite). When an update is not approved, the installed version may still be an approved patch: INSTALLED.
   */
  installed?: PatchCandidate;
  /** Report unapproved security updates as AVAILABLE_SECURITY_UPDATE (the baseline's
   * AvailableSecurityUpdatesComplianceStatus is set) instead of leaving them out or as INSTALLED_OTHER. */
  reportAvailableSecurityUpdates?: boolean;
}

export interface PatchStateVerdict {
  state: PatchStateName;
  decision: PatchDecision;
  /** What the state is about: the update, or the installed version (`options.installed` when given). */
  subject: 'update' | 'installed';
}

/**
 * SSM's state for one candidate (About patch compliance):
 * - INSTALLED: approved and installed at the approved version; INSTALLED_PENDING_REBOOT: that, awaiting a reboot.
 * - INSTALLED_OTHER: installed but not approved (or rejected with ALLOW_AS_DEPENDENCY).
 * - INSTALLED_REJECTED: installed although the rejected list names it (RejectedPatchesAction BLOCK).
 * - MISSING: approved, applicable, not installed; FAILED: its install failed in this run.
 * - NOT_APPLICABLE: approved but not applicable (a Linux package that is not installed).
 * - AVAILABLE_SECURITY_UPDATE: an unapproved security update, when the baseline asks for them.
 * Undefined: not reported (an unapproved update for something that is not installed).
 * On Linux a candidate is a package: installed when it has an installedVersion, with an update when it has an
 * availableVersion. On Windows a candidate is an update, installed or not.
 */
export function patchState(baseline: BaselineRules, candidate: PatchCandidate, options: PatchStateOptions = {}): PatchStateVerdict | undefined {
  const windows = patchFamily(baseline.operatingSystem) === 'windows';
  const installed = windows ? candidate.installed === true : candidate.installedVersion !== undefined;
  const updateAvailable = windows ? !installed : candidate.availableVersion !== undefined;
  // A failed install is FAILED whatever else holds (also a package the package manager left half-installed).
  if (options.failed) return { state: 'FAILED', decision: evaluatePatch(baseline, candidate, updateAvailable ? 'available' : 'installed'), subject: 'update' };
  if (updateAvailable) {
    const decision = evaluatePatch(baseline, candidate, 'available');
    if (decision.approved) return { state: windows || installed ? 'MISSING' : 'NOT_APPLICABLE', decision, subject: 'update' };
    const securityGap = options.reportAvailableSecurityUpdates === true && candidate.security && !decision.rejected;
    if (!installed) return securityGap ? { state: 'AVAILABLE_SECURITY_UPDATE', decision, subject: 'update' } : undefined;
    const installedVerdict = installedState(baseline, options.installed ?? candidate, options);
    if (installedVerdict.state === 'INSTALLED_REJECTED') return installedVerdict;
    if (securityGap) return { state: 'AVAILABLE_SECURITY_UPDATE', decision, subject: 'update' };
    // The newer update is not approved; what is installed may be (an approved security update, then a newer build).
    if (options.installed && installedVerdict.decision.approved) return installedVerdict;
    return { state: 'INSTALLED_OTHER', decision, subject: 'update' };
  }
  if (!installed) return undefined;
  return installedState(baseline, options.installed ?? candidate, options);
}

function installedState(baseline: BaselineRules, candidate: PatchCandidate, options: PatchStateOptions): PatchStateVerdict {
  const rejectedBy = patchListMatches(baseline.operatingSystem, baseline.rejectedPatches, candidate, 'installed');
  if (rejectedBy !== undefined) {
    const decision: PatchDecision = { approved: false, rejected: true, complianceLevel: 'UNSPECIFIED', reason: `installed, and rejected by RejectedPatches entry ${rejectedBy}` };
    // ALLOW_AS_DEPENDENCY tolerates a rejected package that something needs; BLOCK reports it as non-compliant.
    return { state: baseline.rejectedPatchesAction === 'BLOCK' ? 'INSTALLED_REJECTED' : 'INSTALLED_OTHER', decision, subject: 'installed' };
  }
  const decision = evaluatePatch(baseline, candidate, 'installed');
  if (!decision.approved) return { state: 'INSTALLED_OTHER', decision, subject: 'installed' };
  return { state: options.pendingReboot ? 'INSTALLED_PENDING_REBOOT' : 'INSTALLED', decision, subject: 'installed' };
}

/** AWS:PatchSummary-style counts of a list of report entries (DescribeInstancePatchStates' counters). */
export interface PatchStateCounts {
  InstalledCount: number;
  InstalledOtherCount: number;
  InstalledPendingRebootCount: number;
  InstalledRejectedCount: number;
  MissingCount: number;
  FailedCount: number;
  NotApplicableCount: number;
  AvailableSecurityUpdateCount: number;
}

const COUNTER: Record<PatchStateName, keyof PatchStateCounts> = {
  INSTALLED: 'InstalledCount',
  INSTALLED_OTHER: 'InstalledOtherCount',
  INSTALLED_PENDING_REBOOT: 'InstalledPendingRebootCount',
  INSTALLED_REJECTED: 'InstalledRejectedCount',
  MISSING: 'MissingCount',
  FAILED: 'FailedCount',
  NOT_APPLICABLE: 'NotApplicableCount',
  AVAILABLE_SECURITY_UPDATE: 'AvailableSecurityUpdateCount',
};

export function countPatchStates(entries: ReadonlyArray<Pick<PatchReportEntry, 'State'>>): PatchStateCounts {
  const counts: PatchStateCounts = {
    InstalledCount: 0, InstalledOtherCount: 0, InstalledPendingRebootCount: 0, InstalledRejectedCount: 0,
    MissingCount: 0, FailedCount: 0, NotApplicableCount: 0, AvailableSecurityUpdateCount: 0,
  };
  for (const entry of entries) counts[COUNTER[entry.State]] += 1;
  return counts;
}

/** Non-compliant states: what makes an instance's patch compliance NON_COMPLIANT. */
export function isNonCompliantState(state: PatchStateName): boolean {
  return state === 'MISSING' || state === 'FAILED' || state === 'INSTALLED_REJECTED' || state === 'INSTALLED_PENDING_REBOOT' || state === 'AVAILABLE_SECURITY_UPDATE';
}
