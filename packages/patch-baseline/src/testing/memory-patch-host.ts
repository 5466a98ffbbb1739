/**
 * A test-only patch provider over an in-memory host: packages with an installed and an available version. A
 * package is approved when the snapshot's ApprovedPatches names it or it is a Security update; RejectedPatches wins.
 * Installing a package flagged `needsReboot` leaves the host needing a reboot until the test reboots it (reboot()).
 * The real providers (apt, dnf, Windows Update) are tested in their own plugins against recorded commands
 * (replayContext); this one exercises what sits around a provider.
 */
import type { PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchReportEntry } from '@tender/plugin-api';

export interface MemoryPackage {
  name: string;
  installed?: string;
  available?: string;
  classification: string;
  severity: string;
  needsReboot?: boolean;
  failsToInstall?: boolean;
}

export class MemoryPatchHost {
  rebootPending = false;
  /** How many scans the provider ran. */
  scans = 0;
  /** The packages each install was asked for, one entry per install. */
  readonly installs: string[][] = [];
  constructor(readonly packages: MemoryPackage[]) {}

  /** The host restarted: what was installed is now in place. */
  reboot(): void {
    this.rebootPending = false;
  }

  provider(operatingSystems: PatchProvider['operatingSystems'] = ['DEBIAN', 'UBUNTU']): PatchProvider {
    return {
      description: 'test provider over an in-memory host',
      operatingSystems,
      detect: async () => true,
      scan: async (_context, snapshot) => {
        this.scans++;
        return this.report('Scan', snapshot, []);
      },
      install: async (_context, snapshot, options) => {
        const wanted = this.packages.filter((p) => p.available && (options.installOverrideList ? options.installOverrideList.includes(p.name) : this.approved(p, snapshot)));
        this.installs.push(wanted.map((p) => p.name));
        const failures: PatchOperationResult['failures'] = [];
        for (const p of wanted) {
          if (p.failsToInstall) {
            failures.push({ patch: p.name, message: 'dpkg: error processing package (simulated)' });
            continue;
          }
          p.installed = p.available;
          delete p.available;
          if (p.needsReboot) this.rebootPending = true;
        }
        return this.report('Install', snapshot, failures);
      },
    };
  }

  private approved(p: MemoryPackage, snapshot: PatchBaselineSnapshot): boolean {
    if (snapshot.rejectedPatches.includes(p.name)) return false;
    return snapshot.approvedPatches.includes(p.name) || p.classification === 'Security';
  }

  private report(operation: 'Scan' | 'Install', snapshot: PatchBaselineSnapshot, failures: PatchOperationResult['failures']): PatchOperationResult {
    const failed = new Set(failures.map((f) => f.patch));
    const patches: PatchReportEntry[] = this.packages.map((p) => {
      const approved = this.approved(p, snapshot);
      const state: PatchReportEntry['State'] = failed.has(p.name)
        ? 'FAILED'
        : p.available && approved
          ? 'MISSING'
          : !approved
            ? 'INSTALLED_OTHER'
            : p.needsReboot && this.rebootPending
              ? 'INSTALLED_PENDING_REBOOT'
              : 'INSTALLED';
      return { Title: `${p.name} ${p.available ?? p.installed}`, KBId: p.name, Classification: p.classification, Severity: p.severity, State: state, Version: p.available ?? p.installed ?? '', ...(approved ? { ComplianceLevel: 'HIGH' } : {}) };
    });
    return { operation, patches, rebootRequired: this.rebootPending, failures };
  }
}

/** A baseline snapshot as the control plane hands one to the agent (DEBIAN, patch group web, no rules or lists): override what a test needs. */
export function testBaselineSnapshot(overrides: Partial<PatchBaselineSnapshot> = {}): PatchBaselineSnapshot {
  return {
    snapshotId: '11111111-2222-3333-4444-555555555555',
    instanceId: 'mi-0123456789abcdef0',
    baselineId: 'pb-0123456789abcdef0',
    operatingSystem: 'DEBIAN',
    patchGroup: 'web',
    globalFilters: [],
    approvalRules: [],
    approvedPatches: [],
    approvedPatchesComplianceLevel: 'UNSPECIFIED',
    approvedPatchesEnableNonSecurity: false,
    rejectedPatches: [],
    rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
    createdAt: '2026-11-28T00:00:00.000Z',
    ...overrides,
  };
}
