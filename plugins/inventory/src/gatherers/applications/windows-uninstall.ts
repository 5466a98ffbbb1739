import { asList, text } from '../../powershell.js';
import type { InventoryRow } from '../../inventory-types.js';
import { applicationRow } from './application-row.js';

/**
 * Installed programs as "Programs and Features" shows them: the Uninstall registry keys of 64-bit and 32-bit
 * programs (Wow6432Node), plus the products Windows Installer knows (their compressed GUIDs). The script only
 * collects; the rules of what counts as a program are applied in parseWindowsUninstall, where tests can reach them.
 */
export const WINDOWS_UNINSTALL_SCRIPT = `
$fields = 'PSChildName','DisplayName','DisplayVersion','Publisher','InstallDate','SystemComponent','ParentKeyName','ReleaseType','WindowsInstaller','URLInfoAbout'
$read = { param($path) if (Test-Path $path) { @(Get-ItemProperty "$path\\*" -ErrorAction SilentlyContinue | Select-Object $fields) } else { @() } }
[pscustomobject]@{
  Is64BitOs = [Environment]::Is64BitOperatingSystem
  Products = @(if (Test-Path 'HKLM:\\Software\\Classes\\Installer\\Products') { Get-ChildItem 'HKLM:\\Software\\Classes\\Installer\\Products' | ForEach-Object { $_.PSChildName } })
  Native = & $read 'HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall'
  Wow64 = & $read 'HKLM:\\Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall'
} | ConvertTo-Json -Depth 4 -Compress`;

/** Windows Installer's packed form of a product code: the first three groups reversed, the rest pairwise swapped. */
export function compressedGuid(guid: string): string {
  const hex = guid.replace(/[{}-]/g, '').toUpperCase();
  if (!/^[0-9A-F]{32}$/.test(hex)) return '';
  const reverse = (part: string) => [...part].reverse().join('');
  let packed = reverse(hex.slice(0, 8)) + reverse(hex.slice(8, 12)) + reverse(hex.slice(12, 16));
  for (let i = 16; i < 32; i += 2) packed += hex[i + 1]! + hex[i]!;
  return packed;
}

const UPDATE_RELEASE_TYPES = new Set(['Security Update', 'Update Rollup', 'Hotfix']);

/**
 * The rules SSM's agent (and Programs and Features) use: a display name that is not a KB update, not a system
 * component, not an update of another program (ParentKeyName, ReleaseType), and a Windows Installer entry only
 * when Windows Installer still lists its product.
 */
function isProgram(entry: Record<string, unknown>, products: ReadonlySet<string>): boolean {
  const name = text(entry.DisplayName);
  if (name === '' || /^KB\d{6}/.test(name)) return false;
  if (text(entry.SystemComponent) !== '' && text(entry.SystemComponent) !== '0') return false;
  if (text(entry.ParentKeyName) !== '') return false;
  if (UPDATE_RELEASE_TYPES.has(text(entry.ReleaseType))) return false;
  const installer = text(entry.WindowsInstaller);
  if (installer === '1') return products.has(compressedGuid(text(entry.PSChildName)));
  return installer === '' || installer === '0';
}

/** InstallDate is yyyyMMdd in the registry. */
function installedTime(value: unknown): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text(value));
  return match ? `${match[1]}-${match[2]}-${match[3]}T00:00:00Z` : '';
}

/** The script's JSON as AWS:Application rows: native keys are the OS's architecture, Wow6432Node ones i386. */
export function parseWindowsUninstall(json: unknown): InventoryRow[] {
  const document = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const listed = document.Products;
  const products = new Set((Array.isArray(listed) ? listed : listed === null || listed === undefined ? [] : [listed]).map(text));
  const nativeArchitecture = document.Is64BitOs === false ? 'i386' : 'x86_64';
  const rows: InventoryRow[] = [];
  const add = (entries: unknown, architecture: string) => {
    for (const entry of asList(entries)) {
      if (!isProgram(entry, products)) continue;
      rows.push(
        applicationRow({
          Name: text(entry.DisplayName),
          Publisher: text(entry.Publisher),
          Version: text(entry.DisplayVersion),
          InstalledTime: installedTime(entry.InstallDate),
          Architecture: architecture,
          URL: text(entry.URLInfoAbout),
          PackageId: text(entry.PSChildName),
        }),
      );
    }
  };
  add(document.Native, nativeArchitecture);
  add(document.Wow64, 'i386');
  return rows;
}
