/**
 * The contract other services use to record compliance (State Manager's association results, Patch Manager's
 * per-patch states): SSM's PutComplianceItems, in process. The compliance service implements it and serves
 * ListComplianceItems, ListComplianceSummaries and ListResourceComplianceSummaries from what was recorded.
 */
export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT';
export type ComplianceItemSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNSPECIFIED';

export interface ComplianceItemEntry {
  /** Unique within the resource and type (SSM: the association id, the patch's KB id / package name, ...). */
  Id?: string;
  Title?: string;
  Severity: ComplianceItemSeverity;
  Status: ComplianceStatus;
  Details?: Record<string, string>;
}

export interface ComplianceWrite {
  ResourceId: string;
  /** SSM has only ManagedInstance. */
  ResourceType: 'ManagedInstance';
  /** `Association`, `Patch`, or `Custom:<name>`. */
  ComplianceType: string;
  ExecutionSummary: { ExecutionTime: Date; ExecutionId?: string; ExecutionType?: string };
  Items: ComplianceItemEntry[];
  /** COMPLETE (default) replaces every item of the type on the resource; PARTIAL replaces only those given. */
  UploadType?: 'COMPLETE' | 'PARTIAL';
  /** As PutComplianceItems' ItemContentHash: when it equals the stored one the write is skipped. */
  ItemContentHash?: string;
}

export interface ComplianceRecorder {
  /** Validates like PutComplianceItems (ApiError on bad input) and stores the write as one unit. */
  put(write: ComplianceWrite): Promise<void>;
}
