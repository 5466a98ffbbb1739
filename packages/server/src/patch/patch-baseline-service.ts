/**
 * Patch baselines on the control plane: the predefined ones (read-only, one default per operating system until
 * RegisterDefaultPatchBaseline names another), custom ones (Create/Update/Get/Delete/Describe), and patch groups
 * (one baseline per group and operating system). Every check runs before the single write it guards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PREDEFINED_PATCH_BASELINES } from '@tender/patch-baseline';
import type { PatchOperatingSystem } from '@tender/plugin-api';
import { ApiError } from '../api/errors.js';
import { byKey, type SortKey } from '../api/pagination.js';
import type { Input } from '../api/operation.js';
import { optionalList, optionalString, parseTag } from '../api/validate.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { Store, Table } from '../store/store.js';
import { baselineName, checkBaselineRules, completeRules, readBaselineFields } from './baseline-input.js';
import { registrationKey, registrationOrder, type PatchBaselineRecord, type PatchGroupRegistration } from './baseline-records.js';
import { operatingSystemOf, patchGroupOf } from './instance-patch-facts.js';

/** SSM's quotas: patch baselines per account (custom), patch groups per patch baseline. */
export const MAX_BASELINES = 50;
export const MAX_GROUPS_PER_BASELINE = 25;

const CUSTOM_ID = /^pb-[0-9a-f]{17}$/;

export interface PatchBaselineServiceOptions {
  store: Store;
  region: string;
  accountId: string;
  now?: () => Date;
  limits?: { baselines?: number; groupsPerBaseline?: number };
}

export function doesNotExist(message: string): ApiError {
  return new ApiError('DoesNotExistException', message);
}

export class PatchBaselineService {
  private readonly baselines: Table<PatchBaselineRecord>;
  private readonly defaults: Table<{ OperatingSystem: PatchOperatingSystem; BaselineId: string }>;
  private readonly groups: Table<PatchGroupRegistration>;
  private readonly predefined: PatchBaselineRecord[];
  private readonly now: () => Date;

  constructor(private readonly options: PatchBaselineServiceOptions) {
    this.baselines = options.store.table('patch-baselines');
    this.defaults = options.store.table('patch-default-baselines');
    this.groups = options.store.table('patch-groups');
    this.now = options.now ?? (() => new Date());
    this.predefined = PREDEFINED_PATCH_BASELINES.map((baseline) => ({
      BaselineId: this.predefinedArn(baseline.baselineId),
      Name: baseline.name,
      Description: baseline.description,
      OperatingSystem: baseline.operatingSystem,
      GlobalFilters: { PatchFilters: baseline.globalFilters },
      ApprovalRules: { PatchRules: baseline.approvalRules },
      ApprovedPatches: baseline.approvedPatches,
      ApprovedPatchesComplianceLevel: baseline.approvedPatchesComplianceLevel,
      ApprovedPatchesEnableNonSecurity: baseline.approvedPatchesEnableNonSecurity,
      RejectedPatches: baseline.rejectedPatches,
      RejectedPatchesAction: baseline.rejectedPatchesAction,
      Sources: [],
      CreatedDate: '2025-01-01T00:00:00.000Z',
      ModifiedDate: '2025-01-01T00:00:00.000Z',
      Tags: [],
      predefined: true,
    }));
  }

  /** Predefined baselines are named by ARN, as SSM names its own (`arn:aws:ssm:<region>:<account>:patchbaseline/pb-...`). */
  private predefinedArn(id: string): string {
    return `arn:aws:ssm:${this.options.region}:${this.options.accountId}:patchbaseline/${id}`;
  }

  static newBaselineId(): string {
    return `pb-${randomBytes(9).toString('hex').slice(0, 17)}`;
  }

  // ---- Baselines ---------------------------------------------------------------------------------------------

  /** A baseline by id: `pb-...`, or an ARN (the predefined ones are named by theirs; a custom one may be). */
  async get(baselineId: string): Promise<PatchBaselineRecord> {
    const found = await this.find(baselineId);
    if (!found) throw doesNotExist(`Patch Baseline ${baselineId} does not exist.`);
    return found;
  }

