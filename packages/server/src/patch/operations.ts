/**
 * The Patch Manager API: baselines (Create/Update/Get/Delete/DescribePatchBaselines, Get/RegisterDefaultPatchBaseline),
 * patch groups (Register/DeregisterPatchBaselineForPatchGroup, GetPatchBaselineForPatchGroup, DescribePatchGroups,
 * DescribePatchGroupState), patch properties and patches (DescribePatchProperties, DescribeAvailablePatches,
 * DescribeEffectivePatchesForPatchBaseline), snapshots (GetDeployablePatchSnapshotForInstance) and results
 * (DescribeInstancePatches, DescribeInstancePatchStates, DescribeInstancePatchStatesForPatchGroup).
 */
import { patchFilterKeys, patchListMatches, patchPropertyValues, evaluatePatch, type PatchCandidate } from '@tender/patch-baseline';
import type { PatchOperatingSystem } from '@tender/plugin-api';
import { PATCH_SNAPSHOT_FETCH_PREFIX } from '@tender/protocol';
import { ApiError } from '../api/errors.js';
import { ssmArn, type CallContext, type Input, type Operation } from '../api/operation.js';
import { byKey, pageByKey, paginate, type SortKey } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, requiredString } from '../api/validate.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { BASELINE_ID, OPERATING_SYSTEMS, PATCH_GROUP } from './baseline-input.js';
import { registrationOrder, type PatchBaselineRecord } from './baseline-records.js';
import { operatingSystemOf, productOf } from './instance-patch-facts.js';
import type { PatchBaselineService } from './patch-baseline-service.js';
import { normalizedState, readInstancePatchStateFilters, readOrchestratorFilters } from './patch-filters.js';
import { KNOWN_PRODUCTS } from './patch-products.js';
import type { InstancePatch } from './patch-report.js';
import type { PatchSnapshots } from './patch-snapshots.js';
import type { PatchStateService } from './patch-state-service.js';
import { baselineIdentity, describeBaseline, describeInstancePatch, describeInstancePatchState } from './patch-views.js';

const INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
const BASELINE_PAGE = { defaultMax: 100, min: 1, max: 100 };
const COMPLIANCE_PAGE = { defaultMax: 50, min: 10, max: 100 };
const PATCH_PROPERTIES = ['PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION', 'MSRC_SEVERITY', 'PRIORITY', 'SEVERITY'];

export interface PatchOperationsDeps {
  baselines: PatchBaselineService;
  snapshots: PatchSnapshots;
  states: PatchStateService;
  instances: { get(instanceId: string): InstanceRecord | undefined; all(): InstanceRecord[] };
  /** The API's base URL, for SnapshotDownloadUrl. */
  endpoint: () => string | undefined;
}

function baselineId(input: Input): string {
  return requiredString(input, 'BaselineId', { min: 20, max: 128, pattern: BASELINE_ID });
}

function patchGroup(input: Input): string {
  return requiredString(input, 'PatchGroup', { min: 1, max: 256, pattern: PATCH_GROUP });
}

function operatingSystem(input: Input, required: boolean): PatchOperatingSystem | undefined {
  const value = input.OperatingSystem;
  if (value === undefined || value === null) {
    if (required) throw new ApiError('ValidationException', "1 validation error detected: Value null at 'operatingSystem' failed to satisfy constraint: Member must not be null");
    return undefined;
  }
  if (typeof value !== 'string' || !(OPERATING_SYSTEMS as readonly string[]).includes(value)) {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${String(value)}' at 'operatingSystem' failed to satisfy constraint: Member must satisfy enum value set: [${OPERATING_SYSTEMS.join(', ')}]`);
  }
  return value as PatchOperatingSystem;
}

