import { promises as fs } from 'node:fs';
import {
  operatingSystemFromOsRelease, parseOsRelease, patchListMatches, patchState, productFromOsRelease, toReportEntry,
  type PatchCandidate,
} from '@tender/patch-baseline';
import type { PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchProviderContext, PatchReportEntry } from '@tender/plugin-api';
import { errorLines, isInterrupted, isLockError, normalizeOutput, packagesWithErrors, simulatedInstalls } from './apt-output.js';
import { isSecuritySuite, parseAptPolicy, type AptPolicy } from './apt-policy.js';
import { DPKG_QUERY_FORMAT, isBroken, isHeld, isInstalled, parseDpkgQuery, type DpkgPackage } from './dpkg-status.js';
import { compareDebianVersions } from './dpkg-version.js';

export interface AptProviderOptions {
  /** Added to every apt-get / apt-cache command's environment (APT_CONFIG for a sandbox). */
  env?: Record<string, string>;
  /** Another root's dpkg database (`dpkg-query --admindir=<root>/var/lib/dpkg`, `dpkg --root=<root>`). */
  dpkgRoot?: string;
  /** Extra options for `dpkg --configure -a` (e.g. `--force-script-chrootless` in a sandbox). */
  dpkgOptions?: string[];
  /** Debian's reboot flag file. Default /var/run/reboot-required; its `.pkgs` sibling names the packages. */
  rebootRequiredFile?: string;
  /** Where the OS is named (PRODUCT). Default /etc/os-release. */
  osReleaseFile?: string;
  /** Run `apt-get update` before looking for updates, as SSM does. Default true. */
  updateLists?: boolean;
  /** How long apt waits for another process's dpkg lock before failing (DPkg::Lock::Timeout). Default 120. */
  lockTimeoutSeconds?: number;
}

/** The state of the host as one scan sees it. */
interface HostPackages {
  /** Each installed package: the update to judge, and the installed version with its own suites. */
  candidates: Array<{ candidate: PatchCandidate; installed: PatchCandidate; pkg: DpkgPackage }>;
  /** Packages the approved list names that are not installed: NOT_APPLICABLE when approved. */
  notInstalled: PatchCandidate[];
  rebootRequired: boolean;
  /** Packages /var/run/reboot-required.pkgs names (installed, awaiting the reboot). */
  rebootPackages: Set<string>;
}

