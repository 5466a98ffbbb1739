import { withEpoch } from './rpm-version.js';

/** One package from `rpm -qa --qf RPM_QUERY_FORMAT`. */
export interface RpmPackage {
  name: string;
  arch: string;
  /** `epoch:version-release`, epoch always present. */
  evr: string;
  installTime?: string;
}

export const RPM_QUERY_FORMAT = '%{NAME}\\t%{ARCH}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\n';

export function parseRpmQuery(stdout: string): RpmPackage[] {
  const packages: RpmPackage[] = [];
  for (const line of stdout.split('\n')) {
    const [name, arch, evr, installed] = line.split('\t');
    if (!name || !arch || !evr || name === 'gpg-pubkey') continue;
    const seconds = Number(installed);
    packages.push({ name, arch, evr, ...(Number.isFinite(seconds) && seconds > 0 ? { installTime: new Date(seconds * 1000).toISOString() } : {}) });
  }
  return packages;
}

/** An update from `dnf check-update` / `yum check-update`. */
export interface AvailableUpdate {
  name: string;
  arch: string;
  evr: string;
  repository: string;
}

/**
 * Parses check-update's table (`name.arch  [epoch:]version-release  repo`). yum wraps a long name onto its own line,
 * with the rest on the next; the "Obsoleting Packages" section that may follow is not updates.
 */
export function parseCheckUpdate(stdout: string): AvailableUpdate[] {
  const updates: AvailableUpdate[] = [];
  let carried = '';
  for (const raw of stdout.split('\n')) {
    if (/^Obsoleting Packages/i.test(raw)) break;
    const line = `${carried} ${raw}`.trim();
    carried = '';
    if (!line) continue;
    const fields = line.split(/\s+/);
    if (fields.length === 1 && /\.[A-Za-z0-9_]+$/.test(fields[0]!)) {
      carried = fields[0]!;
      continue;
    }
    if (fields.length !== 3) continue;
    const [nameArch, evr, repository] = fields as [string, string, string];
    const dot = nameArch.lastIndexOf('.');
    if (dot <= 0 || !/\d/.test(evr)) continue;
    updates.push({ name: nameArch.slice(0, dot), arch: nameArch.slice(dot + 1), evr: withEpoch(evr), repository });
  }
  return updates;
}

/** A NEVRA (`name-[epoch:]version-release.arch`) split into its parts. */
export function parseNevra(nevra: string): { name: string; arch: string; evr: string } | undefined {
  const m = /^(.+)-(?:(\d+):)?([^-:]+)-([^-]+)\.([^.]+)$/.exec(nevra);
  if (!m) return undefined;
  return { name: m[1]!, evr: `${m[2] ?? '0'}:${m[3]}-${m[4]}`, arch: m[5]! };
}

/** One line of `updateinfo list`: which advisory names which package version, and whether it is installed. */
export interface AdvisoryPackage {
  advisoryId: string;
  /** updateinfo's type as the list shows it: `security`, `bugfix`, `enhancement`, `newpackage`, ... */
  type: string;
  severity?: string;
  name: string;
  arch: string;
  evr: string;
  installed: boolean;
}

/** Parses `updateinfo list --all` (`[i ]ID type-or-Severity/Sec. nevra`). */
export function parseUpdateinfoList(stdout: string): AdvisoryPackage[] {
  const entries: AdvisoryPackage[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(i\s+|\s*)(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const nevra = parseNevra(m[4]!);
    if (!nevra) continue;
    const kind = m[3]!;
    const sec = /^(.+)\/Sec\.$/.exec(kind);
    entries.push({
      advisoryId: m[2]!,
      type: sec ? 'security' : kind.toLowerCase(),
      ...(sec && sec[1] !== 'Unknown' ? { severity: sec[1]! } : {}),
      ...nevra,
      installed: m[1]!.startsWith('i'),
    });
  }
  return entries;
}

/** An advisory's details from `updateinfo info`. */
export interface AdvisoryInfo {
  id: string;
  type?: string;
  severity?: string;
  issued?: string;
  updated?: string;
  cves: string[];
  bugzillas: string[];
}

/** Parses `updateinfo info` blocks: `  Update ID: X`, `Type:`, `Updated:`, `Issued:`, `Bugs:`, `CVEs:`, `Severity:`, with `           : more` continuation lines. */
export function parseUpdateinfoInfo(stdout: string): Map<string, AdvisoryInfo> {
  const advisories = new Map<string, AdvisoryInfo>();
  let current: AdvisoryInfo | undefined;
  let field = '';
  for (const line of stdout.split('\n')) {
    const m = /^\s*([A-Za-z ]*?)\s*: (.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] ? m[1] : field;
    field = key;
    const value = m[2]!.trim();
    if (key === 'Update ID') {
      current = { id: value, cves: [], bugzillas: [] };
      advisories.set(value, current);
      continue;
    }
    if (!current) continue;
    if (key === 'Type') current.type = value.toLowerCase();
    else if (key === 'Severity' && value && value !== 'None') current.severity = value;
    else if (key === 'Issued') current.issued = value;
    else if (key === 'Updated') current.updated = value;
    else if (key === 'CVEs') current.cves.push(...value.split(/\s+/).filter((id) => /^CVE-/.test(id)));
    else if (key === 'Bugs') current.bugzillas.push(value.split(/\s+/)[0]!);
  }
  return advisories;
}

/** `2026-02-20 00:00:00` (UTC, as updateinfo writes it) as ISO 8601. */
export function updateinfoDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** The lines of dnf's or yum's error output worth showing. */
export function dnfErrorLines(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => /^(Error|Problem| {0,2}- |Failed|Skipping|package .* requires|nothing provides|Cannot|Waiting for process)/i.test(line) || /nothing provides|conflicts with|is locked|Errno/.test(line));
  return (lines.length ? lines : output.trim().split('\n').slice(-3)).join('; ').slice(0, 1000);
}
