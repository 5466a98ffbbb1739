import type { WuaCategory, WuaScan, WuaUpdate } from '../src/wua-output.js';

/**
 * Windows Update's classification categories (ICategory.Type "UpdateClassification"); every other category the
 * recordings list is a product. Windows prints these names in English whatever the system's language: the
 * recording below is from a German Windows 11, whose titles are German.
 */
const CLASSIFICATIONS = new Set([
  'Application', 'Connectors', 'Critical Updates', 'Definition Updates', 'Developer Kits', 'Drivers', 'Feature Packs', 'Guidance',
  'Security Updates', 'Service Packs', 'Tools', 'Update Rollups', 'Updates', 'Upgrades',
]);

/** One update as recorded: what a script that searched `IsInstalled=0 and IsHidden=0` printed of IUpdate. */
export interface RecordedUpdate {
  Title: string;
  KBArticleIDs: string[];
  Categories: string[];
  RebootRequired: boolean;
  UpdateID: string;
  /** Not in every recording (Ansible's win_updates results leave it out). */
  RevisionNumber?: number;
}

/** ConvertTo-Json prints a lone update as an object: always a list. */
export function recordedUpdates(json: string): RecordedUpdate[] {
  const parsed = JSON.parse(json) as RecordedUpdate | RecordedUpdate[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** One recorded update as scan.ps1 prints it: the recorded IUpdate properties, and what the recording lacks. */
export function asScanUpdate(update: RecordedUpdate): WuaUpdate {
  const categories: WuaCategory[] = update.Categories.map((name) => ({ Name: name, Type: CLASSIFICATIONS.has(name) ? 'UpdateClassification' : 'Product', Parent: null }));
  return {
    UpdateId: update.UpdateID,
    ...(update.RevisionNumber === undefined ? {} : { RevisionNumber: update.RevisionNumber }),
    Title: update.Title,
    KBArticleIDs: update.KBArticleIDs,
    // Not recorded: bulletin and CVE ids, the MSRC severity, the release date, the product family (Parent).
    SecurityBulletinIDs: [],
    CveIDs: [],
    MsrcSeverity: null,
    Categories: categories,
    IsInstalled: false, // the recording's search was IsInstalled=0
    IsDownloaded: false,
    RebootRequired: update.RebootRequired,
    LastDeploymentChangeTime: null,
  };
}

/**
 * scan.ps1's JSON for a host that Windows Update offers the recorded updates. scan.ps1 searches Type='Software'
 * only, so recorded drivers are not among them. The caption is not in the recording (the titles name Windows 11,
 * version 25H2; the same project's Windows 11 dump reports "Microsoft Windows 11 Enterprise").
 */
export function scanOutputFor(recorded: readonly RecordedUpdate[], osCaption = 'Microsoft Windows 11 Enterprise'): string {
  const scan: WuaScan = {
    ResultCode: 2,
    RebootRequired: false,
    OsCaption: osCaption,
    OsVersion: '10.0.26200',
    Updates: recorded.filter((update) => !update.Categories.includes('Drivers')).map(asScanUpdate),
  };
  return JSON.stringify(scan);
}
