/** SSM's PatchComplianceLevel values, most severe first. */
export const COMPLIANCE_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

export function isComplianceLevel(value: unknown): value is ComplianceLevel {
  return typeof value === 'string' && (COMPLIANCE_LEVELS as readonly string[]).includes(value);
}

/** The more severe of two levels (unknown strings count as UNSPECIFIED). */
export function mostSevere(a: string, b: string): string {
  const rank = (level: string): number => {
    const index = (COMPLIANCE_LEVELS as readonly string[]).indexOf(level);
    return index < 0 ? COMPLIANCE_LEVELS.length : index;
  };
  return rank(a) <= rank(b) ? a : b;
}
