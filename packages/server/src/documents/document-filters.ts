/**
 * ListDocuments' two filter styles, as one list of predicates over a document and its default version (the
 * version ListDocuments reports). All filters must match; within one filter, any of its values.
 *
 *   Filters (DocumentKeyValuesFilter, at most 6):
 *     Owner          exactly one value: Self (documents this account created), Amazon (built-ins), Private
 *                    (owned by this account or shared with it: the same as Self, Tender has no sharing),
 *                    Public and ThirdParty (none in Tender), All
 *     Name           name prefixes
 *     PlatformTypes  Windows, Linux, MacOS: documents that run on any of them
 *     DocumentType   Command, Policy, ...
 *     TargetType     exact values, e.g. "/" or "/AWS::EC2::Instance"
 *     SearchKeyword  case-insensitive text in the name, display name or description
 *     tag:<key>      documents with that tag and one of the values (any value when none are given)
 *   DocumentFilterList (deprecated; key and one value): Name (prefix), Owner, PlatformTypes, DocumentType.
 */
import { ApiError, constraintViolations } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import { optionalList, optionalString, parseStringList } from '../api/validate.js';
import type { DeepReadonly } from '../store/store.js';
import { AMAZON_OWNER, type DocumentRecord, type DocumentVersionRecord } from './document-records.js';

export type DocumentPredicate = (record: DeepReadonly<DocumentRecord>, version: DeepReadonly<DocumentVersionRecord>) => boolean;

const OWNERS = ['Self', 'Amazon', 'Private', 'Public', 'ThirdParty', 'All'] as const;
const PLATFORMS = ['Windows', 'Linux', 'MacOS'];
const KEYS = ['Owner', 'Name', 'PlatformTypes', 'DocumentType', 'TargetType', 'SearchKeyword'];
const LEGACY_KEYS = ['Name', 'Owner', 'PlatformTypes', 'DocumentType'];
export const DOCUMENT_TYPES = [
  'Command',
  'Policy',
  'Automation',
  'Session',
  'Package',
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'DeploymentStrategy',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'CloudFormation',
  'ConformancePackTemplate',
  'QuickSetup',
  'ManualApprovalPolicy',
  'AutoApprovalPolicy',
];

function invalidValue(key: string, value: string, valid: readonly string[]): ApiError {
  return new ApiError('ValidationException', `${JSON.stringify(value)} is not a valid value for the ${key} filter; valid values: ${valid.join(', ')}`);
}

function ownerPredicate(values: string[], accountId: string): DocumentPredicate {
  if (values.length !== 1) throw new ApiError('ValidationException', `The Owner filter takes exactly one value (one of ${OWNERS.join(', ')}), not ${values.length}`);
  const owner = values[0]!;
  switch (owner) {
    case 'Self':
    case 'Private':
      return (record) => record.Owner === accountId;
    case 'Amazon':
      return (record) => record.Owner === AMAZON_OWNER;
    case 'Public':
    case 'ThirdParty':
      return () => false;
    case 'All':
      return () => true;
    default:
      throw invalidValue('Owner', owner, OWNERS);
  }
}

function predicate(key: string, values: string[], accountId: string): DocumentPredicate {
  if (key.startsWith('tag:')) {
    const tagKey = key.slice(4);
    if (tagKey === '') throw new ApiError('InvalidFilterKey', 'The tag filter key needs a tag key after "tag:", e.g. tag:Environment');
    return (record) => record.Tags.some((t) => t.Key === tagKey && (values.length === 0 || values.includes(t.Value)));
  }
  if (key === 'Owner') return ownerPredicate(values, accountId);
  if (values.length === 0) throw new ApiError('ValidationException', `The ${key} filter needs at least one value`);
  switch (key) {
    case 'Name':
      return (record) => values.some((prefix) => record.Name.startsWith(prefix));
    case 'PlatformTypes': {
      const bad = values.find((v) => !PLATFORMS.includes(v));
      if (bad !== undefined) throw invalidValue(key, bad, PLATFORMS);
      return (_record, version) => version.PlatformTypes.some((p) => values.includes(p));
    }
    case 'DocumentType': {
      const bad = values.find((v) => !DOCUMENT_TYPES.includes(v));
      if (bad !== undefined) throw invalidValue(key, bad, DOCUMENT_TYPES);
      return (record) => values.includes(record.DocumentType);
    }
    case 'TargetType':
      return (_record, version) => version.TargetType !== undefined && values.includes(version.TargetType);
    case 'SearchKeyword': {
      const words = values.map((v) => v.toLowerCase());
      return (record, version) => {
        const text = [record.Name, version.DisplayName ?? '', version.Description ?? ''].join('\n').toLowerCase();
        return words.some((word) => text.includes(word));
      };
    }
    default:
      throw new ApiError('InvalidFilterKey', `The filter key ${JSON.stringify(key)} is not valid; valid keys: ${KEYS.join(', ')}, tag:<key>`);
  }
}

/** Both filter styles of ListDocuments, parsed and checked. */
export function parseDocumentFilters(input: Input, accountId: string): DocumentPredicate[] {
  const modern =
    optionalList(
      input,
      'Filters',
      (value, index) => {
        const filter = (value ?? {}) as Input;
        const key = optionalString(filter, 'Key', { min: 1, max: 128 });
        if (key === undefined) throw new ApiError('InvalidFilterKey', `Filters[${index}] has no Key`);
        const values = optionalList(filter, 'Values', parseStringList('Values')) ?? [];
        const tooLong = values.find((v) => v.length < 1 || v.length > 256);
        if (tooLong !== undefined) {
          throw constraintViolations([{ value: tooLong, member: `filters.${index + 1}.member.values`, constraint: 'Member must have length between 1 and 256' }]);
        }
        return predicate(key, values, accountId);
      },
      { max: 6 },
    ) ?? [];
  const legacy =
    optionalList(
      input,
      'DocumentFilterList',
      (value, index) => {
        const filter = (value ?? {}) as Input;
        const key = optionalString(filter, 'key');
        const text = optionalString(filter, 'value', { min: 1 });
        if (key === undefined || !LEGACY_KEYS.includes(key)) {
          throw constraintViolations([
            { value: key ?? null, member: `documentFilterList.${index + 1}.member.key`, constraint: `Member must satisfy enum value set: [${LEGACY_KEYS.join(', ')}]` },
          ]);
        }
        if (text === undefined) {
          throw constraintViolations([{ value: null, member: `documentFilterList.${index + 1}.member.value`, constraint: 'Member must not be null' }]);
        }
        return predicate(key, [text], accountId);
      },
      { min: 1 },
    ) ?? [];
  return [...legacy, ...modern];
}
