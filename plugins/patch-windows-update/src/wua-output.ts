/** The JSON the plugin's PowerShell scripts print (scripts/scan.ps1, scripts/install.ps1), and how to read it. */
export interface WuaCategory {
  Name: string;
  /** `UpdateClassification`, `Product`, `ProductFamily`, `Company`. */
  Type: string;
  Parent?: string | null;
}

export interface WuaUpdate {
  UpdateId: string;
  RevisionNumber?: number;
  Title: string;
  KBArticleIDs: string[];
  SecurityBulletinIDs: string[];
  CveIDs: string[];
  MsrcSeverity?: string | null;
  Categories: WuaCategory[];
  IsInstalled: boolean;
  IsDownloaded?: boolean;
  RebootRequired: boolean;
  LastDeploymentChangeTime?: string | null;
}

export interface WuaScan {
  ResultCode?: number;
  RebootRequired: boolean;
  OsCaption?: string;
  OsVersion?: string;
  Updates: WuaUpdate[];
}

export interface WuaInstallResult {
  UpdateId: string;
  KBArticleIDs: string[];
  /** OperationResultCode: 0 not started, 1 in progress, 2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted. */
  ResultCode: number;
  HResult: number;
  RebootRequired: boolean;
}

export interface WuaInstall {
  RebootRequired: boolean;
  Results: WuaInstallResult[];
}

/** PowerShell's ConvertTo-Json writes a one-element array as the element and an empty one as null. */
function list<T>(value: T | T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function parseJson(stdout: string, what: string): Record<string, unknown> {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  const start = text.indexOf('{');
  if (start < 0) throw new Error(`${what}: the PowerShell script printed no JSON${text ? `: ${text.slice(0, 300)}` : ''}`);
  try {
    return JSON.parse(text.slice(start)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${what}: the PowerShell script printed malformed JSON (${(error as Error).message})`);
  }
}

export function parseScan(stdout: string): WuaScan {
  const raw = parseJson(stdout, 'Windows Update scan');
  const updates = list(raw.Updates as WuaUpdate | WuaUpdate[] | null).map((update) => ({
    ...update,
    KBArticleIDs: list(update.KBArticleIDs).map(String),
    SecurityBulletinIDs: list(update.SecurityBulletinIDs).map(String),
    CveIDs: list(update.CveIDs).map(String),
    Categories: list(update.Categories),
    IsInstalled: update.IsInstalled === true,
    RebootRequired: update.RebootRequired === true,
  }));
  const scan: WuaScan = { RebootRequired: raw.RebootRequired === true, Updates: updates };
  if (typeof raw.ResultCode === 'number') scan.ResultCode = raw.ResultCode;
  if (typeof raw.OsCaption === 'string') scan.OsCaption = raw.OsCaption;
  if (typeof raw.OsVersion === 'string') scan.OsVersion = raw.OsVersion;
  return scan;
}

export function parseInstall(stdout: string): WuaInstall {
  const raw = parseJson(stdout, 'Windows Update install');
  return {
    RebootRequired: raw.RebootRequired === true,
    Results: list(raw.Results as WuaInstallResult | WuaInstallResult[] | null).map((result) => ({ ...result, KBArticleIDs: list(result.KBArticleIDs).map(String) })),
  };
}

/** Windows Update's category names as SSM's CLASSIFICATION values (`Security Updates` → `SecurityUpdates`). */
export function classificationOf(update: WuaUpdate): string | undefined {
  const category = update.Categories.find((c) => c.Type === 'UpdateClassification');
  return category ? category.Name.replace(/\s+/g, '') : undefined;
}

/** Product names Windows Update uses for Windows Server, as SSM's PRODUCT values. */
const SERVER_PRODUCTS: Record<string, string> = {
  'Microsoft Server operating system-21H2': 'WindowsServer2022',
  'Microsoft Server operating system-22H2': 'WindowsServer2022',
  'Microsoft Server operating system-23H2': 'WindowsServer2022',
  'Microsoft Server Operating System-24H2': 'WindowsServer2025',
  'Microsoft Server operating system-24H2': 'WindowsServer2025',
};

/**
 * A Windows Update product name as SSM's PRODUCT value: Windows Server releases by their marketing name, Windows
 * releases without spaces (`Windows Server 2019` → `WindowsServer2019`, `Windows 11` → `Windows11`, `Windows 10
 * LTSB` → `Windows10LTSB`); other products (`Microsoft Defender Antivirus`, `Windows 10, version 1903 and later`)
 * keep Windows Update's name.
 */
export function ssmProductName(name: string): string {
  return SERVER_PRODUCTS[name] ?? (/^Windows (Server )?[\d.]+( R2)?( LTSB)?$/.test(name) ? name.replace(/\s+/g, '') : name);
}

/**
 * The host's own product, as SSM names it, from Win32_OperatingSystem's caption (`Microsoft Windows 11 Enterprise`
 * → `Windows11`, `Microsoft Windows Server 2012 R2 Standard` → `WindowsServer2012R2`); undefined when the caption
 * names none.
 */
export function hostProductOf(caption: string | undefined): string | undefined {
  const match = /\bWindows (Server )?(\d{4} R2|\d+(?:\.\d)?)\b/.exec(caption ?? '');
  return match ? `Windows${match[1] ? 'Server' : ''}${match[2]!.replace(/\s+/g, '')}` : undefined;
}

/**
 * The update's product and product family. Windows Update lists every product an update applies to (the Malicious
 * Software Removal Tool names each Windows release it runs on, after "EU Browser Choice Update-For Europe Only"):
 * on this host it is an update of the host's own product when that is among them, else of the first. Windows
 * 11's cumulative and .NET updates name no product at all: Windows Update offered them for this host's Windows,
 * so they count as the host's product.
 */
export function productOf(update: WuaUpdate, hostProduct?: string): { product?: string; family?: string } {
  const products = update.Categories.filter((c) => c.Type === 'Product');
  const category = products.find((c) => hostProduct !== undefined && ssmProductName(c.Name) === hostProduct) ?? products[0];
  if (!category) return hostProduct === undefined ? {} : { product: hostProduct };
  return { product: ssmProductName(category.Name), ...(category.Parent ? { family: category.Parent } : {}) };
}

/** An HRESULT as Windows prints it (`0x80240017`). */
export function hresult(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

const RESULT_CODES = ['not started', 'in progress', 'succeeded', 'succeeded with errors', 'failed', 'aborted'];
export function resultCodeName(code: number): string {
  return RESULT_CODES[code] ?? `result code ${code}`;
}
