import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { asList, runPowerShellJson, text } from '../powershell.js';
import { compactRow, sortRows } from '../rows.js';
import { singleItem } from './single-item.js';

export const WINDOWS_REGISTRY_TYPE = 'AWS:WindowsRegistry';

/** One entry of the windowsRegistry input, as SSM defines it. */
export interface RegistryFilter {
  Path: string;
  Recursive?: boolean;
  ValueNames?: string[];
}

/** SSM's limit on the values one registry inventory may hold. */
export const MAX_REGISTRY_VALUES = 250;

/**
 * The script reads the filters from base64 (so no path can break out of its quoting) and lists each key's values
 * with their kinds; `Registry::` accepts the hive names as SSM's users write them (HKEY_LOCAL_MACHINE\...).
 */
export function registryScript(filters: readonly RegistryFilter[]): string {
  const encoded = Buffer.from(JSON.stringify(filters), 'utf8').toString('base64');
  return `
$filters = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${encoded}')) | ConvertFrom-Json
$rows = foreach ($filter in @($filters)) {
  $root = "Registry::" + $filter.Path
  if (-not (Test-Path $root)) { continue }
  $keys = @(Get-Item $root)
  if ($filter.Recursive) { $keys += @(Get-ChildItem $root -Recurse -ErrorAction SilentlyContinue) }
  foreach ($key in $keys) {
    foreach ($name in $key.GetValueNames()) {
      if ($filter.ValueNames -and -not ($filter.ValueNames -contains $name)) { continue }
      [pscustomobject]@{ KeyPath = $key.Name; ValueName = $name; ValueType = [string]$key.GetValueKind($name); Value = [string]$key.GetValue($name) }
    }
  }
}
@($rows) | ConvertTo-Json -Compress`;
}

export function parseRegistryValues(json: unknown): InventoryRow[] {
  const rows = asList(json).map((entry) =>
    compactRow({ ValueName: text(entry.ValueName), ValueType: text(entry.ValueType), KeyPath: text(entry.KeyPath), Value: text(entry.Value) }, ['ValueName', 'ValueType', 'KeyPath', 'Value']),
  );
  return sortRows(rows, ['KeyPath', 'ValueName']);
}

/** AWS:WindowsRegistry (Windows): the values under the keys the windowsRegistry input names. */
export function windowsRegistryGatherer(filters: readonly RegistryFilter[]): Gatherer {
  return {
    typeName: WINDOWS_REGISTRY_TYPE,
    platforms: ['win32'],
    async gather(environment) {
      const rows = parseRegistryValues(await runPowerShellJson(environment.run, registryScript(filters), environment.signal));
      if (rows.length > MAX_REGISTRY_VALUES) throw new Error(`the windowsRegistry filters match ${rows.length} values; at most ${MAX_REGISTRY_VALUES} are collected: narrow the paths or name the ValueNames`);
      return singleItem(WINDOWS_REGISTRY_TYPE, '1.0', rows);
    },
  };
}
