/**
 * ListAssociations' AssociationFilterList: every filter must match (AND). Keys from the SSM model. InstanceId
 * (deprecated in SSM, still accepted) matches associations whose targets take in that node now. Resource groups
 * and cloud connectors do not exist in Tender, so those filters match nothing.
 */
import { constraintViolations, validation } from '../api/errors.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { currentVersion, type AssociationRecord } from './association-records.js';
import { targetsMatch } from './association-targets.js';
import { DocumentService } from '../documents/document-service.js';

const KEYS = ['InstanceId', 'Name', 'AssociationId', 'AssociationStatusName', 'LastExecutedBefore', 'LastExecutedAfter', 'AssociationName', 'ResourceGroupName', 'CloudConnectorId'] as const;
type FilterKey = (typeof KEYS)[number];

export type AssociationPredicate = (record: AssociationRecord) => boolean;

export function parseAssociationFilters(value: unknown, lookup: (id: string) => InstanceRecord | undefined): AssociationPredicate[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw validation('AssociationFilterList must be a list of {key, value}');
  if (value.length === 0) throw constraintViolations([{ value: '[]', member: 'associationFilterList', constraint: 'Member must have length greater than or equal to 1' }]);
  return value.map((item, index) => {
    const filter = (item ?? {}) as { key?: unknown; value?: unknown };
    if (typeof filter.key !== 'string' || !(KEYS as readonly string[]).includes(filter.key)) {
      throw constraintViolations([{ value: String(filter.key), member: `associationFilterList.${index + 1}.member.key`, constraint: `Member must satisfy enum value set: [${KEYS.join(', ')}]` }]);
    }
    if (typeof filter.value !== 'string' || filter.value.length === 0) {
      throw constraintViolations([{ value: String(filter.value), member: `associationFilterList.${index + 1}.member.value`, constraint: 'Member must have length greater than or equal to 1' }]);
    }
    return predicate(filter.key as FilterKey, filter.value, lookup);
  });
}

function predicate(key: FilterKey, value: string, lookup: (id: string) => InstanceRecord | undefined): AssociationPredicate {
  switch (key) {
    case 'Name': {
      const name = DocumentService.nameOf(value);
      return (record) => currentVersion(record).Name === name;
    }
    case 'AssociationId':
      return (record) => record.AssociationId === value;
    case 'AssociationName':
      return (record) => currentVersion(record).AssociationName === value;
    case 'AssociationStatusName':
      return (record) => record.Overview.Status === value;
    case 'LastExecutedBefore':
    case 'LastExecutedAfter': {
      const at = Date.parse(value);
      if (Number.isNaN(at)) throw validation(`${key} needs a date and time (ISO 8601, e.g. 2026-11-01T00:00:00Z), not ${JSON.stringify(value)}`);
      const before = key === 'LastExecutedBefore';
      return (record) => record.LastExecutionDate !== undefined && (before ? Date.parse(record.LastExecutionDate) < at : Date.parse(record.LastExecutionDate) > at);
    }
    case 'InstanceId': {
      const instance = lookup(value);
      return (record) => instance !== undefined && targetsMatch(currentVersion(record).Targets, instance);
    }
    case 'ResourceGroupName':
    case 'CloudConnectorId':
      return () => false;
  }
}
