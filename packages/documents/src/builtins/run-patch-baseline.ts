import type { JsonObject } from '../json-value.js';

const UUID_OR_EMPTY = '(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$';

/** One step per platform, as SSM's document has them (PatchWindows, PatchLinux, PatchMacOS): the others are skipped. */
function patchStep(name: string, platformType: string): JsonObject {
  return {
    action: 'aws:runPatchBaseline',
    name,
    precondition: { StringEquals: ['platformType', platformType] },
    inputs: {
      operation: '{{ Operation }}',
      snapshotId: '{{ SnapshotId }}',
      installOverrideList: '{{ InstallOverrideList }}',
      baselineOverride: '{{ BaselineOverride }}',
      rebootOption: '{{ RebootOption }}',
    },
  };
}

/**
 * AWS-RunPatchBaseline, written for Tender: SSM's parameters (names, defaults, allowed values) and its behaviour.
 * The step (aws:runPatchBaseline, the agent's @tender/action-patch plugin) gets the instance's baseline snapshot
 * from the control plane, scans or installs with the patch provider for the host's package manager, reboots
 * through the agent's runner when RebootIfNeeded and a patch needs it, and reports the result as AWS:PatchSummary
 * and per-patch compliance (ComplianceType Patch).
 *
 * Where SSM takes S3 or HTTPS URLs, Tender takes what a self-hosted fleet has at hand: InstallOverrideList is a
 * list of patch names (comma- or newline-separated) or the path of a file on the host holding one per line (SSM's
 * YAML `patches: - id: ...` form is read too); BaselineOverride is the override as JSON, or the path of a JSON
 * file on the host.
 */
export const RUN_PATCH_BASELINE: JsonObject = {
  schemaVersion: '2.2',
  description: 'Scans for or installs patches with the patch baseline that applies to the host (its patch group\'s, or the default for its operating system), and reports patch states and compliance.',
  parameters: {
    Operation: {
      type: 'String',
      description: '(Required) Scan: report which approved patches are missing, changing nothing. Install: install the approved patches that are missing, then report.',
      allowedValues: ['Scan', 'Install'],
    },
    SnapshotId: {
      type: 'String',
      default: '',
      description: '(Optional) A UUID naming the baseline snapshot: hosts patched under one SnapshotId use the same baseline rules at the same instant. Empty: a new snapshot for this run.',
      allowedPattern: UUID_OR_EMPTY,
    },
    InstallOverrideList: {
      type: 'String',
      default: '',
      description: '(Optional) Install only these patches instead of what the baseline approves: names separated by commas or newlines, or the path of a file on the host listing them.',
      maxChars: 4096,
    },
    BaselineOverride: {
      type: 'String',
      default: '',
      description: '(Optional) Baseline rules to use instead of the host\'s baseline (SSM\'s BaselineOverride structure), as JSON or the path of a JSON file on the host.',
      maxChars: 65536,
      displayType: 'textarea',
    },
    RebootOption: {
      type: 'String',
      default: 'RebootIfNeeded',
      description: '(Optional) RebootIfNeeded: reboot the host when installed patches need it, and report after the reboot. NoReboot: never reboot; patches that need one are reported InstalledPendingReboot.',
      allowedValues: ['RebootIfNeeded', 'NoReboot'],
    },
  },
  mainSteps: [patchStep('PatchWindows', 'Windows'), patchStep('PatchLinux', 'Linux'), patchStep('PatchMacOS', 'MacOS')],
};
