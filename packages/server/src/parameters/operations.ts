import { ApiError, constraintViolations } from '../api/errors.js';
import type { CallContext, Input, Operation } from '../api/operation.js';
import { pageByKey } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, parseTag, requiredString, type Tag } from '../api/validate.js';
import { BY_PATH_FILTERS, DESCRIBE_FILTERS, parseLegacyFilters, parseParameterFilters } from './parameter-filters.js';
import { MAX_NAME_FIELD, parameterArn, parseSelector } from './parameter-names.js';
import { policiesView } from './parameter-policies.js';
import { PARAMETER_TYPES, currentVersion, type ParameterType, type StoredParameter, type StoredVersion } from './parameter-records.js';
import type { ParameterService, PutParameterRequest } from './parameter-service.js';

const NAME = { min: 1, max: MAX_NAME_FIELD };
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'];
const MAX_TAGS = 50;
const EVENT_ID = /^\d{1,16}$/;

type Scope = Pick<CallContext, 'region' | 'accountId'>;

function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `${field} must be true or false`);
  return value;
}

function enumValue<T extends string>(input: Input, field: string, allowed: readonly string[]): T | undefined {
  const value = optionalString(input, field);
  if (value !== undefined && !allowed.includes(value)) {
    throw constraintViolations([{ value, member: field.charAt(0).toLowerCase() + field.slice(1), constraint: `Member must satisfy enum value set: [${allowed.join(', ')}]` }]);
  }
  return value as T | undefined;
}

/** The value is never echoed in an error: messages reach the caller and the audit trail. */
function requiredValue(input: Input): string {
  const value = input.Value;
  if (value === undefined || value === null) throw new ApiError('ValidationException', "1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null");
  if (typeof value !== 'string') throw new ApiError('SerializationException', 'Value must be a string');
  return value;
}

function names(input: Input): string[] {
  return optionalList(input, 'Names', (value, index) => {
    if (typeof value !== 'string' || value.length < 1 || value.length > MAX_NAME_FIELD) throw new ApiError('ValidationException', `Names[${index}] must be a parameter name of 1 to ${MAX_NAME_FIELD} characters`);
    return value;
  }, { min: 1, max: 10 }) ?? (() => {
    throw new ApiError('ValidationException', "1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null");
  })();
}

function labels(input: Input): string[] {
  const list = optionalList(input, 'Labels', (value, index) => {
    if (typeof value !== 'string') throw new ApiError('SerializationException', `Labels[${index}] must be a string`);
    return value;
  }, { min: 1, max: 10 });
  if (!list) throw new ApiError('ValidationException', "1 validation error detected: Value null at 'labels' failed to satisfy constraint: Member must not be null");
  return list;
}

function tags(input: Input): Tag[] | undefined {
  const list = optionalList(input, 'Tags', parseTag, { max: 1000 });
  if (!list) return undefined;
  const unique = new Map(list.map((t) => [t.Key, t]));
  if (unique.size > MAX_TAGS) throw new ApiError('TooManyTagsError', `A parameter can have at most ${MAX_TAGS} tags; this request gives ${unique.size}`);
  return [...unique.values()];
}

/** The ARN a call names for the policy check (the handler refuses a malformed name itself). */
function arnOfName(raw: unknown, scope: Scope): string {
  if (typeof raw !== 'string') return parameterArn(scope, '');
  try {
    return parameterArn(scope, parseSelector(raw, scope).name);
  } catch {
    return parameterArn(scope, raw.trim());
  }
}

function arnsOfNames(raw: unknown, scope: Scope): string[] {
  return Array.isArray(raw) ? [...new Set(raw.map((n) => arnOfName(n, scope)))] : [];
}

function metadata(service: ParameterService, record: StoredParameter, version: StoredVersion = currentVersion(record)) {
  return {
    Name: record.Name,
    ARN: service.arnOf(record.Name),
    Type: version.Type,
    ...(version.KeyId !== undefined ? { KeyId: version.KeyId } : {}),
    LastModifiedDate: Date.parse(version.LastModifiedDate) / 1000,
    LastModifiedUser: version.LastModifiedUser,
    ...(version.Description !== undefined ? { Description: version.Description } : {}),
    ...(version.AllowedPattern !== undefined ? { AllowedPattern: version.AllowedPattern } : {}),
    Version: version.Version,
    Tier: version.Tier,
    Policies: policiesView(version.Policies) ?? [],
    DataType: version.DataType,
  };
}

/** GetParametersByPath and DescribeParameters list by name, and page from the last name shown. */
const nameOf = ({ record }: { record: { Name: string } }) => record.Name;

