import type { PatchOperatingSystem } from '@tender/plugin-api';
import { PatchBaselineError } from './errors.js';
import { globMatches } from './glob.js';
import { patchFamily } from './operating-systems.js';
import type { PatchCandidate } from './patch-candidate.js';
import { splitEpochVersionRelease } from './rpm-version.js';

/**
 * ApprovedPatches / RejectedPatches in SSM's formats per operating system:
 * - Windows: KB ids (`KB4012212`) and bulletin ids (`MS17-010`).
 * - Debian, Ubuntu, Raspbian, macOS: package names only (`openssl`, `libssl*`); they match every architecture and
 *   version of the package.
 * - RHEL family, Amazon Linux, SUSE: Bugzilla ids (digits), CVE ids, advisory ids (`RHSA-2017:0864`, `ALAS-2018-123`),
 *   or a package named by any of name, name.arch, name-version, name-version-release, name-version-release.arch,
 *   version, version-release, epoch:version-release, name-epoch:version-release, name-epoch:version-release.arch,
 *   epoch:name-version-release.arch, name.arch:epoch:version-release, with at most one `*` wildcard.
 */
export const MAX_PATCH_LIST_LENGTH = 50;
const MAX_PATCH_ID_LENGTH = 100;

const FORMATS = {
  windows: { pattern: /^(KB\d{4,10}|MS\d{2}-\d{3})$/i, describe: 'a KB id such as KB4012212 or a bulletin id such as MS17-010' },
  apt: { pattern: /^[a-z0-9*][a-z0-9+.\-*]*$/i, describe: 'a package name such as openssl or libssl* (no version or architecture)' },
  macos: { pattern: /^[A-Za-z0-9*][A-Za-z0-9+._\-*]*$/, describe: 'a package name' },
  rpm: { pattern: /^[A-Za-z0-9*][A-Za-z0-9_.+:~^\-*]*$/, describe: 'a package name in an SSM format such as name, name.arch or name-epoch:version-release.arch, a CVE id, an advisory id or a Bugzilla id' },
} as const;

function formatFor(operatingSystem: PatchOperatingSystem): { pattern: RegExp; describe: string } {
  const family = patchFamily(operatingSystem);
  return family === 'suse' ? FORMATS.rpm : FORMATS[family];
}

/** Refuses a malformed patch list entry with SSM's ValidationException and a message that names it. */
export function validatePatchList(operatingSystem: PatchOperatingSystem, list: string[], listName: 'ApprovedPatches' | 'RejectedPatches'): void {
  if (list.length > MAX_PATCH_LIST_LENGTH) throw new PatchBaselineError(`${listName} has ${list.length} entries; at most ${MAX_PATCH_LIST_LENGTH} are allowed`);
  const format = formatFor(operatingSystem);
  const family = patchFamily(operatingSystem);
  for (const entry of list) {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > MAX_PATCH_ID_LENGTH) {
      throw new PatchBaselineError(`${listName}: every entry must be 1 to ${MAX_PATCH_ID_LENGTH} characters`);
    }
    if (!format.pattern.test(entry) || entry.replace(/[^*]/g, '').length > 1 && (family === 'rpm' || family === 'suse')) {
      throw new PatchBaselineError(`${listName}: "${entry}" is not a valid patch for operating system ${operatingSystem}; expected ${format.describe}`);
    }
  }
}

/** Every string an rpm package can be named by in a patch list, for the given `[epoch:]version-release`. */
export function rpmPackageNames(name: string, arch: string | undefined, evr: string | undefined): string[] {
  const names = [name];
  if (arch) names.push(`${name}.${arch}`);
  if (!evr) return names;
  const { epoch, version, release } = splitEpochVersionRelease(evr);
  const vr = release ? `${version}-${release}` : version;
  names.push(`${name}-${version}`, `${name}-${vr}`, version, vr, `${epoch}:${vr}`, `${name}-${epoch}:${vr}`);
  if (arch) names.push(`${name}-${vr}.${arch}`, `${name}-${epoch}:${vr}.${arch}`, `${epoch}:${name}-${vr}.${arch}`, `${name}.${arch}:${epoch}:${vr}`);
  return names;
}

/**
 * Whether an entry of an approved or rejected list names this candidate. `which` picks the version that is named:
 * the update that would be installed (`available`) or what is on the host now (`installed`).
 */
export function patchListMatches(operatingSystem: PatchOperatingSystem, list: string[], candidate: PatchCandidate, which: 'available' | 'installed'): string | undefined {
  if (list.length === 0) return undefined;
  const family = patchFamily(operatingSystem);
  let names: string[];
  if (family === 'windows') {
    names = [candidate.kbId ?? candidate.name, ...(candidate.advisoryIds ?? [])];
  } else if (family === 'rpm' || family === 'suse') {
    const evr = which === 'available' ? candidate.availableVersion : candidate.installedVersion;
    names = [...rpmPackageNames(candidate.name, candidate.arch, evr), ...(candidate.cves ?? []), ...(candidate.advisoryIds ?? []), ...(candidate.bugzillaIds ?? [])];
  } else {
    names = [candidate.name];
  }
  return list.find((entry) => names.some((name) => globMatches(entry, name)));
}
