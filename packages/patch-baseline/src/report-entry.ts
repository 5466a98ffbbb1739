import type { PatchReportEntry } from '@tender/plugin-api';
import type { PatchCandidate } from './patch-candidate.js';
import type { PatchStateVerdict } from './patch-state.js';

/**
 * The report entry for one candidate in the state decided. The title is the provider's (each package manager
 * names its packages its own way); the version is the one that is, or would be, installed.
 */
export function toReportEntry(candidate: PatchCandidate, verdict: PatchStateVerdict, title: string, installedTime?: string): PatchReportEntry {
  const pending = verdict.state === 'MISSING' || verdict.state === 'FAILED' || verdict.state === 'NOT_APPLICABLE' || verdict.state === 'AVAILABLE_SECURITY_UPDATE';
  const version = pending ? candidate.availableVersion ?? candidate.installedVersion : candidate.installedVersion ?? candidate.availableVersion;
  const entry: PatchReportEntry = {
    Title: title,
    KBId: candidate.kbId ?? candidate.name,
    Classification: candidate.classification ?? '',
    Severity: candidate.severity ?? candidate.priority ?? '',
    State: verdict.state,
  };
  if (installedTime !== undefined) entry.InstalledTime = installedTime;
  if (candidate.cves && candidate.cves.length > 0) entry.CVEIds = candidate.cves.join(',');
  if (version !== undefined) entry.Version = version;
  return entry;
}