/** The Parameter Store API (SSM's parameter operations) and Tender's ReEncryptParameters / GetParameterEvents. */
export function parameterOperations(parameters: ParameterService): Operation[] {
  const byName = (input: Input, scope: Scope) => [arnOfName(input.Name, scope)];
  return [
    {
      service: 'AmazonSSM',
      name: 'PutParameter',
      resources: byName,
      handle: async (input, context) => {
        const request: PutParameterRequest = {
          name: requiredString(input, 'Name', NAME),
          value: requiredValue(input),
          type: enumValue<ParameterType>(input, 'Type', PARAMETER_TYPES),
          description: optionalString(input, 'Description', { max: 1024 }),
          keyId: optionalString(input, 'KeyId', { min: 1, max: 256, pattern: /^([a-zA-Z0-9:/_-]+)$/ }),
          overwrite: optionalBoolean(input, 'Overwrite'),
          allowedPattern: optionalString(input, 'AllowedPattern', { max: 1024 }),
          tags: tags(input),
          tier: enumValue(input, 'Tier', TIERS),
          policies: optionalString(input, 'Policies', { min: 1, max: 4096 }),
          dataType: optionalString(input, 'DataType', { max: 128 }),
        };
        return parameters.put(context.caller, request);
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetParameter',
      resources: byName,
      handle: async (input, context) => ({ Parameter: await parameters.get(context.caller, requiredString(input, 'Name', NAME), optionalBoolean(input, 'WithDecryption') ?? false) }),
    },
    {
      service: 'AmazonSSM',
      name: 'GetParameters',
      resources: (input, scope) => arnsOfNames(input.Names, scope),
      handle: async (input, context) => parameters.getMany(context.caller, names(input), optionalBoolean(input, 'WithDecryption') ?? false),
    },
    {
      service: 'AmazonSSM',
      name: 'GetParametersByPath',
      // Checked per parameter inside: the caller sees only the parameters its policy allows.
      resources: () => [],
      handle: async (input, context) => {
        const path = requiredString(input, 'Path', NAME);
        const filters = parseParameterFilters(input, BY_PATH_FILTERS, 'GetParametersByPath');
        const found = await parameters.underPath(context.caller, path, optionalBoolean(input, 'Recursive') ?? false, filters);
        const { page, nextToken } = await pageByKey(found, nameOf, { operation: 'GetParametersByPath', maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken'), defaultMax: 10, max: 10 });
        const withDecryption = optionalBoolean(input, 'WithDecryption') ?? false;
        const views = [];
        for (const { record, version } of page) views.push(await parameters.view(context.caller, record, version, withDecryption));
        return { Parameters: views, NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeParameters',
      resources: () => [],
      handle: async (input, context) => {
        const legacy = parseLegacyFilters(input);
        const current = parseParameterFilters(input, DESCRIBE_FILTERS, 'DescribeParameters');
        if (legacy.length > 0 && current.length > 0) throw new ApiError('ValidationException', 'You can use either Filters or ParameterFilters in a single request.');
        // Parameters shared from other accounts: a Tender control plane is one account, so there are none.
        const found = optionalBoolean(input, 'Shared') ? [] : await parameters.describe(context.caller, [...legacy, ...current]);
        const { page, nextToken } = await pageByKey(found, nameOf, { operation: 'DescribeParameters', maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken'), defaultMax: 50, max: 50 });
        return { Parameters: page.map(({ record }) => metadata(parameters, record)), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetParameterHistory',
      resources: byName,
      handle: async (input, context) => {
        const record = await parameters.history(requiredString(input, 'Name', NAME));
        const withDecryption = optionalBoolean(input, 'WithDecryption') ?? false;
        const { page, nextToken } = await pageByKey(record.versions, (version) => version.Version, { operation: 'GetParameterHistory', maxResults: optionalInteger(input, 'MaxResults'), nextToken: optionalString(input, 'NextToken'), defaultMax: 50, max: 50 });
        const history = [];
        for (const version of page) {
          const { ARN: _arn, ...rest } = metadata(parameters, record, version);
          history.push({ ...rest, Value: await parameters.valueOf(context.caller, record.Name, version, withDecryption), Labels: version.Labels });
        }
        return { Parameters: history, NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'LabelParameterVersion',
      resources: byName,
      handle: async (input) => parameters.label(requiredString(input, 'Name', NAME), optionalInteger(input, 'ParameterVersion', { min: 1 }), labels(input)),
    },
    {
      service: 'AmazonSSM',
      name: 'UnlabelParameterVersion',
      resources: byName,
      handle: async (input) => {
        const version = optionalInteger(input, 'ParameterVersion', { min: 1 });
        if (version === undefined) throw new ApiError('ValidationException', "1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null");
        return parameters.unlabel(requiredString(input, 'Name', NAME), version, labels(input));
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteParameter',
      resources: byName,
      handle: async (input) => {
        await parameters.delete(requiredString(input, 'Name', NAME));
        return {};
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteParameters',
      resources: (input, scope) => arnsOfNames(input.Names, scope),
      handle: async (input) => parameters.deleteMany(names(input)),
    },
    {
      service: 'Tender',
      name: 'ReEncryptParameters',
      handle: async (input) => parameters.reEncrypt(optionalString(input, 'KeyId', { min: 1, max: 2048, pattern: /^[a-zA-Z0-9:/_-]+$/ })),
    },
    {
      service: 'Tender',
      name: 'GetParameterEvents',
      handle: async (input) => {
        const after = optionalString(input, 'After', { max: 16 });
        if (after !== undefined && after !== '' && !EVENT_ID.test(after)) throw new ApiError('ValidationException', 'After must be the Cursor (or an event Id) a previous GetParameterEvents returned');
        const max = optionalInteger(input, 'MaxResults', { min: 1, max: 1000 }) ?? 100;
        const { events, cursor } = parameters.readEvents(after ? after.padStart(16, '0') : undefined, max);
        return { Events: events.map((e) => ({ ...e, Time: Date.parse(e.Time) / 1000 })), Cursor: cursor };
      },
    },
  ];
}
