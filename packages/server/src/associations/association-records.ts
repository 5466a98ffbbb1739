/**
 * What the control plane stores for a State Manager association: one record per association, holding every
 * version (SSM keeps them for ListAssociationVersions and DescribeAssociation with AssociationVersion). One
 * record means a create, an update (a new version) or a delete is one write: nothing is ever half-stored.
 */
import type { SortKey } from '../api/pagination.js';
import type { Tag } from '../api/validate.js';

export interface AssociationTarget {
  Key: string;
  Values: string[];
}

export type ComplianceSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNSPECIFIED';
export type SyncCompliance = 'AUTO' | 'MANUAL';

/** The settings a version fixes: what CreateAssociation and UpdateAssociation take. */
export interface AssociationSettings {
  /** The document's name (an ARN given by the caller is stored as the name). */
  Name: string;
  /** As given: a number, `$LATEST` or `$DEFAULT` (SSM's default). */
  DocumentVersion: string;
  Parameters?: Record<string, string[]>;
  Targets: AssociationTarget[];
  ScheduleExpression?: string;
  AssociationName?: string;
  MaxErrors?: string;
  MaxConcurrency?: string;
  ComplianceSeverity?: ComplianceSeverity;
  SyncCompliance: SyncCompliance;
  ApplyOnlyAtCronInterval: boolean;
  ScheduleOffset?: number;
  Duration?: number;
}

export interface AssociationVersionRecord extends AssociationSettings {
  AssociationVersion: string;
  /** ISO 8601: when this version was created. */
  CreatedDate: string;
  /**
   * The access key that created this version: its Parameter Store references are resolved as that key (with its
   * policy as it is then) each time the association is delivered. Absent: the version has no caller to act as.
   */
  resolveAs?: string;
}

export interface AssociationRecord {
  AssociationId: string;
  /** ISO 8601: when the association was created. */
  Date: string;
  LastUpdateAssociationDate: string;
  Tags: Tag[];
  /** Oldest first; the last one is the association as it is now. */
  versions: AssociationVersionRecord[];
  /** Set from the agents' reports (association-executions.ts). */
  LastExecutionDate?: string;
  LastSuccessfulExecutionDate?: string;
  Overview: AssociationOverview;
}

export interface AssociationOverview {
  Status: string;
  DetailedStatus?: string;
  AssociationStatusAggregatedCount: Record<string, number>;
}

/** What executions change on the record. */
export type AssociationOutcome = Pick<AssociationRecord, 'Overview' | 'LastExecutionDate' | 'LastSuccessfulExecutionDate'>;

/** The documents an association may run: Command documents, and Policy documents (SSM's inventory policy). */
export const ASSOCIATION_DOCUMENT_TYPES: readonly string[] = ['Command', 'Policy'];

export function currentVersion(record: AssociationRecord): AssociationVersionRecord {
  return record.versions[record.versions.length - 1]!;
}

/** The order associations are listed in, oldest first; ListAssociations' NextToken holds the last one shown. */
export function listingOrder(record: Pick<AssociationRecord, 'Date' | 'AssociationId'>): SortKey {
  return [record.Date, record.AssociationId];
}
