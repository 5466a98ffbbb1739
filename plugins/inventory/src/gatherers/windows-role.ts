import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { asList, runPowerShellJson, text } from '../powershell.js';
import { compactRow, sortRows } from '../rows.js';
import { singleItem } from './single-item.js';

export const WINDOWS_ROLE_TYPE = 'AWS:WindowsRole';

/**
 * Roles and features of Windows Server (Get-WindowsFeature, module ServerManager). Windows client editions have no
 * such module: the script prints an empty list there rather than failing.
 */
export const WINDOWS_ROLE_SCRIPT = `
if (-not (Get-Command Get-WindowsFeature -ErrorAction SilentlyContinue)) { '[]'; return }
Get-WindowsFeature | ForEach-Object {
  [pscustomobject]@{
    Name = $_.Name
    DisplayName = $_.DisplayName
    Description = $_.Description
    Installed = [string]$_.Installed
    InstalledState = [string]$_.InstallState
    FeatureType = [string]$_.FeatureType
    Path = $_.Path
    SubFeatures = (@($_.SubFeatures) -join ', ')
    ServerComponentDescriptor = [string]$_.ServerComponentDescriptor
    DependsOn = (@($_.DependsOn) -join ', ')
    Parent = [string]$_.Parent
  }
} | ConvertTo-Json -Compress`;

const ROLE_FIELDS = ['Name', 'DisplayName', 'Description', 'Installed', 'InstalledState', 'FeatureType', 'Path', 'SubFeatures', 'ServerComponentDescriptor', 'DependsOn', 'Parent'] as const;

export function parseWindowsFeatures(json: unknown): InventoryRow[] {
  const rows = asList(json).map((entry) => compactRow(Object.fromEntries(ROLE_FIELDS.map((field) => [field, text(entry[field])])), ROLE_FIELDS));
  return sortRows(rows.filter((row) => row.Name !== ''), ['Name']);
}

/** AWS:WindowsRole (Windows Server): every role and feature, installed or not, with its state. */
export const windowsRoleGatherer: Gatherer = {
  typeName: WINDOWS_ROLE_TYPE,
  platforms: ['win32'],
  async gather(environment) {
    return singleItem(WINDOWS_ROLE_TYPE, '1.0', parseWindowsFeatures(await runPowerShellJson(environment.run, WINDOWS_ROLE_SCRIPT, environment.signal)));
  },
};