  private async find(baselineId: string): Promise<PatchBaselineRecord | undefined> {
    const predefined = this.predefined.find((b) => b.BaselineId === baselineId || b.BaselineId.endsWith(`/${baselineId}`));
    if (predefined) return structuredClone(predefined);
    const id = baselineId.startsWith('arn:') ? this.customIdOfArn(baselineId) : baselineId;
    if (id === undefined) return undefined;
    if (!CUSTOM_ID.test(id)) throw new ApiError('InvalidResourceId', `${baselineId} is not a patch baseline id (pb- and 17 hexadecimal digits, or a patch baseline ARN)`);
    return this.baselines.get(id);
  }

  private customIdOfArn(arn: string): string | undefined {
    const prefix = this.predefinedArn('');
    if (!arn.startsWith(prefix)) return undefined;
    return arn.slice(prefix.length);
  }

  /** Every baseline in listingOrder. */
  async all(): Promise<PatchBaselineRecord[]> {
    const custom = (await this.baselines.list()).sort(byKey((record) => this.listingOrder(record)));
    return [...this.predefined.map((b) => structuredClone(b)), ...custom];
  }

  /** The order DescribePatchBaselines lists in (its NextToken holds the last one shown): the predefined baselines as shipped, then custom ones oldest first. */
  listingOrder(record: PatchBaselineRecord): SortKey {
    const shipped = this.predefined.findIndex((b) => b.BaselineId === record.BaselineId);
    return shipped >= 0 ? [0, shipped] : [1, record.CreatedDate, record.BaselineId];
  }

  async create(input: Input): Promise<PatchBaselineRecord> {
    const name = baselineName(input, true)!;
    const description = optionalString(input, 'Description', { min: 1, max: 1024 });
    const clientToken = optionalString(input, 'ClientToken', { min: 1, max: 64 });
    const tags = optionalList(input, 'Tags', parseTag, { max: 1000 }) ?? [];
    const fields = readBaselineFields(input);
    const rules = completeRules(fields);
    checkBaselineRules(rules, fields.OperatingSystem !== undefined);
    const fingerprint = createHash('sha256').update(JSON.stringify({ name, description, rules, tags })).digest('hex');
    const existing = await this.baselines.list();
    if (clientToken !== undefined) {
      const earlier = existing.find((b) => b.clientToken?.token === clientToken);
      if (earlier) {
        if (earlier.clientToken!.fingerprint !== fingerprint) throw new ApiError('IdempotentParameterMismatch', `ClientToken ${clientToken} was used for a CreatePatchBaseline request with other parameters (baseline ${earlier.BaselineId})`);
        return earlier;
      }
    }
    const limit = this.options.limits?.baselines ?? MAX_BASELINES;
    if (existing.length >= limit) throw new ApiError('ResourceLimitExceededException', `There are already ${existing.length} custom patch baselines, the limit; delete one to create another`);
    const time = this.now().toISOString();
    const record: PatchBaselineRecord = {
      BaselineId: PatchBaselineService.newBaselineId(),
      Name: name,
      ...(description !== undefined ? { Description: description } : {}),
      ...rules,
      CreatedDate: time,
      ModifiedDate: time,
      Tags: tags,
      ...(clientToken !== undefined ? { clientToken: { token: clientToken, fingerprint } } : {}),
    };
    await this.baselines.insert(record.BaselineId, record);
    return record;
  }

