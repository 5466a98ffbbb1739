/**
 * Reading the baseline fields of CreatePatchBaseline, UpdatePatchBaseline and a BaselineOverride: the API model's
 * shapes and limits first (SerializationException for a wrong type, ValidationException in AWS's wording for a
 * length or pattern), then Patch Manager's own rules through @tender/patch-baseline (filter keys and values per
 * operating system, approval dates, patch-list formats), so that a bad baseline is refused before anything is
 * written.
 */
import { PatchBaselineError, validateBaselineDefinition } from '@tender/patch-baseline';
import type { PatchFilter, PatchOperatingSystem, PatchRule } from '@tender/plugin-api';
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalString } from '../api/validate.js';
import type { BaselineRulesFields, PatchSourceEntry, RejectedPatchesAction } from './baseline-records.js';

export const OPERATING_SYSTEMS: readonly PatchOperatingSystem[] = [
  'WINDOWS', 'AMAZON_LINUX', 'AMAZON_LINUX_2', 'AMAZON_LINUX_2022', 'UBUNTU', 'REDHAT_ENTERPRISE_LINUX', 'SUSE', 'CENTOS',
  'ORACLE_LINUX', 'DEBIAN', 'MACOS', 'RASPBIAN', 'ROCKY_LINUX', 'ALMA_LINUX', 'AMAZON_LINUX_2023',
];
const FILTER_KEYS = ['ARCH', 'ADVISORY_ID', 'BUGZILLA_ID', 'PATCH_SET', 'PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION', 'CVE_ID', 'EPOCH', 'MSRC_SEVERITY', 'NAME', 'PATCH_ID', 'SECTION', 'PRIORITY', 'REPOSITORY', 'RELEASE', 'SEVERITY', 'SECURITY', 'VERSION'];
export const COMPLIANCE_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'];
export const BASELINE_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
export const BASELINE_ID = /^[a-zA-Z0-9_\-:/]{20,128}$/;
export const PATCH_GROUP = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const SOURCE_NAME = /^[a-zA-Z0-9_\-.]{3,50}$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function violation(member: string, value: unknown, constraint: string): ApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError('ValidationException', `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

function list(value: unknown, member: string, rules: { min?: number; max: number }): unknown[] {
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `${member} must be a list`);
  if (rules.min !== undefined && value.length < rules.min) throw violation(member, value, `Member must have length greater than or equal to ${rules.min}`);
  if (value.length > rules.max) throw violation(member, value, `Member must have length less than or equal to ${rules.max}`);
  return value;
}

function text(value: unknown, member: string, rules: { min?: number; max?: number } = {}): string {
  if (typeof value !== 'string') throw new ApiError('SerializationException', `${member} must be a string`);
  if (rules.min !== undefined && value.length < rules.min) throw violation(member, value, `Member must have length greater than or equal to ${rules.min}`);
  if (rules.max !== undefined && value.length > rules.max) throw violation(member, value, `Member must have length less than or equal to ${rules.max}`);
  return value;
}

function oneOf<T extends string>(value: unknown, member: string, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw new ApiError('SerializationException', `${member} must be a string`);
  if (!(allowed as readonly string[]).includes(value)) throw violation(member, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

function bool(value: unknown, member: string): boolean {
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `${member} must be a boolean`);
  return value;
}

function filterGroup(value: unknown, member: string): { PatchFilters: PatchFilter[] } {
  if (!isRecord(value)) throw new ApiError('SerializationException', `${member} must be an object with PatchFilters`);
  if (value.PatchFilters === undefined) throw violation(`${member}.patchFilters`, null, 'Member must not be null');
  const filters = list(value.PatchFilters, `${member}.patchFilters`, { min: 0, max: 4 }).map((raw, i) => {
    const where = `${member}.patchFilters.${i + 1}.member`;
    if (!isRecord(raw)) throw new ApiError('SerializationException', `${where} must be an object with Key and Values`);
    const key = oneOf(raw.Key, `${where}.key`, FILTER_KEYS);
    const values = list(raw.Values, `${where}.values`, { min: 1, max: 20 }).map((v, j) => text(v, `${where}.values.${j + 1}.member`, { min: 1, max: 64 }));
    return { Key: key, Values: values };
  });
  return { PatchFilters: filters };
}

function rules(value: unknown, member: string): { PatchRules: PatchRule[] } {
  if (!isRecord(value)) throw new ApiError('SerializationException', `${member} must be an object with PatchRules`);
  if (value.PatchRules === undefined) throw violation(`${member}.patchRules`, null, 'Member must not be null');
  const patchRules = list(value.PatchRules, `${member}.patchRules`, { min: 0, max: 10 }).map((raw, i) => {
    const where = `${member}.patchRules.${i + 1}.member`;
    if (!isRecord(raw)) throw new ApiError('SerializationException', `${where} must be an object`);
    if (raw.PatchFilterGroup === undefined) throw violation(`${where}.patchFilterGroup`, null, 'Member must not be null');
    const rule: PatchRule = { PatchFilterGroup: filterGroup(raw.PatchFilterGroup, `${where}.patchFilterGroup`) };
    if (raw.ComplianceLevel !== undefined) rule.ComplianceLevel = oneOf(raw.ComplianceLevel, `${where}.complianceLevel`, COMPLIANCE_LEVELS);
    if (raw.ApproveAfterDays !== undefined) {
      if (typeof raw.ApproveAfterDays !== 'number' || !Number.isInteger(raw.ApproveAfterDays)) throw new ApiError('SerializationException', `${where}.approveAfterDays must be an integer`);
      if (raw.ApproveAfterDays < 0 || raw.ApproveAfterDays > 360) throw violation(`${where}.approveAfterDays`, raw.ApproveAfterDays, 'Member must have value between 0 and 360');
      rule.ApproveAfterDays = raw.ApproveAfterDays;
    }
    if (raw.ApproveUntilDate !== undefined) rule.ApproveUntilDate = text(raw.ApproveUntilDate, `${where}.approveUntilDate`, { min: 1, max: 10 });
    if (raw.EnableNonSecurity !== undefined) rule.EnableNonSecurity = bool(raw.EnableNonSecurity, `${where}.enableNonSecurity`);
    return rule;
  });
  return { PatchRules: patchRules };
}

function patchIds(value: unknown, member: string): string[] {
  return list(value, member, { min: 0, max: 50 }).map((v, i) => text(v, `${member}.${i + 1}.member`, { min: 1, max: 100 }));
}

function sources(value: unknown, member: string): PatchSourceEntry[] {
  return list(value, member, { min: 0, max: 20 }).map((raw, i) => {
    const where = `${member}.${i + 1}.member`;
    if (!isRecord(raw)) throw new ApiError('SerializationException', `${where} must be an object`);
    const name = text(raw.Name, `${where}.name`);
    if (!SOURCE_NAME.test(name)) throw violation(`${where}.name`, name, `Member must satisfy regular expression pattern: ${SOURCE_NAME.source}`);
    const products = list(raw.Products, `${where}.products`, { min: 1, max: 20 }).map((p, j) => text(p, `${where}.products.${j + 1}.member`, { min: 1, max: 128 }));
    return { Name: name, Products: products, Configuration: text(raw.Configuration, `${where}.configuration`, { min: 1, max: 1024 }) };
  });
}

/** The baseline fields present in a request (absent ones stay absent: UpdatePatchBaseline keeps what it has). */
export type BaselineFieldsInput = Partial<BaselineRulesFields>;

export function readBaselineFields(input: Input): BaselineFieldsInput {
  const fields: BaselineFieldsInput = {};
  if (input.OperatingSystem !== undefined && input.OperatingSystem !== null) fields.OperatingSystem = oneOf(input.OperatingSystem, 'operatingSystem', OPERATING_SYSTEMS);
  if (input.GlobalFilters !== undefined && input.GlobalFilters !== null) fields.GlobalFilters = filterGroup(input.GlobalFilters, 'globalFilters');
  if (input.ApprovalRules !== undefined && input.ApprovalRules !== null) fields.ApprovalRules = rules(input.ApprovalRules, 'approvalRules');
  if (input.ApprovedPatches !== undefined && input.ApprovedPatches !== null) fields.ApprovedPatches = patchIds(input.ApprovedPatches, 'approvedPatches');
  if (input.ApprovedPatchesComplianceLevel !== undefined && input.ApprovedPatchesComplianceLevel !== null) fields.ApprovedPatchesComplianceLevel = oneOf(input.ApprovedPatchesComplianceLevel, 'approvedPatchesComplianceLevel', COMPLIANCE_LEVELS);
  if (input.ApprovedPatchesEnableNonSecurity !== undefined && input.ApprovedPatchesEnableNonSecurity !== null) fields.ApprovedPatchesEnableNonSecurity = bool(input.ApprovedPatchesEnableNonSecurity, 'approvedPatchesEnableNonSecurity');
  if (input.RejectedPatches !== undefined && input.RejectedPatches !== null) fields.RejectedPatches = patchIds(input.RejectedPatches, 'rejectedPatches');
  if (input.RejectedPatchesAction !== undefined && input.RejectedPatchesAction !== null) fields.RejectedPatchesAction = oneOf<RejectedPatchesAction>(input.RejectedPatchesAction, 'rejectedPatchesAction', ['ALLOW_AS_DEPENDENCY', 'BLOCK']);
  if (input.Sources !== undefined && input.Sources !== null) fields.Sources = sources(input.Sources, 'sources');
  if (input.AvailableSecurityUpdatesComplianceStatus !== undefined && input.AvailableSecurityUpdatesComplianceStatus !== null) {
    fields.AvailableSecurityUpdatesComplianceStatus = oneOf<'COMPLIANT' | 'NON_COMPLIANT'>(input.AvailableSecurityUpdatesComplianceStatus, 'availableSecurityUpdatesComplianceStatus', ['COMPLIANT', 'NON_COMPLIANT']);
  }
  return fields;
}

/** A complete set of rules from what a request gave; what it left out takes SSM's defaults (WINDOWS, no rules). */
export function completeRules(fields: BaselineFieldsInput): BaselineRulesFields {
  return {
    OperatingSystem: fields.OperatingSystem ?? 'WINDOWS',
    GlobalFilters: fields.GlobalFilters ?? { PatchFilters: [] },
    ApprovalRules: fields.ApprovalRules ?? { PatchRules: [] },
    ApprovedPatches: fields.ApprovedPatches ?? [],
    ApprovedPatchesComplianceLevel: fields.ApprovedPatchesComplianceLevel ?? 'UNSPECIFIED',
    ApprovedPatchesEnableNonSecurity: fields.ApprovedPatchesEnableNonSecurity ?? false,
    RejectedPatches: fields.RejectedPatches ?? [],
    RejectedPatchesAction: fields.RejectedPatchesAction ?? 'ALLOW_AS_DEPENDENCY',
    Sources: fields.Sources ?? [],
    ...(fields.AvailableSecurityUpdatesComplianceStatus ? { AvailableSecurityUpdatesComplianceStatus: fields.AvailableSecurityUpdatesComplianceStatus } : {}),
  };
}

/**
 * Patch Manager's rules for a complete baseline. `osGiven` says whether the caller named the operating system: a
 * baseline that names none is a WINDOWS baseline (SSM's default), and an error then says so, since Linux filters or
 * package names in such a baseline are the usual mistake.
 */
export function checkBaselineRules(rules: BaselineRulesFields, osGiven: boolean): void {
  try {
    validateBaselineDefinition(rules);
  } catch (error) {
    if (!(error instanceof PatchBaselineError)) throw error;
    const hint = osGiven ? '' : ' (the request names no OperatingSystem, so this is a WINDOWS baseline, as in SSM; name the operating system the baseline is for)';
    throw new ApiError(error.code, `${error.message}${hint}`);
  }
  if (rules.Sources.length > 0 && (rules.OperatingSystem === 'WINDOWS' || rules.OperatingSystem === 'MACOS')) {
    throw new ApiError('ValidationException', `Sources (alternative patch repositories) apply to Linux baselines only, not ${rules.OperatingSystem}`);
  }
}

export function baselineName(input: Input, required: boolean): string | undefined {
  const name = optionalString(input, 'Name', { min: 3, max: 128, pattern: BASELINE_NAME });
  if (required && name === undefined) throw violation('name', null, 'Member must not be null');
  return name;
}
