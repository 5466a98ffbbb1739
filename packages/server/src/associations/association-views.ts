/** The API shapes of an association (AssociationDescription, Association, AssociationVersionInfo). */
import { epochSeconds } from '../api/wire-format.js';
import { currentVersion, type AssociationRecord, type AssociationSettings, type AssociationVersionRecord } from './association-records.js';

function settingsView(settings: AssociationSettings) {
  return {
    Name: settings.Name,
    DocumentVersion: settings.DocumentVersion,
    Parameters: settings.Parameters,
    Targets: settings.Targets,
    ScheduleExpression: settings.ScheduleExpression,
    AssociationName: settings.AssociationName,
    MaxErrors: settings.MaxErrors,
    MaxConcurrency: settings.MaxConcurrency,
    ComplianceSeverity: settings.ComplianceSeverity,
    SyncCompliance: settings.SyncCompliance,
    ApplyOnlyAtCronInterval: settings.ApplyOnlyAtCronInterval,
    ScheduleOffset: settings.ScheduleOffset,
    Duration: settings.Duration,
  };
}

/** AssociationDescription: the association as it is, or as one of its versions was (DescribeAssociation). */
export function describeAssociation(record: AssociationRecord, version: AssociationVersionRecord = currentVersion(record)) {
  return {
    ...settingsView(version),
    AssociationId: record.AssociationId,
    AssociationVersion: version.AssociationVersion,
    Date: epochSeconds(record.Date),
    LastUpdateAssociationDate: epochSeconds(record.LastUpdateAssociationDate),
    Overview: record.Overview,
    LastExecutionDate: epochSeconds(record.LastExecutionDate),
    LastSuccessfulExecutionDate: epochSeconds(record.LastSuccessfulExecutionDate),
  };
}

/** Association: one row of ListAssociations. */
export function listedAssociation(record: AssociationRecord) {
  const version = currentVersion(record);
  return {
    Name: version.Name,
    AssociationId: record.AssociationId,
    AssociationVersion: version.AssociationVersion,
    DocumentVersion: version.DocumentVersion,
    Targets: version.Targets,
    LastExecutionDate: epochSeconds(record.LastExecutionDate),
    Overview: record.Overview,
    ScheduleExpression: version.ScheduleExpression,
    AssociationName: version.AssociationName,
    ScheduleOffset: version.ScheduleOffset,
    Duration: version.Duration,
  };
}

/** AssociationVersionInfo: one row of ListAssociationVersions. */
export function associationVersionInfo(record: AssociationRecord, version: AssociationVersionRecord) {
  return {
    ...settingsView(version),
    AssociationId: record.AssociationId,
    AssociationVersion: version.AssociationVersion,
    CreatedDate: epochSeconds(version.CreatedDate),
  };
}
