import { asList, text } from '../../powershell.js';
import type { InventoryRow } from '../../inventory-types.js';
import { applicationRow } from './application-row.js';

/**
 * The values the script reads from each Uninstall key (Get-ItemProperty, then Select-Object): exported so that the
 * tests can turn a recording of the registry (`reg query ... /s`) into exactly what the script prints.
 */
export const WINDOWS_UNINSTALL_FIELDS = [
  'PSChildName', 'DisplayName', 'DisplayVersion', 'Publisher', 'InstallDate', 'SystemComponent', 'ParentKeyName', 'ReleaseType', 'WindowsInstaller',
  'URLInfoAbout', 'UninstallString',
] as const;

/**
 * Installed programs as "Programs and Features" shows them: the Uninstall registry keys of 64-bit and 32-bit
 * programs (Wow6432Node), plus the products Windows Installer knows (their compressed GUIDs). The script only
 * collects; the rules of what counts as a program are applied in parseWindowsUninstall, where tests can reach them.
 */
export const WINDOWS_UNINSTALL_SCRIPT = `
$fields = ${WINDOWS_UNINSTALL_FIELDS.map((field) => `'${field}'`).join(',')}
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
 * Why an Uninstall key is not a program, or undefined when it is one. The rules SSM's agent (and Programs and
 * Features) use: a display name that is not a KB update, an uninstall command (what Programs and Features runs to
 * remove it: without one there is nothing to list), not a system component, not an update of another program
 * (ParentKeyName, ReleaseType), and a Windows Installer entry only when Windows Installer still lists its product.
 */
export function notAProgramBecause(entry: Record<string, unknown>, products: ReadonlySet<string>): string | undefined {
  const name = text(entry.DisplayName);
  if (name === '') return 'no DisplayName';
  if (/^KB\d{6}/.test(name)) return 'a KB update';
  if (text(entry.UninstallString) === '') return 'no UninstallString';
  if (text(entry.SystemComponent) !== '' && text(entry.SystemComponent) !== '0') return 'a system component';
  if (text(entry.ParentKeyName) !== '') return 'an update of another program (ParentKeyName)';
  if (UPDATE_RELEASE_TYPES.has(text(entry.ReleaseType))) return `an update (ReleaseType ${text(entry.ReleaseType)})`;
  const installer = text(entry.WindowsInstaller);
  if (installer === '1') return products.has(compressedGuid(text(entry.PSChildName))) ? undefined : 'a Windows Installer product Windows Installer no longer lists';
  return installer === '' || installer === '0' ? undefined : `WindowsInstaller is ${installer}`;
}

/** The Windows Installer products the script found (ConvertTo-Json writes a one-element list as the element). */
function installerProducts(document: Record<string, unknown>): Set<string> {
  const listed = document.Products;
  return new Set((Array.isArray(listed) ? listed : listed === null || listed === undefined ? [] : [listed]).map(text));
}

/** InstallDate is yyyyMMdd in the registry. */
function installedTime(value: unknown): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text(value));
  return match ? `${match[1]}-${match[2]}-${match[3]}T00:00:00Z` : '';
}

/** The script's JSON as AWS:Application rows: native keys are the OS's architecture, Wow6432Node ones i386. */
export function parseWindowsUninstall(json: unknown): InventoryRow[] {
  const document = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const products = installerProducts(document);
  const nativeArchitecture = document.Is64BitOs === false ? 'i386' : 'x86_64';
  const rows: InventoryRow[] = [];
  const add = (entries: unknown, architecture: string) => {
    for (const entry of asList(entries)) {
      if (notAProgramBecause(entry, products) !== undefined) continue;
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
