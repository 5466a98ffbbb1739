import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { asList, powerShellDate, runPowerShellJson, text } from '../powershell.js';
import { compactRow, sortRows } from '../rows.js';
import { singleItem } from './single-item.js';

export const WINDOWS_UPDATE_TYPE = 'AWS:WindowsUpdate';

/** Win32_QuickFixEngineering, as Get-HotFix reads it. */
export const WINDOWS_UPDATE_SCRIPT = `Get-HotFix | Select-Object HotFixID, Description, InstalledOn, InstalledBy | ConvertTo-Json -Compress`;

export function parseHotFixes(json: unknown): InventoryRow[] {
  const rows = asList(json).map((entry) =>
    compactRow(
      { HotFixId: text(entry.HotFixID), Description: text(entry.Description), InstalledTime: powerShellDate(entry.InstalledOn), InstalledBy: text(entry.InstalledBy) },
      ['HotFixId', 'Description', 'InstalledTime', 'InstalledBy'],
    ),
  );
  return sortRows(rows.filter((row) => row.HotFixId !== ''), ['HotFixId']);
}

/** AWS:WindowsUpdate (Windows): the installed updates (hotfixes). */
export const windowsUpdateGatherer: Gatherer = {
  typeName: WINDOWS_UPDATE_TYPE,
  platforms: ['win32'],
  async gather(environment) {
    return singleItem(WINDOWS_UPDATE_TYPE, '1.0', parseHotFixes(await runPowerShellJson(environment.run, WINDOWS_UPDATE_SCRIPT, environment.signal)));
  },
};
