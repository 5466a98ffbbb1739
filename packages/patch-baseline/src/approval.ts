import type { PatchBaselineSnapshot, PatchOperatingSystem, PatchRule } from '@tender/plugin-api';
import { mostSevere } from './compliance-levels.js';
import { filterGroupMatches } from './filter-match.js';
import { patchFamily, supportsApprovalDates } from './operating-systems.js';
import type { PatchCandidate, PatchDecision } from './patch-candidate.js';
import { patchListMatches } from './patch-lists.js';

const DAY_MS = 86_400_000;

/** The parts of a snapshot the evaluation reads (the snapshot itself, or a baseline being previewed). */
export type BaselineRules = Pick<PatchBaselineSnapshot,
  'operatingSystem' | 'globalFilters' | 'approvalRules' | 'approvedPatches' | 'approvedPatchesComplianceLevel' |
  'approvedPatchesEnableNonSecurity' | 'rejectedPatches' | 'rejectedPatchesAction' | 'createdAt'>;

/**
 * Whether a rule's date condition holds for the candidate at the snapshot's instant. Debian and Ubuntu have no
 * reliable release dates, so SSM approves their matching patches at once. Elsewhere a patch with no known
 * release date is approved only by a rule without a waiting period: nothing proves it is old enough.
 */
export function ruleDateAllows(rule: PatchRule, operatingSystem: PatchOperatingSystem, releaseDate: string | undefined, at: Date): boolean {
  if (!supportsApprovalDates(operatingSystem)) return true;
  const released = releaseDate === undefined ? Number.NaN : Date.parse(releaseDate);
  if (rule.ApproveUntilDate !== undefined) {
    // The whole cutoff day counts (UTC): released on or before YYYY-MM-DDT23:59:59.999Z.
    const cutoff = Date.parse(`${rule.ApproveUntilDate}T00:00:00Z`) + DAY_MS;
    return !Number.isNaN(released) && released < cutoff;
  }
  const days = rule.ApproveAfterDays ?? 0;
  if (days === 0) return true;
  return !Number.isNaN(released) && released + days * DAY_MS <= at.getTime();
}

/**
 * The baseline's verdict on one candidate, as SSM decides it: the rejected list wins over everything; then the
 * approved list; then the approval rules, each seen only through the global filters. `which` says which version
 * is judged: the update that would be installed, or what is installed now.
 */
export function evaluatePatch(baseline: BaselineRules, candidate: PatchCandidate, which: 'available' | 'installed' = 'available'): PatchDecision {
  const os = baseline.operatingSystem;
  const linux = patchFamily(os) !== 'windows';
  const rejectedBy = patchListMatches(os, baseline.rejectedPatches, candidate, which);
  if (rejectedBy !== undefined) {
    return { approved: false, rejected: true, complianceLevel: 'UNSPECIFIED', reason: `rejected by RejectedPatches entry ${rejectedBy}` };
  }
  const nonSecurity = linux && candidate.nonSecurity === true;
  const approvedBy = patchListMatches(os, baseline.approvedPatches, candidate, which);
  if (approvedBy !== undefined && (!nonSecurity || baseline.approvedPatchesEnableNonSecurity)) {
    return { approved: true, rejected: false, complianceLevel: baseline.approvedPatchesComplianceLevel || 'UNSPECIFIED', reason: `approved by ApprovedPatches entry ${approvedBy}` };
  }
  if (!filterGroupMatches(baseline.globalFilters, candidate)) {
    return { approved: false, rejected: false, complianceLevel: 'UNSPECIFIED', reason: 'outside the global filters' };
  }
  const at = new Date(baseline.createdAt);
  let level: string | undefined;
  let ruleIndex = -1;
  baseline.approvalRules.forEach((rule, index) => {
    if (!filterGroupMatches(rule.PatchFilterGroup.PatchFilters, candidate)) return;
    if (nonSecurity && rule.EnableNonSecurity !== true) return;
    if (!ruleDateAllows(rule, os, candidate.releaseDate, at)) return;
    // Several rules may approve one patch: the most severe compliance level among them applies.
    const ruleLevel = rule.ComplianceLevel ?? 'UNSPECIFIED';
    level = level === undefined ? ruleLevel : mostSevere(level, ruleLevel);
    if (ruleIndex < 0) ruleIndex = index;
  });
  if (level !== undefined) return { approved: true, rejected: false, complianceLevel: level, reason: `approved by approval rule ${ruleIndex + 1}` };
  return { approved: false, rejected: false, complianceLevel: 'UNSPECIFIED', reason: approvedBy !== undefined ? `ApprovedPatches entry ${approvedBy} names a non-security update and ApprovedPatchesEnableNonSecurity is off` : 'no approval rule approves it' };
}
