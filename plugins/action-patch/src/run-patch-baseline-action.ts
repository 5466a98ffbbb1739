/**
 * aws:runPatchBaseline, the step of AWS-RunPatchBaseline:
 *
 *   1. gets the instance's baseline snapshot from the control plane (services.getPatchSnapshot), by the run's
 *      SnapshotId (a new one when none was given), with the BaselineOverride if any;
 *   2. picks the patch provider for the host (@tender/patch-baseline's choosePatchProvider over
 *      services.patchProviders(): the first for the snapshot's operating system whose detect() finds its package manager);
 *   3. Scan: the provider reports every patch's state and changes nothing. Install: it installs the approved
 *      missing patches (or only InstallOverrideList's), then reports;
 *   4. prints a readable summary on stdout and hands the result to the control plane as inventory
 *      (services.putInventory: AWS:PatchSummary and per-patch AWS:ComplianceItem rows; patch-report-rows.ts), which
 *      the agent spools and resends until the control plane acknowledges it;
 *   5. Install with RebootOption RebootIfNeeded, when the provider says the host must reboot: reports the patches as
 *      the provider left them (InstalledPendingReboot), leaves a marker in the step's folder and exits with the
 *      platform's reboot code (194, Windows 3010). The runner reboots and runs the step again; that run finds the
 *      marker, scans, and reports the install as it stands after the reboot. With NoReboot nothing reboots and the
 *      patches stay InstalledPendingReboot.
 *
 * A Scan that finds missing patches succeeds (the report says what is missing); an Install in which a patch failed
 * fails the step, naming the patches and the package manager's reasons.
 */
import { choosePatchProvider } from '@tender/patch-baseline';
import type { ActionContext, ActionHandler, ActionResult, PatchOperationResult, PatchProviderContext } from '@tender/plugin-api';
import { createExec } from './exec.js';
import { parsePatchInputs, PatchInputError } from './inputs.js';
import { patchReportItems } from './patch-report-rows.js';
import { readRebootMarker, writeRebootMarker } from './reboot-marker.js';
import { summaryText } from './summary-text.js';

export const EXIT_CODE_REBOOT_UNIX = 194;
export const EXIT_CODE_REBOOT_WINDOWS = 3010;

function failed(context: ActionContext, message: string): ActionResult {
  context.stderr.write(`${message}\n`);
  return { status: 'Failed', exitCode: 1, message };
}

export interface RunPatchBaselineOptions {
  /** The provider context's clock (tests pin it). */
  now?: () => Date;
}

export function createRunPatchBaselineAction(options: RunPatchBaselineOptions = {}): ActionHandler {
  const now = options.now ?? (() => new Date());
  return {
    description: 'Scans for or installs patches with the host\'s patch provider and the baseline snapshot from the control plane (AWS-RunPatchBaseline)',
    async run(context) {
      const services = context.services ?? {};
      const { getPatchSnapshot, patchProviders, putInventory } = services;
      if (!getPatchSnapshot) return failed(context, 'this agent cannot fetch patch baseline snapshots (it has no control plane connection that offers them)');
      if (!patchProviders) return failed(context, 'this agent has no patch provider plugin (apt, dnf, Windows Update); install one to scan or patch this host');
      if (!putInventory) return failed(context, 'this agent cannot report patch results (it has no inventory uploader)');

      let inputs;
      try {
        inputs = await parsePatchInputs(context.inputs);
      } catch (error) {
        if (error instanceof PatchInputError) return failed(context, error.message);
        throw error;
      }
      const marker = await readRebootMarker(context.orchestrationDirectory);
      const snapshotId = marker?.snapshotId ?? inputs.snapshotId;
      let snapshot;
      try {
        snapshot = await getPatchSnapshot(snapshotId, inputs.baselineOverride ? { baselineOverride: inputs.baselineOverride } : undefined);
      } catch (error) {
        return failed(context, `could not get the patch baseline snapshot ${snapshotId}: ${(error as Error).message}`);
      }
      const providerContext: PatchProviderContext = { signal: context.signal, logger: context.logger, exec: createExec(context.signal), now };
      let selected;
      try {
        selected = await choosePatchProvider(patchProviders(), snapshot.operatingSystem, providerContext);
      } catch (error) {
        return failed(context, (error as Error).message);
      }

      const startTime = marker ? new Date(marker.startTime) : now();
      const installOverrideList = marker ? marker.installOverrideList : inputs.installOverrideList;
      const operation = marker ? 'Install' : inputs.operation;
      let result: PatchOperationResult;
      try {
        if (marker) {
          context.logger.info('reporting the install after the reboot it asked for', { snapshotId });
          result = await selected.provider.scan(providerContext, snapshot);
          result = { ...result, operation: 'Install', failures: [...marker.failures, ...result.failures] };
        } else if (inputs.operation === 'Scan') {
          result = await selected.provider.scan(providerContext, snapshot);
        } else {
          result = await selected.provider.install(providerContext, snapshot, installOverrideList ? { installOverrideList } : {});
        }
      } catch (error) {
        if (context.signal.aborted) return { status: context.signal.reason === 'timeout' ? 'TimedOut' : 'Cancelled', exitCode: 1, message: (error as Error).message };
        return failed(context, `the ${selected.name} provider's ${operation} failed: ${(error as Error).message}`);
      }

      const rebootNow = !marker && operation === 'Install' && result.rebootRequired && inputs.rebootOption === 'RebootIfNeeded';
      const endTime = now();
      const noRebootInstall = operation === 'Install' && inputs.rebootOption === 'NoReboot' ? endTime : undefined;
      const items = patchReportItems(
        { operation, snapshot, startTime, endTime, rebootOption: inputs.rebootOption, executionId: context.run.commandId, ...(installOverrideList ? { installOverrideList } : {}), ...(noRebootInstall ? { lastNoRebootInstallTime: noRebootInstall } : {}) },
        result.patches,
      );
      await putInventory(items);
      const note = rebootNow
        ? 'The installed patches need a reboot: rebooting the host now; the state after the reboot is reported when this step runs again.'
        : result.rebootRequired && operation === 'Install'
          ? inputs.rebootOption === 'NoReboot' ? 'The installed patches need a reboot (RebootOption NoReboot: not rebooting).' : undefined
          : undefined;
      context.stdout.write(summaryText({ operation, provider: selected.name, snapshot, patches: result.patches, failures: result.failures, ...(note ? { note } : {}) }));

      if (rebootNow) {
        await writeRebootMarker(context.orchestrationDirectory, { snapshotId, startTime: startTime.toISOString(), failures: result.failures, ...(installOverrideList ? { installOverrideList } : {}) });
        return { status: 'Success', exitCode: context.platform === 'win32' ? EXIT_CODE_REBOOT_WINDOWS : EXIT_CODE_REBOOT_UNIX };
      }
      const failedPatches = result.patches.filter((p) => p.State === 'FAILED').map((p) => p.Title);
      if (result.failures.length > 0 || failedPatches.length > 0) {
        const names = result.failures.length > 0 ? result.failures.map((f) => `${f.patch} (${f.message})`) : failedPatches;
        return failed(context, `${names.length} patch(es) failed to install: ${names.join('; ')}`.slice(0, 2000));
      }
      return { status: 'Success', exitCode: 0 };
    },
  };
}
