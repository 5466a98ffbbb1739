export type { PatchCandidate, PatchDecision } from './patch-candidate.js';
export { PatchBaselineError } from './errors.js';
export {
  PATCH_OPERATING_SYSTEMS, isPatchOperatingSystem, patchFamily, supportsApprovalDates, parseOsRelease,
  operatingSystemFromOsRelease, productFromOsRelease,
} from './operating-systems.js';
export type { PatchFamily, OsRelease } from './operating-systems.js';
export {
  patchFilterKeys, patchPropertyValues, validatePatchFilters, APT_PRIORITIES, APT_SECTIONS, WINDOWS_CLASSIFICATIONS,
  MSRC_SEVERITIES,
} from './patch-properties.js';
export { filterMatches, filterGroupMatches } from './filter-match.js';
export { validatePatchList, patchListMatches, rpmPackageNames, MAX_PATCH_LIST_LENGTH } from './patch-lists.js';
export { splitEpochVersionRelease } from './rpm-version.js';
export type { EpochVersionRelease } from './rpm-version.js';
export { COMPLIANCE_LEVELS, isComplianceLevel, mostSevere } from './compliance-levels.js';
export type { ComplianceLevel } from './compliance-levels.js';
export { evaluatePatch, ruleDateAllows } from './approval.js';
export type { BaselineRules } from './approval.js';
export { patchState, countPatchStates, isNonCompliantState } from './patch-state.js';
export type { PatchStateOptions, PatchStateVerdict, PatchStateCounts } from './patch-state.js';
export { toReportEntry } from './report-entry.js';
export { validateBaselineDefinition } from './baseline-definition.js';
export type { PatchBaselineDefinition } from './baseline-definition.js';
export { PREDEFINED_PATCH_BASELINES, predefinedDefaultBaseline, predefinedBaselineId } from './predefined-baselines.js';
export type { PredefinedPatchBaseline } from './predefined-baselines.js';
export { choosePatchProvider, NoPatchProviderError } from './choose-provider.js';
