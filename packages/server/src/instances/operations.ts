import { ApiError } from '../api/errors.js';
import type { Input, Operation } from '../api/operation.js';
import { ssmArn } from '../api/operation.js';
import { ordinal, pageByKey } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, parseStringList, parseTag, requiredString, type Tag } from '../api/validate.js';
import { epochSeconds } from '../api/wire-format.js';
import type { InstanceRecord, InstanceRegistry } from './instance-registry.js';

const INSTANCE_ID = /^mi-[0-9a-f]{17}$/;
const MAX_TAGS = 50;
const LEGACY_KEYS = ['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ActivationIds', 'IamRole', 'ResourceType', 'AssociationStatus'] as const;
type FilterKey = (typeof LEGACY_KEYS)[number];
const ENUMS: Partial<Record<FilterKey, readonly string[]>> = {
  PingStatus: ['Online', 'ConnectionLost', 'Inactive'],
  PlatformTypes: ['Windows', 'Linux', 'MacOS'],
  ResourceType: ['ManagedInstance', 'EC2Instance'],
};

type Predicate = (record: InstanceRecord) => boolean;

function fieldOf(record: InstanceRecord, key: FilterKey): string | undefined {
  switch (key) {
    case 'InstanceIds': return record.InstanceId;
    case 'AgentVersion': return record.info?.AgentVersion;
    case 'PingStatus': return record.PingStatus;
    case 'PlatformTypes': return record.info?.PlatformType;
    case 'ActivationIds': return record.ActivationId;
    case 'IamRole': return record.IamRole;
    case 'ResourceType': return record.ResourceType;
    case 'AssociationStatus': return undefined; // no associations yet: State Manager sets it
  }
}

function predicate(key: string, values: string[], index: number): Predicate {
  if (values.length === 0) throw new ApiError('InvalidInstanceInformationFilterValue', `Filter ${key} needs at least one value`);
  if (key.startsWith('tag:')) {
    const tagKey = key.slice(4);
    return (r) => r.Tags.some((t) => t.Key === tagKey && values.includes(t.Value));
  }
  if (key === 'tag-key') return (r) => r.Tags.some((t) => values.includes(t.Key));
  if (!(LEGACY_KEYS as readonly string[]).includes(key)) {
    throw new ApiError('InvalidFilterKey', `Filters[${index}] key ${JSON.stringify(key)} is not one of ${LEGACY_KEYS.join(', ')}, tag:<key>, tag-key`);
  }
  const allowed = ENUMS[key as FilterKey];
  const bad = allowed && values.find((v) => !allowed.includes(v));
  if (bad) throw new ApiError('InvalidInstanceInformationFilterValue', `${bad} is not a valid ${key} value; valid values: ${allowed.join(', ')}`);
  return (r) => {
    const field = fieldOf(r, key as FilterKey);
    return field !== undefined && values.includes(field);
  };
}

/** Both filter styles of DescribeInstanceInformation, as one list of predicates (they may not be mixed). */
function parseFilters(input: Input): Predicate[] {
  const legacy = optionalList(input, 'InstanceInformationFilterList', (value, index) => {
    const f = (value ?? {}) as Input;
    return predicate(requiredString(f, 'key'), optionalList(f, 'valueSet', parseStringList('valueSet')) ?? [], index);
  });
  const modern = optionalList(input, 'Filters', (value, index) => {
    const f = (value ?? {}) as Input;
    return predicate(requiredString(f, 'Key'), optionalList(f, 'Values', parseStringList('Values')) ?? [], index);
  });
  if (legacy?.length && modern?.length) {
    throw new ApiError('InvalidFilterKey', 'InstanceInformationFilterList and Filters cannot be used in the same request');
  }
  return legacy ?? modern ?? [];
}

export function describeInstance(record: InstanceRecord) {
  return {
    InstanceId: record.InstanceId,
    PingStatus: record.PingStatus,
    LastPingDateTime: epochSeconds(record.LastPingDateTime),
    AgentVersion: record.info?.AgentVersion,
    IsLatestVersion: record.info ? true : undefined,
    PlatformType: record.info?.PlatformType,
    PlatformName: record.info?.PlatformName,
    PlatformVersion: record.info?.PlatformVersion,
    ActivationId: record.ActivationId,
    IamRole: record.IamRole,
    RegistrationDate: epochSeconds(record.RegistrationDate),
    ResourceType: record.ResourceType,
    Name: record.Name,
    IPAddress: record.info?.IPAddress,
    ComputerName: record.info?.ComputerName,
    SourceId: record.InstanceId,
    SourceType: 'AWS::SSM::ManagedInstance',
  };
}

