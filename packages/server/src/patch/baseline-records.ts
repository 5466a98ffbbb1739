/**
 * A patch baseline as the control plane keeps it: SSM's fields under SSM's names. Custom baselines live in the
 * store (`patch-baselines`); the predefined ones (AWS-UbuntuDefaultPatchBaseline, ...) are built from
 * @tender/patch-baseline's data when the service opens and are never stored.
 */
import type { PatchFilter, PatchOperatingSystem, PatchRule } from '@tender/plugin-api';
import type { SortKey } from '../api/pagination.js';
import type { Tag } from '../api/validate.js';

export type RejectedPatchesAction = 'ALLOW_AS_DEPENDENCY' | 'BLOCK';

export interface PatchSourceEntry {
  Name: string;
  Products: string[];
  Configuration: string;
}

/** The rules of a baseline: what CreatePatchBaseline sets and BaselineOverride carries. */
export interface BaselineRulesFields {
  OperatingSystem: PatchOperatingSystem;
  GlobalFilters: { PatchFilters: PatchFilter[] };
  ApprovalRules: { PatchRules: PatchRule[] };
  ApprovedPatches: string[];
  ApprovedPatchesComplianceLevel: string;
  ApprovedPatchesEnableNonSecurity: boolean;
  RejectedPatches: string[];
  RejectedPatchesAction: RejectedPatchesAction;
  Sources: PatchSourceEntry[];
  AvailableSecurityUpdatesComplianceStatus?: 'COMPLIANT' | 'NON_COMPLIANT';
}

export interface PatchBaselineRecord extends BaselineRulesFields {
  /** `pb-` and 17 hex digits for custom baselines; the full ARN for predefined ones, as SSM shows them. */
  BaselineId: string;
  Name: string;
  Description?: string;
  CreatedDate: string;
  ModifiedDate: string;
  Tags: Tag[];
  /** The CreatePatchBaseline ClientToken and a fingerprint of its request, for idempotent retries. */
  clientToken?: { token: string; fingerprint: string };
  /** Owned by "AWS": read-only. */
  predefined?: boolean;
}

/** One patch group's baseline for one operating system (a group has at most one per operating system). */
export interface PatchGroupRegistration {
  PatchGroup: string;
  OperatingSystem: PatchOperatingSystem;
  BaselineId: string;
}

/** The key of a registration: the group and the operating system it holds a baseline for. */
export function registrationKey(patchGroup: string, operatingSystem: PatchOperatingSystem): string {
  return `${operatingSystem}\u0000${patchGroup}`;
}

/** The order DescribePatchGroups lists registrations in (its NextToken holds the last one shown). */
export function registrationOrder(registration: PatchGroupRegistration): SortKey {
  return [registration.PatchGroup, registration.OperatingSystem];
}
