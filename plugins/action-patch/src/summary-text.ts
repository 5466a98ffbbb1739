/** The readable summary the step prints on stdout (what an operator sees in GetCommandInvocation's output). */
import type { PatchBaselineSnapshot, PatchReportEntry } from '@tender/plugin-api';
import { countPatches } from './patch-report-rows.js';

const LISTED_STATES = ['MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED', 'INSTALLED'] as const;
/** Per state, at most this many patches are named; the counts are always complete. */
const MAX_LISTED = 50;

export function summaryText(details: { operation: string; provider: string; snapshot: PatchBaselineSnapshot; patches: readonly PatchReportEntry[]; failures: ReadonlyArray<{ patch: string; message: string }>; note?: string }): string {
  const { snapshot, patches } = details;
  const counts = countPatches(patches);
  const lines = [
    `Patch operation: ${details.operation} (provider ${details.provider}, ${snapshot.operatingSystem})`,
    `Baseline: ${snapshot.baselineId}${snapshot.patchGroup ? ` (patch group ${snapshot.patchGroup})` : ''}, snapshot ${snapshot.snapshotId}`,
    `Installed: ${counts.InstalledCount}  InstalledOther: ${counts.InstalledOtherCount}  InstalledPendingReboot: ${counts.InstalledPendingRebootCount}  InstalledRejected: ${counts.InstalledRejectedCount}`,
    `Missing: ${counts.MissingCount}  Failed: ${counts.FailedCount}  NotApplicable: ${counts.NotApplicableCount}  AvailableSecurityUpdate: ${counts.AvailableSecurityUpdateCount}`,
  ];
  for (const state of LISTED_STATES) {
    const named = patches.filter((p) => p.State === state);
    if (named.length === 0 || (state === 'INSTALLED' && details.operation !== 'Install')) continue;
    lines.push(`${state}:`);
    for (const patch of named.slice(0, MAX_LISTED)) lines.push(`  ${patch.Title}${patch.Classification ? ` [${patch.Classification}${patch.Severity ? `/${patch.Severity}` : ''}]` : ''}`);
    if (named.length > MAX_LISTED) lines.push(`  ... and ${named.length - MAX_LISTED} more`);
  }
  for (const failure of details.failures) lines.push(`Failed to install ${failure.patch}: ${failure.message}`);
  if (details.note) lines.push(details.note);
  return `${lines.join('\n')}\n`;
}