export interface InstanceOperationsDeps {
  registry: InstanceRegistry;
  /** Revoke an instance everywhere: broker account, store, live connection. */
  deregister(instanceId: string): Promise<void>;
  isConnected(instanceId: string): boolean;
}

function managedInstance(registry: InstanceRegistry, input: Input): InstanceRecord {
  const type = requiredString(input, 'ResourceType');
  const id = requiredString(input, 'ResourceId');
  if (type !== 'ManagedInstance') {
    throw new ApiError('InvalidResourceType', `Tender supports tags on ManagedInstance resources for now, not ${type}`);
  }
  const record = registry.get(id);
  if (!record) throw new ApiError('InvalidResourceId', `The resource ID ${id} is not valid: no managed instance has it`);
  return record;
}

export function instanceOperations({ registry, deregister, isConnected }: InstanceOperationsDeps): Operation[] {
  const instanceArn = (input: Input, context: { region: string; accountId: string }, field = 'InstanceId') =>
    [ssmArn(context, `managed-instance/${String(input[field] ?? '')}`)];
  return [
    {
      service: 'AmazonSSM',
      name: 'DescribeInstanceInformation',
      async handle(input) {
        const predicates = parseFilters(input);
        const matching = registry
          .all()
          .filter((r) => predicates.every((p) => p(r)))
          .sort((a, b) => ordinal(a.InstanceId, b.InstanceId));
        // From the last instance shown: hosts registering while a caller pages through the fleet repeat none.
        const { page, nextToken } = await pageByKey(matching, (record) => record.InstanceId, {
          operation: 'DescribeInstanceInformation',
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
          defaultMax: 50,
          min: 5,
          max: 50,
        });
        return { InstanceInformationList: page.map(describeInstance), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeregisterManagedInstance',
      resources: (input, context) => instanceArn(input, context),
      async handle(input) {
        const id = requiredString(input, 'InstanceId');
        if (!INSTANCE_ID.test(id) || !registry.get(id)) throw new ApiError('InvalidInstanceId', `Instance ${id} is not a registered managed instance`);
        await deregister(id);
        return {};
      },
    },
    {
      service: 'AmazonSSM',
      name: 'AddTagsToResource',
      resources: (input, context) => instanceArn(input, context, 'ResourceId'),
      async handle(input) {
        const record = managedInstance(registry, input);
        const tags = optionalList(input, 'Tags', parseTag, { min: 1, max: 1000 }) ?? [];
        const merged = new Map<string, Tag>(record.Tags.map((t) => [t.Key, t]));
        for (const tag of tags) merged.set(tag.Key, tag);
        if (merged.size > MAX_TAGS) throw new ApiError('TooManyTagsError', `A managed instance can have at most ${MAX_TAGS} tags; this would make ${merged.size}`);
        await registry.setTags(record.InstanceId, [...merged.values()]);
        return {};
      },
    },
    {
      service: 'AmazonSSM',
      name: 'RemoveTagsFromResource',
      resources: (input, context) => instanceArn(input, context, 'ResourceId'),
      async handle(input) {
        const record = managedInstance(registry, input);
        const keys = optionalList(input, 'TagKeys', parseStringList('TagKeys')) ?? [];
        await registry.setTags(record.InstanceId, record.Tags.filter((t) => !keys.includes(t.Key)));
        return {};
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListTagsForResource',
      resources: (input, context) => instanceArn(input, context, 'ResourceId'),
      async handle(input) {
        return { TagList: managedInstance(registry, input).Tags };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetConnectionStatus',
      resources: (input, context) => instanceArn(input, context, 'Target'),
      async handle(input) {
        const target = requiredString(input, 'Target', { min: 1, max: 400 });
        return { Target: target, Status: registry.get(target) && isConnected(target) ? 'connected' : 'notconnected' };
      },
    },
  ];
}
