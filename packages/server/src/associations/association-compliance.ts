/**
 * An association's result as a compliance item, the way SSM records it: type `Association`, the item's Id the
 * association id, COMPLIANT when the run succeeded and NON_COMPLIANT otherwise, the association's
 * ComplianceSeverity (UNSPECIFIED when it has none). Only associations with SyncCompliance AUTO report by
 * themselves; MANUAL ones leave compliance to PutComplianceItems. A Skipped run (superseded by a newer version)
 * says nothing about the host's state and records nothing.
 */
import type { AssociationRunReport } from '@tender/protocol';
import type { ComplianceWrite } from '../compliance/compliance-recorder.js';
import { currentVersion, type AssociationRecord } from './association-records.js';

export function complianceOf(instanceId: string, record: AssociationRecord, report: AssociationRunReport, executionId: string): ComplianceWrite | undefined {
  const version = currentVersion(record);
  if (version.SyncCompliance !== 'AUTO' || report.status === 'Skipped') return undefined;
  const details: Record<string, string> = { DocumentName: version.Name, DocumentVersion: version.DocumentVersion, AssociationVersion: report.associationVersion };
  return {
    ResourceId: instanceId,
    ResourceType: 'ManagedInstance',
    ComplianceType: 'Association',
    ExecutionSummary: { ExecutionTime: new Date(report.endedAt), ExecutionId: executionId, ExecutionType: 'Command' },
    // PARTIAL: each association of the instance is its own item; one run replaces only its own.
    UploadType: 'PARTIAL',
    Items: [
      {
        Id: record.AssociationId,
        Title: version.AssociationName ?? version.Name,
        Severity: version.ComplianceSeverity ?? 'UNSPECIFIED',
        Status: report.status === 'Success' ? 'COMPLIANT' : 'NON_COMPLIANT',
        Details: details,
      },
    ],
  };
}
