import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { asList, powerShellDate, runPowerShellJson, text } from '../powershell.js';
import { compactRow, sortRows } from '../rows.js';
import { singleItem } from './single-item.js';

export const WINDOWS_UPDATE_TYPE = 'AWS:WindowsUpdate';

/**
 * Win32_QuickFixEngineering, as Get-HotFix reads it. InstalledOn is a date Windows records without a time or zone
 * (Get-HotFix makes it the host's local midnight): printed as that date, with the invariant culture. Left to
 * ConvertTo-Json it would become the UTC instant of local midnight: the day before on every host east of UTC (a
 * German host's 21.04.2023 would read 2023-04-20T22:00:00Z), a time of day west of it.
 */
export const WINDOWS_UPDATE_SCRIPT = `
Get-HotFix | ForEach-Object {
  [pscustomobject]@{
    HotFixID = $_.HotFixID
    Description = $_.Description
    InstalledOn = if ($null -ne $_.InstalledOn) { $_.InstalledOn.ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture) } else { $null }
    InstalledBy = $_.InstalledBy
  }
} | ConvertTo-Json -Compress`;

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
