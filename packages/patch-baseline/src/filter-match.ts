import type { PatchFilter } from '@tender/plugin-api';
import { globMatches } from './glob.js';
import type { PatchCandidate } from './patch-candidate.js';

/** A candidate's values for one filter key; several for multi-valued keys (CVE_ID, ADVISORY_ID, ...). */
function propertyValues(candidate: PatchCandidate, key: string): string[] {
  const one = (value: string | undefined): string[] => (value === undefined || value === '' ? [] : [value]);
  switch (key) {
    case 'PRODUCT': return one(candidate.product);
    case 'PRODUCT_FAMILY': return one(candidate.productFamily);
    case 'PATCH_SET': return [candidate.patchSet ?? 'OS'];
    case 'CLASSIFICATION': return one(candidate.classification);
    case 'SEVERITY':
    case 'MSRC_SEVERITY': return one(candidate.severity);
    case 'PRIORITY': return one(candidate.priority);
    // Debian sections carry their component (`contrib/net`); SSM's values are the bare section.
    case 'SECTION': return one(candidate.section?.replace(/^.*\//, ''));
    case 'ARCH': return one(candidate.arch);
    case 'NAME': return one(candidate.name);
    case 'REPOSITORY': return one(candidate.repository);
    case 'CVE_ID': return candidate.cves ?? [];
    case 'ADVISORY_ID': return candidate.advisoryIds ?? [];
    case 'BUGZILLA_ID': return candidate.bugzillaIds ?? [];
    case 'PATCH_ID': return one(candidate.kbId ?? candidate.name);
    case 'SECURITY': return [candidate.security ? 'true' : 'false'];
    case 'VERSION': return one(candidate.availableVersion ?? candidate.installedVersion);
    default: return [];
  }
}

/**
 * One filter matches when any of its values matches any of the candidate's values for the key. A value of `*`
 * matches everything, including a candidate that has no such property; a candidate without a severity counts as
 * `Unspecified` (SSM's value for updates that name none).
 */
export function filterMatches(filter: PatchFilter, candidate: PatchCandidate): boolean {
  if (filter.Values.includes('*')) return true;
  let values = propertyValues(candidate, filter.Key);
  if (values.length === 0 && (filter.Key === 'SEVERITY' || filter.Key === 'MSRC_SEVERITY')) values = ['Unspecified'];
  return filter.Values.some((pattern) => values.some((value) => globMatches(pattern, value)));
}

/** A filter group matches when every one of its filters does (an empty group matches everything). */
export function filterGroupMatches(filters: PatchFilter[], candidate: PatchCandidate): boolean {
  return filters.every((filter) => filterMatches(filter, candidate));
}
