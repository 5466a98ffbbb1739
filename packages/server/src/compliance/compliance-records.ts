/**
 * How compliance is kept: one stored row per resource and compliance type (a put writes exactly one row), and a
 * summary of that row computed when it is written, so that the fleet and per-resource summaries never have to
 * look at items again.
 */
import type { ComplianceItemSeverity, ComplianceStatus } from './compliance-recorder.js';

/** Highest first: the order OverallSeverity and the LESS_THAN / GREATER_THAN filters on severities use. */
export const SEVERITIES: readonly ComplianceItemSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'];
export const STATUSES: readonly ComplianceStatus[] = ['COMPLIANT', 'NON_COMPLIANT'];

/** A larger rank is more severe. */
export function severityRank(severity: string): number {
  const index = SEVERITIES.indexOf(severity as ComplianceItemSeverity);
  return index < 0 ? -1 : SEVERITIES.length - index;
}

export interface StoredItem {
  Id?: string;
  Title?: string;
  Severity: ComplianceItemSeverity;
  Status: ComplianceStatus;
  Details?: Record<string, string>;
}

export interface StoredExecutionSummary {
  /** ISO 8601. */
  ExecutionTime: string;
  ExecutionId?: string;
  ExecutionType?: string;
}

/** Item counts by severity, in SEVERITIES' order. */
export type SeverityCounts = [number, number, number, number, number, number];

export interface RowSummary {
  Status: ComplianceStatus;
  OverallSeverity: ComplianceItemSeverity;
  compliant: SeverityCounts;
  nonCompliant: SeverityCounts;
}

export interface ComplianceRow {
  ResourceId: string;
  ResourceType: 'ManagedInstance';
  ComplianceType: string;
  ExecutionSummary: StoredExecutionSummary;
  ItemContentHash?: string;
  Items: StoredItem[];
  /** Size of Items as JSON, for the per-resource total limit without serialising every row again. */
  bytes: number;
  summary: RowSummary;
}

export const zeroCounts = (): SeverityCounts => [0, 0, 0, 0, 0, 0];

/**
 * A resource is NON_COMPLIANT for a type when any of its items is. Its OverallSeverity is the highest severity
 * among the items that decide that status: the non-compliant ones when there are any, otherwise all of them.
 */
export function summarise(items: readonly StoredItem[]): RowSummary {
  const compliant = zeroCounts();
  const nonCompliant = zeroCounts();
  for (const item of items) (item.Status === 'COMPLIANT' ? compliant : nonCompliant)[SEVERITIES.indexOf(item.Severity)]! += 1;
  const deciding = nonCompliant.some((n) => n > 0) ? nonCompliant : compliant;
  const highest = deciding.findIndex((n) => n > 0);
  return {
    Status: deciding === nonCompliant ? 'NON_COMPLIANT' : 'COMPLIANT',
    OverallSeverity: SEVERITIES[highest < 0 ? SEVERITIES.length - 1 : highest]!,
    compliant,
    nonCompliant,
  };
}

/** SSM's SeveritySummary from counts in SEVERITIES' order. */
export function severitySummary(counts: readonly number[]) {
  return {
    CriticalCount: counts[0] ?? 0,
    HighCount: counts[1] ?? 0,
    MediumCount: counts[2] ?? 0,
    LowCount: counts[3] ?? 0,
    InformationalCount: counts[4] ?? 0,
    UnspecifiedCount: counts[5] ?? 0,
  };
}

export const sumOf = (counts: readonly number[]): number => counts.reduce((a, b) => a + b, 0);
