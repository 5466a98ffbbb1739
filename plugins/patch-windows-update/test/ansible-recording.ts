import type { WuaInstall, WuaScan } from '../src/wua-output.js';
import { asScanUpdate, type RecordedUpdate } from './wua-recording.js';

/**
 * Turns what Ansible's win_updates module returned on a real host (pasted by its users into GitHub issues, kept in
 * test/fixtures) into what this plugin's scripts print for the same install: scan.ps1 before and after it, and
 * install.ps1. win_updates drives the same COM objects: per update, it reports `installed: true` when
 * IUpdateInstallationResult.ResultCode was 2 (succeeded), and otherwise `failure_hresult_code`, that result's
 * HResult masked to an unsigned 32-bit number (`& 0xFFFFFFFF`, in its action plugin); `reboot_required` is
 * Microsoft.Update.SystemInfo's RebootRequired read after the install (ansible.windows v1.2 to 1.9, the versions
 * of the recordings).
 */
export interface AnsibleUpdate {
  id: string;
  title: string;
  categories: string[];
  kb: string[];
  installed: boolean;
  downloaded?: boolean;
  failure_hresult_code?: number;
  failure_msg?: string;
}

export interface AnsibleResult {
  updates: Record<string, AnsibleUpdate>;
  reboot_required?: boolean;
}

export const ansibleUpdates = (result: AnsibleResult): AnsibleUpdate[] => Object.values(result.updates);

/** The recorded update as a WUA search lists it (RebootRequired and RevisionNumber are not in the recording). */
function asRecordedUpdate(update: AnsibleUpdate): RecordedUpdate {
  return { UpdateID: update.id, Title: update.title, KBArticleIDs: update.kb, Categories: update.categories, RebootRequired: false };
}

/**
 * scan.ps1's JSON before the install (`after` false: every recorded update offered, not installed) or after it
 * (`after` true: the recorded `installed` flags, and the recorded reboot_required as the host's pending reboot,
 * which scan.ps1 also reads from Microsoft.Update.SystemInfo). The OS caption is not in the recordings: the caller
 * gives one matching the recorded update titles.
 */
export function ansibleScanOutput(result: AnsibleResult, osCaption: string, after: boolean): string {
  const scan: WuaScan = {
    ResultCode: 2,
    RebootRequired: after && result.reboot_required === true,
    OsCaption: osCaption,
    Updates: ansibleUpdates(result).map((update) => ({ ...asScanUpdate(asRecordedUpdate(update)), IsInstalled: after && update.installed })),
  };
  return JSON.stringify(scan);
}

/**
 * install.ps1's JSON for the recorded install. From the recording: which update succeeded (ResultCode 2) and the
 * failed one's HResult, printed signed as COM hands it to PowerShell (`| 0` undoes Ansible's unsigned mask). Not
 * in the recording, so filled in: a failed update's ResultCode (4, failed: Ansible only tells it was not 2), and
 * install.ps1's RebootRequired flags (IInstallationResult's, false: the recorded reboot requirement is the host's,
 * which the scan after the install reports).
 */
export function ansibleInstallOutput(result: AnsibleResult): string {
  const install: WuaInstall = {
    RebootRequired: false,
    Results: ansibleUpdates(result).map((update) => ({
      UpdateId: update.id,
      KBArticleIDs: update.kb,
      ResultCode: update.installed ? 2 : 4,
      HResult: update.failure_hresult_code === undefined ? 0 : update.failure_hresult_code | 0,
      RebootRequired: false,
    })),
  };
  return JSON.stringify(install);
}
