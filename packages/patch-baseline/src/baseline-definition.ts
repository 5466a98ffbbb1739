import type { PatchFilter, PatchOperatingSystem, PatchRule } from '@tender/plugin-api';
import { isComplianceLevel } from './compliance-levels.js';
import { PatchBaselineError } from './errors.js';
import { isPatchOperatingSystem, supportsApprovalDates } from './operating-systems.js';
import { validatePatchFilters } from './patch-properties.js';
import { validatePatchList } from './patch-lists.js';

/** A baseline's rules as CreatePatchBaseline / UpdatePatchBaseline carry them (the API's field names). */
export interface PatchBaselineDefinition {
  OperatingSystem?: string;
  GlobalFilters?: { PatchFilters: PatchFilter[] };
  ApprovalRules?: { PatchRules: PatchRule[] };
  ApprovedPatches?: string[];
  ApprovedPatchesComplianceLevel?: string;
  ApprovedPatchesEnableNonSecurity?: boolean;
  RejectedPatches?: string[];
  RejectedPatchesAction?: string;
}

const MAX_RULES = 10;
const MAX_FILTERS = 4;
const MAX_APPROVE_AFTER_DAYS = 360;

/**
 * Checks a baseline definition the way SSM's CreatePatchBaseline does, throwing PatchBaselineError
 * (ValidationException) with a message that names the field. Returns the operating system it applies to.
 * A baseline that names no operating system is a WINDOWS baseline, as in SSM.
 */
export function validateBaselineDefinition(definition: PatchBaselineDefinition): PatchOperatingSystem {
  const os = definition.OperatingSystem ?? 'WINDOWS';
  if (!isPatchOperatingSystem(os)) throw new PatchBaselineError(`OperatingSystem ${os} is not one of SSM's operating systems`);
  const global = definition.GlobalFilters?.PatchFilters ?? [];
  if (global.length > MAX_FILTERS) throw new PatchBaselineError(`GlobalFilters: at most ${MAX_FILTERS} patch filters are allowed`);
  validatePatchFilters(os, global, 'GlobalFilters');
  const rules = definition.ApprovalRules?.PatchRules ?? [];
  if (rules.length > MAX_RULES) throw new PatchBaselineError(`ApprovalRules: at most ${MAX_RULES} rules are allowed`);
  rules.forEach((rule, index) => validateRule(os, rule, `ApprovalRules rule ${index + 1}`));
  validatePatchList(os, definition.ApprovedPatches ?? [], 'ApprovedPatches');
  validatePatchList(os, definition.RejectedPatches ?? [], 'RejectedPatches');
  if (definition.ApprovedPatchesComplianceLevel !== undefined && !isComplianceLevel(definition.ApprovedPatchesComplianceLevel)) {
    throw new PatchBaselineError(`ApprovedPatchesComplianceLevel ${definition.ApprovedPatchesComplianceLevel} is not a compliance level`);
  }
  const action = definition.RejectedPatchesAction;
  if (action !== undefined && action !== 'ALLOW_AS_DEPENDENCY' && action !== 'BLOCK') {
    throw new PatchBaselineError(`RejectedPatchesAction must be ALLOW_AS_DEPENDENCY or BLOCK, not ${action}`);
  }
  return os;
}

function validateRule(os: PatchOperatingSystem, rule: PatchRule, where: string): void {
  const filters = rule.PatchFilterGroup?.PatchFilters;
  if (!Array.isArray(filters)) throw new PatchBaselineError(`${where}: PatchFilterGroup.PatchFilters is required`);
  if (filters.length > MAX_FILTERS) throw new PatchBaselineError(`${where}: at most ${MAX_FILTERS} patch filters are allowed`);
  validatePatchFilters(os, filters, where);
  if (rule.ComplianceLevel !== undefined && !isComplianceLevel(rule.ComplianceLevel)) {
    throw new PatchBaselineError(`${where}: ComplianceLevel ${rule.ComplianceLevel} is not a compliance level`);
  }
  const days = rule.ApproveAfterDays;
  const until = rule.ApproveUntilDate;
  if (days !== undefined && until !== undefined) throw new PatchBaselineError(`${where}: give ApproveAfterDays or ApproveUntilDate, not both`);
  if (days === undefined && until === undefined) throw new PatchBaselineError(`${where}: ApproveAfterDays or ApproveUntilDate is required`);
  if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > MAX_APPROVE_AFTER_DAYS)) {
    throw new PatchBaselineError(`${where}: ApproveAfterDays must be an integer from 0 to ${MAX_APPROVE_AFTER_DAYS}`);
  }
  if (until !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`)) || new Date(`${until}T00:00:00Z`).toISOString().slice(0, 10) !== until)) {
    throw new PatchBaselineError(`${where}: ApproveUntilDate must be a date in the format YYYY-MM-DD`);
  }
  if (!supportsApprovalDates(os) && (until !== undefined || (days ?? 0) > 0)) {
    throw new PatchBaselineError(`${where}: ApproveAfterDays and ApproveUntilDate are not supported for ${os} (its repositories carry no reliable release dates); use ApproveAfterDays 0`);
  }
}