  /** UpdatePatchBaseline: the fields given replace the stored ones; with Replace, the ones not given are reset. */
  async update(baselineId: string, input: Input): Promise<PatchBaselineRecord> {
    const current = await this.get(baselineId);
    if (current.predefined) throw new ApiError('ValidationException', `${current.Name} is a predefined patch baseline and cannot be changed; create a baseline of your own (CreatePatchBaseline)`);
    if (input.OperatingSystem !== undefined) throw new ApiError('ValidationException', 'A patch baseline\'s OperatingSystem cannot be changed; create another baseline');
    const name = baselineName(input, false);
    const description = optionalString(input, 'Description', { min: 1, max: 1024 });
    const replace = input.Replace === true;
    const fields = readBaselineFields(input);
    const base = replace ? completeRules({ OperatingSystem: current.OperatingSystem }) : current;
    const rules = completeRules({
      OperatingSystem: current.OperatingSystem,
      GlobalFilters: fields.GlobalFilters ?? base.GlobalFilters,
      ApprovalRules: fields.ApprovalRules ?? base.ApprovalRules,
      ApprovedPatches: fields.ApprovedPatches ?? base.ApprovedPatches,
      ApprovedPatchesComplianceLevel: fields.ApprovedPatchesComplianceLevel ?? base.ApprovedPatchesComplianceLevel,
      ApprovedPatchesEnableNonSecurity: fields.ApprovedPatchesEnableNonSecurity ?? base.ApprovedPatchesEnableNonSecurity,
      RejectedPatches: fields.RejectedPatches ?? base.RejectedPatches,
      RejectedPatchesAction: fields.RejectedPatchesAction ?? base.RejectedPatchesAction,
      Sources: fields.Sources ?? base.Sources,
      ...((fields.AvailableSecurityUpdatesComplianceStatus ?? base.AvailableSecurityUpdatesComplianceStatus) ? { AvailableSecurityUpdatesComplianceStatus: fields.AvailableSecurityUpdatesComplianceStatus ?? base.AvailableSecurityUpdatesComplianceStatus } : {}),
    });
    checkBaselineRules(rules, true);
    const updated = await this.baselines.update(current.BaselineId, (stored) => {
      if (!stored) throw doesNotExist(`Patch Baseline ${baselineId} does not exist.`);
      const next: PatchBaselineRecord = { ...stored, ...rules, Name: name ?? stored.Name, ModifiedDate: this.now().toISOString() };
      if (!rules.AvailableSecurityUpdatesComplianceStatus) delete next.AvailableSecurityUpdatesComplianceStatus;
      if (description !== undefined) next.Description = description;
      else if (replace) delete next.Description;
      return next;
    });
    return updated!;
  }

  async delete(baselineId: string): Promise<string> {
    const record = await this.find(baselineId);
    if (!record) return baselineId; // SSM: deleting what is not there succeeds
    if (record.predefined) throw new ApiError('ValidationException', `${record.Name} is a predefined patch baseline and cannot be deleted`);
    const isDefault = (await this.defaults.list()).some((d) => d.BaselineId === record.BaselineId);
    if (isDefault) throw new ApiError('ResourceInUseException', `Patch baseline ${record.BaselineId} is the default baseline for ${record.OperatingSystem}; register another default first (RegisterDefaultPatchBaseline)`);
    const groups = (await this.groups.list()).filter((g) => g.BaselineId === record.BaselineId).map((g) => g.PatchGroup).sort();
    if (groups.length > 0) throw new ApiError('ResourceInUseException', `Patch baseline ${record.BaselineId} is registered for patch group(s) ${groups.join(', ')}; deregister them first (DeregisterPatchBaselineForPatchGroup)`);
    await this.baselines.delete(record.BaselineId);
    return record.BaselineId;
  }

  // ---- Defaults ----------------------------------------------------------------------------------------------

  async defaultFor(operatingSystem: PatchOperatingSystem): Promise<PatchBaselineRecord> {
    const registered = await this.defaults.get(operatingSystem);
    if (registered) {
      const record = await this.find(registered.BaselineId);
      if (record) return record;
    }
    const predefined = this.predefined.find((b) => b.OperatingSystem === operatingSystem && PREDEFINED_PATCH_BASELINES.find((p) => p.name === b.Name)?.isDefault);
    if (!predefined) throw new ApiError('UnsupportedOperatingSystem', `Tender has no default patch baseline for ${operatingSystem}`);
    return structuredClone(predefined);
  }

