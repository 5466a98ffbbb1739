import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchListMatches, patchState, toReportEntry, type PatchCandidate } from '@tender/patch-baseline';
import type { PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchProviderContext, PatchReportEntry, PatchStateName } from '@tender/plugin-api';
import { classificationOf, hostProductOf, hresult, parseInstall, parseScan, productOf, resultCodeName, type WuaScan, type WuaUpdate } from './wua-output.js';

export interface WindowsUpdateProviderOptions {
  /** The PowerShell to run. Default `powershell.exe` (Windows PowerShell 5.1, which every Windows Server has). */
  powershell?: string;
  /** Where scan.ps1 and install.ps1 are. Default: the plugin's scripts/ folder. */
  scriptsDir?: string;
}

const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts');

/** The KB id of an update (`KB5034439`), or its UpdateID when it names none. */
export function kbOf(update: WuaUpdate): string {
  return update.KBArticleIDs[0] ? `KB${update.KBArticleIDs[0].replace(/^KB/i, '')}` : update.UpdateId;
}

/** The update as the baseline sees it; `hostProduct` is the host's own product (hostProductOf its OS caption). */
export function toCandidate(update: WuaUpdate, hostProduct?: string): PatchCandidate {
  const classification = classificationOf(update);
  const { product, family } = productOf(update, hostProduct);
  const candidate: PatchCandidate = {
    name: kbOf(update),
    kbId: kbOf(update),
    title: update.Title,
    installed: update.IsInstalled,
    security: classification === 'SecurityUpdates',
    patchSet: family === undefined || family === 'Windows' ? 'OS' : 'APPLICATION',
  };
  if (classification) candidate.classification = classification;
  if (update.MsrcSeverity) candidate.severity = update.MsrcSeverity;
  if (product) candidate.product = product;
  if (family) candidate.productFamily = family;
  if (update.LastDeploymentChangeTime) candidate.releaseDate = update.LastDeploymentChangeTime;
  if (update.CveIDs.length) candidate.cves = update.CveIDs;
  if (update.SecurityBulletinIDs.length) candidate.advisoryIds = update.SecurityBulletinIDs;
  return candidate;
}

/** Which of two states of one KB a report shows: the one that needs attention first. */
const STATE_PRECEDENCE: readonly PatchStateName[] = ['FAILED', 'MISSING', 'AVAILABLE_SECURITY_UPDATE', 'INSTALLED_REJECTED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED', 'INSTALLED_OTHER', 'NOT_APPLICABLE'];

/**
 * One entry per KB. Windows Update can offer several updates under one KB (Defender's platform update KB4052623
 * comes as an old and a current build, with different UpdateIDs), but a report, and the compliance items made
 * from it, name a Windows patch by its KB: the KB takes the state that needs attention first.
 */
export function onePerKb(entries: readonly PatchReportEntry[]): PatchReportEntry[] {
  const rank = (entry: PatchReportEntry) => STATE_PRECEDENCE.indexOf(entry.State);
  const byKb = new Map<string, PatchReportEntry>();
  for (const entry of entries) {
    const kept = byKb.get(entry.KBId);
    if (!kept || rank(entry) < rank(kept)) byKb.set(entry.KBId, entry);
  }
  return [...byKb.values()];
}

/**
 * Patches through the Windows Update Agent: scripts/scan.ps1 lists updates (installed or not) as JSON through
 * Microsoft.Update.Session; scripts/install.ps1 downloads and installs the approved ones by UpdateID and reports
 * each one's result code and HRESULT. A pending reboot (registry flags, Microsoft.Update.SystemInfo) is reported,
 * and updates installed but waiting for it are INSTALLED_PENDING_REBOOT.
 */
export function createWindowsUpdateProvider(options: WindowsUpdateProviderOptions = {}): PatchProvider {
  const powershell = options.powershell ?? 'powershell.exe';
  const scripts = options.scriptsDir ?? SCRIPTS;

  async function script(context: PatchProviderContext, name: string, args: string[] = []): Promise<string> {
    const result = await context.exec(powershell, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', path.join(scripts, name), ...args], { timeoutMs: 3 * 3_600_000 });
    if (result.exitCode !== 0) throw new Error(`${name} failed (exit code ${result.exitCode}): ${(result.stderr || result.stdout).trim().slice(0, 1000)}`);
    return result.stdout;
  }

  function report(operation: 'Scan' | 'Install', baseline: PatchBaselineSnapshot, scan: WuaScan, failed: Map<string, { patch: string; message: string }>, installedNow: Set<string>): PatchOperationResult {
    const patches: PatchReportEntry[] = [];
    const hostProduct = hostProductOf(scan.OsCaption);
    for (const update of scan.Updates) {
      const candidate = toCandidate(update, hostProduct);
      const pendingReboot = update.IsInstalled && (update.RebootRequired || (scan.RebootRequired && installedNow.has(update.UpdateId)));
      const verdict = patchState(baseline, candidate, { failed: failed.has(update.UpdateId), pendingReboot });
      if (!verdict) continue;
      patches.push(toReportEntry(candidate, verdict, update.Title));
    }
    return {
      operation,
      patches: onePerKb(patches),
      rebootRequired: scan.RebootRequired || scan.Updates.some((update) => update.IsInstalled && update.RebootRequired),
      failures: [...failed.values()],
    };
  }

  return {
    description: 'Windows Update Agent through PowerShell and COM: KB ids, MSRC severity, classification, reboots',
    operatingSystems: ['WINDOWS'],

    async detect(context) {
      const result = await context.exec(powershell, ['-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.Major'], { timeoutMs: 60_000 }).catch(() => undefined);
      return result !== undefined && result.exitCode === 0;
    },

    async scan(context, baseline) {
      return report('Scan', baseline, parseScan(await script(context, 'scan.ps1')), new Map(), new Set());
    },

    async install(context, baseline, installOptions) {
      const before = parseScan(await script(context, 'scan.ps1'));
      const override = installOptions.installOverrideList;
      const hostProduct = hostProductOf(before.OsCaption);
      const selected = before.Updates.filter((update) => {
        if (update.IsInstalled) return false;
        const candidate = toCandidate(update, hostProduct);
        if (override) return override.some((entry) => patchListMatches('WINDOWS', [entry], candidate, 'available') !== undefined);
        return patchState(baseline, candidate)?.state === 'MISSING';
      });
      if (selected.length === 0) return report('Install', baseline, before, new Map(), new Set());
      const failed = new Map<string, { patch: string; message: string }>();
      const installedNow = new Set<string>();
      const outcome = parseInstall(await script(context, 'install.ps1', ['-UpdateIds', selected.map((update) => update.UpdateId).join(',')]));
      for (const update of selected) {
        const result = outcome.Results.find((entry) => entry.UpdateId === update.UpdateId);
        if (result && (result.ResultCode === 2 || result.ResultCode === 3)) installedNow.add(update.UpdateId);
        else failed.set(update.UpdateId, { patch: kbOf(update), message: result ? `${kbOf(update)} ${resultCodeName(result.ResultCode)} (HRESULT ${hresult(result.HResult)})` : `${kbOf(update)} was not installed: Windows Update returned no result for it` });
      }
      const after = parseScan(await script(context, 'scan.ps1'));
      if (outcome.RebootRequired) after.RebootRequired = true;
      return report('Install', baseline, after, failed, installedNow);
    },
  };
}
