import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { asList, runPowerShellJson, text } from '../powershell.js';
import { compactRow, sortRows } from '../rows.js';
import { singleItem } from './single-item.js';

export const SERVICE_TYPE = 'AWS:Service';

/** Get-Service's enums are numbers in ConvertTo-Json; the script turns them into their names first. */
export const SERVICE_SCRIPT = `
Get-Service | ForEach-Object {
  [pscustomobject]@{
    Name = $_.Name
    DisplayName = $_.DisplayName
    Status = [string]$_.Status
    DependentServices = (@($_.DependentServices | ForEach-Object { $_.Name }) -join ', ')
    ServicesDependedOn = (@($_.ServicesDependedOn | ForEach-Object { $_.Name }) -join ', ')
    ServiceType = [string]$_.ServiceType
    StartType = [string]$_.StartType
  }
} | ConvertTo-Json -Compress`;

export function parseServices(json: unknown): InventoryRow[] {
  const rows = asList(json).map((entry) =>
    compactRow(
      {
        Name: text(entry.Name),
        DisplayName: text(entry.DisplayName),
        Status: text(entry.Status),
        DependentServices: text(entry.DependentServices),
        ServicesDependedOn: text(entry.ServicesDependedOn),
        ServiceType: text(entry.ServiceType),
        StartType: text(entry.StartType),
      },
      ['Name', 'DisplayName', 'Status', 'DependentServices', 'ServicesDependedOn', 'ServiceType', 'StartType'],
    ),
  );
  return sortRows(rows.filter((row) => row.Name !== ''), ['Name']);
}

/** AWS:Service (Windows, as in SSM): every Windows service with its state and dependencies. */
export const serviceGatherer: Gatherer = {
  typeName: SERVICE_TYPE,
  platforms: ['win32'],
  async gather(environment) {
    return singleItem(SERVICE_TYPE, '1.0', parseServices(await runPowerShellJson(environment.run, SERVICE_SCRIPT, environment.signal)));
  },
};