  async isDefault(record: PatchBaselineRecord): Promise<boolean> {
    return (await this.defaultFor(record.OperatingSystem)).BaselineId === record.BaselineId;
  }

  async registerDefault(baselineId: string): Promise<string> {
    const record = await this.get(baselineId);
    await this.defaults.put(record.OperatingSystem, { OperatingSystem: record.OperatingSystem, BaselineId: record.BaselineId });
    return record.BaselineId;
  }

  // ---- Patch groups ------------------------------------------------------------------------------------------

  async registerGroup(baselineId: string, patchGroup: string): Promise<PatchGroupRegistration> {
    const record = await this.get(baselineId);
    const all = await this.groups.list();
    const limit = this.options.limits?.groupsPerBaseline ?? MAX_GROUPS_PER_BASELINE;
    if (all.filter((g) => g.BaselineId === record.BaselineId).length >= limit) {
      throw new ApiError('ResourceLimitExceededException', `Patch baseline ${record.BaselineId} is registered for ${limit} patch groups, the limit`);
    }
    const registration: PatchGroupRegistration = { PatchGroup: patchGroup, OperatingSystem: record.OperatingSystem, BaselineId: record.BaselineId };
    const inserted = await this.groups.insert(registrationKey(patchGroup, record.OperatingSystem), registration);
    if (!inserted) {
      const holder = all.find((g) => g.PatchGroup === patchGroup && g.OperatingSystem === record.OperatingSystem);
      throw new ApiError('AlreadyExistsException', `Patch Group ${patchGroup} is already registered with a baseline for operating system ${record.OperatingSystem}${holder ? ` (${holder.BaselineId})` : ''}`);
    }
    return registration;
  }

  async deregisterGroup(baselineId: string, patchGroup: string): Promise<PatchGroupRegistration> {
    const record = await this.find(baselineId);
    const key = record ? registrationKey(patchGroup, record.OperatingSystem) : undefined;
    const registration = key ? await this.groups.get(key) : undefined;
    if (!record || !registration || registration.BaselineId !== record.BaselineId) {
      throw new ApiError('InvalidResourceId', `Patch Group ${patchGroup} is not registered with patch baseline ${baselineId}`);
    }
    await this.groups.delete(key!);
    return registration;
  }

  async groupsOf(baselineId: string): Promise<string[]> {
    return (await this.groups.list()).filter((g) => g.BaselineId === baselineId).map((g) => g.PatchGroup).sort();
  }

  async registrations(): Promise<PatchGroupRegistration[]> {
    return (await this.groups.list()).sort(byKey(registrationOrder));
  }

  /** GetPatchBaselineForPatchGroup: the group's baseline for the operating system, else that system's default. */
  async baselineForGroup(patchGroup: string, operatingSystem: PatchOperatingSystem): Promise<PatchBaselineRecord> {
    const registration = await this.groups.get(registrationKey(patchGroup, operatingSystem));
    const record = registration ? await this.find(registration.BaselineId) : undefined;
    return record ?? this.defaultFor(operatingSystem);
  }

  /** The baseline that applies to an instance: its patch group's for its operating system, or the default. */
  async baselineForInstance(instance: InstanceRecord): Promise<{ baseline: PatchBaselineRecord; patchGroup?: string; operatingSystem: PatchOperatingSystem }> {
    const operatingSystem = operatingSystemOf(instance);
    if (!operatingSystem) {
      const platform = instance.info ? `${instance.info.PlatformName} ${instance.info.PlatformVersion}`.trim() : 'an unknown platform (the agent has not reported one)';
      throw new ApiError('UnsupportedOperatingSystem', `Instance ${instance.InstanceId} runs ${platform}, which has no patch baseline operating system`);
    }
    const patchGroup = patchGroupOf(instance);
    const baseline = patchGroup !== undefined ? await this.baselineForGroup(patchGroup, operatingSystem) : await this.defaultFor(operatingSystem);
    return { baseline, operatingSystem, ...(patchGroup !== undefined ? { patchGroup } : {}) };
  }
}