function page(input: Input) {
  return { maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken') };
}

function registeredInstance(deps: PatchOperationsDeps, instanceId: string) {
  const record = deps.instances.get(instanceId);
  if (!record) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance`);
  return record;
}

/** Every patch the fleet reported, with the reporting instance's operating system and product. */
function fleetPatches(deps: PatchOperationsDeps): Array<{ patch: InstancePatch; operatingSystem?: PatchOperatingSystem; product?: string }> {
  const all: Array<{ patch: InstancePatch; operatingSystem?: PatchOperatingSystem; product?: string }> = [];
  for (const record of deps.instances.all()) {
    const os = operatingSystemOf(record);
    const product = productOf(record);
    for (const patch of deps.states.patches(record.InstanceId)) all.push({ patch, ...(os ? { operatingSystem: os } : {}), ...(product ? { product } : {}) });
  }
  return all;
}

/** A reported patch as SSM's Patch shape (DescribeAvailablePatches, DescribeEffectivePatchesForPatchBaseline). */
function describePatch(patch: InstancePatch, operatingSystem: PatchOperatingSystem | undefined, product: string | undefined) {
  const windows = operatingSystem === 'WINDOWS';
  return {
    Id: windows ? patch.KBId : `${patch.KBId}${patch.Version ? `:${patch.Version}` : ''}`,
    Title: patch.Title,
    ...(product ? { Product: product } : {}),
    Classification: patch.Classification,
    ...(windows ? { MsrcSeverity: patch.Severity, KbNumber: patch.KBId } : { Severity: patch.Severity, Name: patch.KBId }),
    ...(patch.Version ? { Version: patch.Version } : {}),
    ...(patch.CVEIds ? { CVEIds: patch.CVEIds.split(',').map((id) => id.trim()).filter(Boolean) } : {}),
  };
}

function uniquePatches(deps: PatchOperationsDeps) {
  const seen = new Map<string, ReturnType<typeof describePatch> & { operatingSystem?: PatchOperatingSystem; patch: InstancePatch }>();
  for (const { patch, operatingSystem: os, product } of fleetPatches(deps)) {
    const described = describePatch(patch, os, product);
    const key = `${described.Product ?? ''}\u0000${described.Id}`;
    if (!seen.has(key)) seen.set(key, { ...described, ...(os ? { operatingSystem: os } : {}), patch });
  }
  return [...seen.values()].sort(byKey(patchOrder));
}

/** The order patches are listed in, by product and id (DescribeAvailablePatches' NextToken holds the last one shown). */
function patchOrder(patch: { Product?: string; Id: string }): SortKey {
  return [patch.Product ?? '', patch.Id];
}

const byInstanceId = (state: { InstanceId: string }) => state.InstanceId;

export function patchOperations(deps: PatchOperationsDeps): Operation[] {
  const { baselines, snapshots, states } = deps;
  const baselineArn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) => {
    const id = input.BaselineId;
    if (typeof id !== 'string' || id === '') return ['*'];
    return [id.startsWith('arn:') ? id : ssmArn(context, `patchbaseline/${id}`)];
  };
  const instanceArn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) =>
    typeof input.InstanceId === 'string' ? [ssmArn(context, `managed-instance/${input.InstanceId}`)] : ['*'];
  const identity = async (record: PatchBaselineRecord) => baselineIdentity(record, await baselines.isDefault(record));

  return [
    {
      service: 'AmazonSSM',
      name: 'CreatePatchBaseline',
      async handle(input) {
        return { BaselineId: (await baselines.create(input)).BaselineId };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'UpdatePatchBaseline',
      resources: baselineArn,
      async handle(input) {
        return describeBaseline(await baselines.update(baselineId(input), input));
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetPatchBaseline',
      resources: baselineArn,
      async handle(input) {
        const record = await baselines.get(baselineId(input));
        return describeBaseline(record, await baselines.groupsOf(record.BaselineId));
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeletePatchBaseline',
      resources: baselineArn,
      async handle(input) {
        return { BaselineId: await baselines.delete(baselineId(input)) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribePatchBaselines',
      async handle(input) {
        const filters = readOrchestratorFilters(input.Filters, ['NAME_PREFIX', 'OWNER', 'OPERATING_SYSTEM'], 'ValidationException');
        const matching = (await baselines.all()).filter((record) =>
          filters.every(({ Key, Values }) => {
            if (Values.length === 0) return true;
            if (Key === 'NAME_PREFIX') return Values.some((prefix) => record.Name.startsWith(prefix));
            if (Key === 'OWNER') return Values.some((owner) => owner === 'All' || (owner === 'AWS' && record.predefined === true) || (owner === 'Self' && !record.predefined));
            return Values.includes(record.OperatingSystem);
          }),
        );
        const { page: shown, nextToken } = await pageByKey(matching, (record) => baselines.listingOrder(record), { operation: 'DescribePatchBaselines', ...BASELINE_PAGE, ...page(input) });
        return { BaselineIdentities: await Promise.all(shown.map(identity)), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetDefaultPatchBaseline',
      async handle(input) {
        const os = operatingSystem(input, false) ?? 'WINDOWS';
        return { BaselineId: (await baselines.defaultFor(os)).BaselineId, OperatingSystem: os };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'RegisterDefaultPatchBaseline',
      resources: baselineArn,
      async handle(input) {
        return { BaselineId: await baselines.registerDefault(baselineId(input)) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'RegisterPatchBaselineForPatchGroup',
      resources: baselineArn,
      async handle(input) {
        const registration = await baselines.registerGroup(baselineId(input), patchGroup(input));
        return { BaselineId: registration.BaselineId, PatchGroup: registration.PatchGroup };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeregisterPatchBaselineForPatchGroup',
      resources: baselineArn,
      async handle(input) {
        const registration = await baselines.deregisterGroup(baselineId(input), patchGroup(input));
        return { BaselineId: registration.BaselineId, PatchGroup: registration.PatchGroup };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetPatchBaselineForPatchGroup',
      async handle(input) {
        const group = patchGroup(input);
        const os = operatingSystem(input, false) ?? 'WINDOWS';
        return { BaselineId: (await baselines.baselineForGroup(group, os)).BaselineId, PatchGroup: group, OperatingSystem: os };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribePatchGroups',
      async handle(input) {
        const filters = readOrchestratorFilters(input.Filters, ['NAME_PREFIX', 'OPERATING_SYSTEM'], 'ValidationException');
        const registrations = (await baselines.registrations()).filter((r) =>
          filters.every(({ Key, Values }) => Values.length === 0 || (Key === 'NAME_PREFIX' ? Values.some((prefix) => r.PatchGroup.startsWith(prefix)) : Values.includes(r.OperatingSystem))),
        );
        const { page: shown, nextToken } = await pageByKey(registrations, registrationOrder, { operation: 'DescribePatchGroups', ...BASELINE_PAGE, ...page(input) });
        const mappings = await Promise.all(shown.map(async (r) => ({ PatchGroup: r.PatchGroup, BaselineIdentity: await identity(await baselines.get(r.BaselineId)) })));
        return { Mappings: mappings, NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribePatchGroupState',
      async handle(input) {
        return states.groupState(patchGroup(input));
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribePatchProperties',
      async handle(input) {
        const os = operatingSystem(input, true)!;
        const property = requiredString(input, 'Property');
        if (!PATCH_PROPERTIES.includes(property)) throw new ApiError('ValidationException', `1 validation error detected: Value '${property}' at 'property' failed to satisfy constraint: Member must satisfy enum value set: [${PATCH_PROPERTIES.join(', ')}]`);
        const patchSet = optionalString(input, 'PatchSet');
        if (patchSet !== undefined && patchSet !== 'OS' && patchSet !== 'APPLICATION') throw new ApiError('ValidationException', `PatchSet must be OS or APPLICATION, not ${patchSet}`);
        if (!patchFilterKeys(os).includes(property)) {
          throw new ApiError('ValidationException', `${property} is not a patch property of ${os}; its properties: ${patchFilterKeys(os).filter((k) => PATCH_PROPERTIES.includes(k)).join(', ')}`);
        }
        let values: string[];
        if (property === 'PRODUCT') {
          const reported = deps.instances.all().filter((r) => operatingSystemOf(r) === os).map((r) => productOf(r)).filter((p): p is string => p !== undefined);
          values = [...new Set([...KNOWN_PRODUCTS[os], ...reported])].sort();
        } else if (property === 'PRODUCT_FAMILY') {
          values = patchSet === 'APPLICATION' ? ['Office', 'SQL Server', 'Exchange', 'Visual Studio'] : ['Windows'];
        } else {
          values = patchPropertyValues(os, property) ?? [];
        }
        const { page: shown, nextToken } = paginate(values, { operation: 'DescribePatchProperties', defaultMax: 50, min: 1, max: 50, ...page(input) });
        return { Properties: shown.map((name) => ({ Name: name })), NextToken: nextToken };
      },
    },
    {
      // Tender lists the patches its fleet's scans reported (it has no vendor catalogue): every distinct patch per
      // product, as SSM's Patch shape.
      service: 'AmazonSSM',
      name: 'DescribeAvailablePatches',
      async handle(input) {
        const filters = readOrchestratorFilters(input.Filters, ['PRODUCT', 'NAME', 'CLASSIFICATION', 'SEVERITY', 'MSRC_SEVERITY', 'PATCH_ID', 'CVE_ID'], 'ValidationException');
        const matching = uniquePatches(deps).filter((p) =>
          filters.every(({ Key, Values }) => {
            if (Values.length === 0) return true;
            const field: Record<string, Array<string | undefined>> = {
              PRODUCT: [p.Product],
              NAME: [p.patch.KBId],
              PATCH_ID: [p.patch.KBId, p.Id],
              CLASSIFICATION: [p.patch.Classification],
              SEVERITY: [p.patch.Severity],
              MSRC_SEVERITY: [p.patch.Severity],
              CVE_ID: p.CVEIds ?? [],
            };
            return Values.some((v) => (field[Key] ?? []).includes(v));
          }),
        );
        const { page: shown, nextToken } = await pageByKey(matching, patchOrder, { operation: 'DescribeAvailablePatches', ...BASELINE_PAGE, ...page(input) });
        return { Patches: shown.map(({ operatingSystem: _os, patch: _patch, ...described }) => described), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeEffectivePatchesForPatchBaseline',
      resources: baselineArn,
      async handle(input) {
        const record = await baselines.get(baselineId(input));
        if (record.OperatingSystem !== 'WINDOWS') throw new ApiError('UnsupportedOperatingSystem', `DescribeEffectivePatchesForPatchBaseline applies to Windows baselines only; ${record.BaselineId} is for ${record.OperatingSystem}`);
        const rules = {
          operatingSystem: record.OperatingSystem,
          globalFilters: record.GlobalFilters.PatchFilters,
          approvalRules: record.ApprovalRules.PatchRules,
          approvedPatches: record.ApprovedPatches,
          approvedPatchesComplianceLevel: record.ApprovedPatchesComplianceLevel,
          approvedPatchesEnableNonSecurity: record.ApprovedPatchesEnableNonSecurity,
          rejectedPatches: record.RejectedPatches,
          rejectedPatchesAction: record.RejectedPatchesAction,
          createdAt: new Date().toISOString(),
        };
        const effective = uniquePatches(deps)
          .filter((p) => p.operatingSystem === 'WINDOWS')
          .map(({ operatingSystem: _os, patch, ...described }) => {
            const candidate: PatchCandidate = { name: patch.KBId, kbId: patch.KBId, title: patch.Title, classification: patch.Classification, severity: patch.Severity, ...(described.Product ? { product: described.Product } : {}), security: /security/i.test(patch.Classification) };
            const decision = evaluatePatch(rules, candidate);
            const explicit = patchListMatches('WINDOWS', record.ApprovedPatches, candidate, 'available') !== undefined;
            const status = decision.rejected ? 'EXPLICIT_REJECTED' : decision.approved ? (explicit ? 'EXPLICIT_APPROVED' : 'APPROVED') : 'PENDING_APPROVAL';
            return { Patch: described, PatchStatus: { DeploymentStatus: status, ComplianceLevel: decision.complianceLevel } };
          });
        const { page: shown, nextToken } = await pageByKey(effective, (entry) => patchOrder(entry.Patch), { operation: 'DescribeEffectivePatchesForPatchBaseline', ...BASELINE_PAGE, ...page(input) });
        return { EffectivePatches: shown, NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetDeployablePatchSnapshotForInstance',
      resources: instanceArn,
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID });
        const snapshotId = requiredString(input, 'SnapshotId', { min: 36, max: 36 });
        const override = input.BaselineOverride as Input | undefined;
        const { product } = await snapshots.deployable(registeredInstance(deps, instanceId), snapshotId, override);
        const endpoint = deps.endpoint();
        return {
          InstanceId: instanceId,
          SnapshotId: snapshotId,
          // The agent's signed route (PUT, with the agent's key); an API caller reads the snapshot's rules with GetPatchBaseline.
          ...(endpoint ? { SnapshotDownloadUrl: `${endpoint}${PATCH_SNAPSHOT_FETCH_PREFIX}${snapshotId}` } : {}),
          ...(product ? { Product: product } : {}),
        };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeInstancePatches',
      resources: instanceArn,
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID });
        registeredInstance(deps, instanceId);
        const filters = readOrchestratorFilters(input.Filters, ['Classification', 'KBId', 'Severity', 'State'], 'InvalidFilter');
        const matching = states.patches(instanceId).filter((patch) =>
          filters.every(({ Key, Values }) => {
            if (Values.length === 0) return true;
            if (Key === 'State') return Values.some((v) => normalizedState(v) === normalizedState(patch.State));
            const value = Key === 'Classification' ? patch.Classification : Key === 'KBId' ? patch.KBId : patch.Severity;
            return Values.includes(value);
          }),
        );
        const { page: shown, nextToken } = paginate(matching, { operation: 'DescribeInstancePatches', ...COMPLIANCE_PAGE, ...page(input) });
        return { Patches: shown.map(describeInstancePatch), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeInstancePatchStates',
      async handle(input) {
        const ids = optionalList(input, 'InstanceIds', (value, i) => {
          if (typeof value !== 'string' || !INSTANCE_ID.test(value)) throw new ApiError('ValidationException', `1 validation error detected: Value '${String(value)}' at 'instanceIds.${i + 1}.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ${INSTANCE_ID.source}`);
          return value;
        }, { min: 0, max: 50 });
        if (ids === undefined) throw new ApiError('ValidationException', "1 validation error detected: Value null at 'instanceIds' failed to satisfy constraint: Member must not be null");
        const found = (await Promise.all([...new Set(ids)].map((id) => states.state(id)))).filter((s) => s !== undefined).sort(byKey(byInstanceId));
        const { page: shown, nextToken } = await pageByKey(found, byInstanceId, { operation: 'DescribeInstancePatchStates', ...COMPLIANCE_PAGE, ...page(input) });
        return { InstancePatchStates: shown.map(describeInstancePatchState), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeInstancePatchStatesForPatchGroup',
      async handle(input) {
        const group = patchGroup(input);
        const matches = readInstancePatchStateFilters(input.Filters);
        const members = new Set(states.instancesIn(group).map((r) => r.InstanceId));
        const found = (await states.states()).filter((s) => members.has(s.InstanceId) && matches(s));
        const { page: shown, nextToken } = await pageByKey(found, byInstanceId, { operation: 'DescribeInstancePatchStatesForPatchGroup', ...COMPLIANCE_PAGE, ...page(input) });
        return { InstancePatchStates: shown.map(describeInstancePatchState), NextToken: nextToken };
      },
    },
  ];
}