const C_LOCALE = { LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C' };

/**
 * Patches with apt and dpkg. Candidates are the installed packages (dpkg-query, whose status also says which are
 * held or broken) with the version apt would install (one `apt-cache policy` call, whose version table names each
 * version's suites: a `*-security` suite makes a security update). Install upgrades exactly the approved versions
 * with `apt-get install --only-upgrade name=version`, never held packages.
 */
export function createAptProvider(options: AptProviderOptions = {}): PatchProvider {
  const rebootFile = options.rebootRequiredFile ?? '/var/run/reboot-required';
  const env = { ...C_LOCALE, DEBIAN_FRONTEND: 'noninteractive', ...options.env };
  const adminDir = options.dpkgRoot ? [`--admindir=${options.dpkgRoot}/var/lib/dpkg`] : [];

  async function run(context: PatchProviderContext, command: string, args: string[]) {
    return context.exec(command, args, { env });
  }

  async function collect(context: PatchProviderContext, baseline: PatchBaselineSnapshot, refresh: boolean): Promise<HostPackages> {
    if (refresh && options.updateLists !== false) {
      const update = await run(context, 'apt-get', ['-q', 'update']);
      if (update.exitCode !== 0) context.logger.warn('apt-get update failed; scanning with the package lists already on the host', { error: errorLines(update.stderr + update.stdout) });
    }
    const query = await run(context, 'dpkg-query', [...adminDir, '-W', '-f', DPKG_QUERY_FORMAT]);
    if (query.exitCode !== 0) throw new Error(`dpkg-query failed: ${errorLines(query.stderr)}`);
    const packages = parseDpkgQuery(query.stdout).filter((pkg) => isInstalled(pkg) || isBroken(pkg));
    // Approved packages that are not installed are looked up in the same apt-cache call (wildcards name no one package).
    const installedNames = new Set(packages.map((pkg) => pkg.name));
    const approvedAbsent = [...new Set(baseline.approvedPatches)].filter((name) => !name.includes('*') && !installedNames.has(name));
    const policies = await readPolicies(context, packages, approvedAbsent);
    const product = await readProduct(options.osReleaseFile ?? '/etc/os-release');
    const notInstalled = approvedAbsent.flatMap((name) => {
      const policy = policies.get(name);
      if (!policy?.candidate || policy.installed) return [];
      const suites = policy.versions.get(policy.candidate) ?? [];
      const security = suites.some(isSecuritySuite);
      const candidate: PatchCandidate = { name, availableVersion: policy.candidate, classification: security ? 'Security' : 'Other', security, nonSecurity: !security };
      if (product !== undefined) candidate.product = product;
      return [candidate];
    });
    const candidates = packages.map((pkg) => {
      const policy = policyFor(policies, pkg);
      return { pkg, candidate: toCandidate(pkg, policy, product), installed: toCandidate(pkg, policy, product, 'installed') };
    });
    const rebootRequired = await exists(rebootFile);
    const listed = rebootRequired ? await fs.readFile(`${rebootFile}.pkgs`, 'utf8').catch(() => '') : '';
    return { candidates, notInstalled, rebootRequired, rebootPackages: new Set(listed.split('\n').map((line) => line.trim()).filter(Boolean)) };
  }

  async function readPolicies(context: PatchProviderContext, packages: DpkgPackage[], others: string[]): Promise<Map<string, AptPolicy>> {
    const names = [...packages.map((pkg) => (pkg.arch === 'all' ? pkg.name : `${pkg.name}:${pkg.arch}`)), ...others];
    if (names.length === 0) return new Map();
    const policy = await run(context, 'apt-cache', ['policy', ...names]);
    if (policy.exitCode !== 0) throw new Error(`apt-cache policy failed: ${errorLines(policy.stderr)}`);
    return parseAptPolicy(policy.stdout);
  }

  function report(operation: 'Scan' | 'Install', baseline: PatchBaselineSnapshot, host: HostPackages, installedNow: Set<string>, failed: Map<string, string>): PatchOperationResult {
    const patches: PatchReportEntry[] = [];
    for (const { candidate, installed, pkg } of host.candidates) {
      const pendingReboot = host.rebootRequired && (host.rebootPackages.has(pkg.name) || installedNow.has(pkg.name));
      const verdict = patchState(baseline, candidate, { failed: failed.has(pkg.name) || isBroken(pkg), pendingReboot, installed });
      if (!verdict) continue;
      const entry = toReportEntry(verdict.subject === 'installed' ? installed : candidate, verdict, '');
      entry.Title = `${pkg.name} ${entry.Version ?? pkg.version}`;
      patches.push(entry);
    }
    for (const candidate of host.notInstalled) {
      const verdict = patchState(baseline, candidate);
      if (verdict) patches.push(toReportEntry(candidate, verdict, `${candidate.name} ${candidate.availableVersion}`));
    }
    const failures = [...failed].map(([patch, message]) => ({ patch, message }));
    for (const { pkg } of host.candidates) {
      if (isBroken(pkg) && !failed.has(pkg.name)) failures.push({ patch: pkg.name, message: `dpkg status ${pkg.status.trim()}: the package is not fully installed (run dpkg --configure -a)` });
    }
    return { operation, patches, rebootRequired: host.rebootRequired, failures };
  }

  return {
    description: 'apt and dpkg (Debian, Ubuntu, Raspberry Pi OS): security updates from *-security suites, priority and section, held packages',
    operatingSystems: ['DEBIAN', 'UBUNTU', 'RASPBIAN'],

    async detect(context) {
      const result = await context.exec('apt-get', ['--version'], { env }).catch(() => undefined);
      return result !== undefined && result.exitCode === 0;
    },

    async scan(context, baseline) {
      const host = await collect(context, baseline, true);
      return report('Scan', baseline, host, new Set(), new Map());
    },

    async install(context, baseline, installOptions) {
      const before = await collect(context, baseline, true);
      const failed = new Map<string, string>();
      const override = installOptions.installOverrideList;
      const selected: Array<{ name: string; version: string }> = [];
      for (const { candidate, pkg } of before.candidates) {
        if (candidate.availableVersion === undefined) continue;
        const verdict = patchState(baseline, candidate);
        const wanted = override ? override.some((entry) => patchListMatches(baseline.operatingSystem, [entry], candidate, 'available')) : verdict?.state === 'MISSING';
        if (!wanted) continue;
        if (override && (verdict?.decision.rejected ?? false) && baseline.rejectedPatchesAction === 'BLOCK') continue;
        if (isHeld(pkg)) {
          failed.set(pkg.name, `${pkg.name} is held (apt-mark hold); ${candidate.availableVersion} was not installed`);
          continue;
        }
        selected.push({ name: pkg.name, version: candidate.availableVersion });
      }
      const toInstall = baseline.rejectedPatchesAction === 'BLOCK' ? await withoutBlockedDependencies(context, baseline, selected, failed) : selected;
      let installOutput = '';
      if (toInstall.length > 0) installOutput = await installPackages(context, toInstall, failed);
      const after = await collect(context, baseline, false);
      const installedNow = new Set<string>();
      for (const { name, version } of toInstall) {
        const now = after.candidates.find(({ pkg }) => pkg.name === name)?.pkg;
        if (now && isInstalled(now) && compareDebianVersions(now.version, version) >= 0) {
          installedNow.add(name);
          failed.delete(name);
        } else if (!failed.has(name)) {
          failed.set(name, `${name} ${version} was not installed: ${errorLines(installOutput) || 'apt-get did not upgrade it'}`);
        }
      }
      // Only packages that failed in this run are FAILED; report() also marks packages dpkg left broken.
      return report('Install', baseline, after, installedNow, failed);
    },
  };

  /** Under BLOCK, a package whose upgrade would bring in a rejected package is not installed. */
  async function withoutBlockedDependencies(context: PatchProviderContext, baseline: PatchBaselineSnapshot, selected: Array<{ name: string; version: string }>, failed: Map<string, string>) {
    if (selected.length === 0 || baseline.rejectedPatches.length === 0) return selected;
    const rejectedIn = async (group: Array<{ name: string; version: string }>): Promise<string[]> => {
      const simulation = await run(context, 'apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'install', '--only-upgrade', ...group.map((p) => `${p.name}=${p.version}`)]);
      return simulatedInstalls(simulation.stdout)
        .filter((install) => patchListMatches(baseline.operatingSystem, baseline.rejectedPatches, { name: install.name, availableVersion: install.version, security: false }, 'available') !== undefined)
        .map((install) => install.name);
    };
    if ((await rejectedIn(selected)).length === 0) return selected;
    const kept: Array<{ name: string; version: string }> = [];
    for (const entry of selected) {
      const rejected = await rejectedIn([entry]);
      if (rejected.length === 0) kept.push(entry);
      else failed.set(entry.name, `${entry.name} ${entry.version} needs the rejected package ${rejected.join(', ')} (RejectedPatchesAction BLOCK)`);
    }
    return kept;
  }

  /** apt-get install; on failure, names the failed packages and attempts dpkg's own recovery where that is safe. */
  async function installPackages(context: PatchProviderContext, packages: Array<{ name: string; version: string }>, failed: Map<string, string>): Promise<string> {
    const args = [
      '-q', '-y', '-o', `DPkg::Lock::Timeout=${options.lockTimeoutSeconds ?? 120}`,
      '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold',
      'install', '--only-upgrade', ...packages.map((p) => `${p.name}=${p.version}`),
    ];
    let result = await run(context, 'apt-get', args);
    let output = normalizeOutput(`${result.stdout}\n${result.stderr}`);
    if (result.exitCode === 0) return output;
    if (isLockError(output)) {
      // Another process is using dpkg: recovering would race it. Report and leave the host as it is.
      for (const { name, version } of packages) failed.set(name, `${name} ${version} was not installed: the package manager is locked by another process (${errorLines(output)})`);
      return output;
    }
    if (isInterrupted(output)) {
      // An earlier dpkg run was interrupted: dpkg's documented recovery, then one more attempt.
      context.logger.warn('dpkg was interrupted earlier; running dpkg --configure -a', {});
      await configurePending(context);
      result = await run(context, 'apt-get', args);
      output = normalizeOutput(`${result.stdout}\n${result.stderr}`);
      if (result.exitCode === 0) return output;
    }
    const broken = packagesWithErrors(output);
    for (const name of broken) failed.set(name, `${name} failed to install: ${errorLines(output)}`);
    // dpkg stopped part-way: configure what it unpacked, so packages that did not fail themselves are usable.
    await configurePending(context);
    return output;
  }

  async function configurePending(context: PatchProviderContext): Promise<void> {
    const root = options.dpkgRoot ? [`--root=${options.dpkgRoot}`] : [];
    const configure = await run(context, 'dpkg', [...root, ...(options.dpkgOptions ?? []), '--configure', '-a']);
    if (configure.exitCode !== 0) context.logger.warn('dpkg --configure -a did not finish cleanly', { error: errorLines(configure.stderr + configure.stdout) });
  }
}

function policyFor(policies: Map<string, AptPolicy>, pkg: DpkgPackage): AptPolicy | undefined {
  return policies.get(`${pkg.name}:${pkg.arch}`) ?? policies.get(pkg.name);
}

const capitalize = (text: string): string => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

/**
 * One installed package as a patch candidate: the update apt would install, if newer, and where it comes from; or,
 * with `which` = `installed`, the installed version and the suites that carry it.
 */
export function toCandidate(pkg: DpkgPackage, policy: AptPolicy | undefined, product: string | undefined, which: 'update' | 'installed' = 'update'): PatchCandidate {
  const candidateVersion = policy?.candidate;
  const update = which === 'update' && candidateVersion !== undefined && compareDebianVersions(candidateVersion, pkg.version) > 0 ? candidateVersion : undefined;
  const suites = policy?.versions.get(update ?? pkg.version) ?? [];
  const security = suites.some(isSecuritySuite);
  const candidate: PatchCandidate = {
    name: pkg.name,
    arch: pkg.arch,
    installedVersion: pkg.version,
    classification: security ? 'Security' : 'Other',
    priority: capitalize(pkg.priority),
    section: pkg.section,
    security,
    nonSecurity: !security,
  };
  if (update !== undefined) candidate.availableVersion = update;
  if (product !== undefined) candidate.product = product;
  const repository = suites.find(isSecuritySuite) ?? suites[0];
  if (repository !== undefined) candidate.repository = repository;
  return candidate;
}

async function readProduct(file: string): Promise<string | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const release = parseOsRelease(text);
  return operatingSystemFromOsRelease(release) ? productFromOsRelease(release) : undefined;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
