import { promises as fs } from 'node:fs';
import {
  evaluatePatch, operatingSystemFromOsRelease, parseOsRelease, patchState, productFromOsRelease, toReportEntry,
  type PatchCandidate,
} from '@tender/patch-baseline';
import type { ExecResult, PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchProviderContext, PatchReportEntry } from '@tender/plugin-api';
import {
  dnfErrorLines, parseCheckUpdate, parseRpmQuery, parseUpdateinfoInfo, parseUpdateinfoList, RPM_QUERY_FORMAT, updateinfoDate,
  type AdvisoryInfo, type AdvisoryPackage, type AvailableUpdate, type RpmPackage,
} from './dnf-output.js';
import { compareEvr } from './rpm-version.js';

export interface DnfProviderOptions {
  /** dnf or yum; default: dnf where it runs, else yum. */
  tool?: 'dnf' | 'yum';
  /** Added to every dnf / yum command (a sandbox's `-c`, `--installroot`, `--releasever`, repositories). */
  options?: string[];
  /** Another root's rpm database (`rpm --root`). */
  rpmRoot?: string;
  /** Added to every command's environment. */
  env?: Record<string, string>;
  /** Where the OS is named (PRODUCT). Default /etc/os-release. */
  osReleaseFile?: string;
}

/** The packages needs-restarting itself treats as needing a reboot, for hosts without it. */
const REBOOT_PACKAGES = ['kernel', 'kernel-core', 'kernel-rt', 'glibc', 'linux-firmware', 'systemd', 'dbus', 'dbus-broker', 'dbus-daemon'];

const CLASSIFICATIONS: Record<string, string> = { security: 'Security', bugfix: 'Bugfix', enhancement: 'Enhancement', newpackage: 'Newpackage', recommended: 'Recommended' };
const TYPE_RANK = ['security', 'bugfix', 'enhancement', 'recommended', 'newpackage'];
const SEVERITY_RANK = ['Critical', 'Important', 'Moderate', 'Medium', 'Low'];

interface HostPackage {
  pkg: RpmPackage;
  candidate: PatchCandidate;
  /** The installed version with its own advisories, judged when its update is not approved. */
  installed: PatchCandidate;
}

interface HostState {
  packages: HostPackage[];
  reboot: { required: boolean; packages: Set<string> } | undefined;
}

/**
 * Patches with dnf (or yum) and rpm. Candidates are the installed packages (rpm -qa); their updates come from
 * check-update, and updateinfo's advisories (list and info) give each update's type, severity, CVEs and dates.
 * When the newest update is not approved but an older one named by an advisory is (a security-only baseline and a
 * newer non-security build), the approved one is chosen, as `--security` upgrades do. Install upgrades exactly the
 * chosen NEVRAs; under RejectedPatchesAction BLOCK the rejected packages are excluded so nothing pulls them in.
 */
export function createDnfProvider(settings: DnfProviderOptions = {}): PatchProvider {
  const env = { LC_ALL: 'C', LANG: 'C', ...settings.env };
  let resolvedTool: 'dnf' | 'yum' | undefined = settings.tool;

  const run = (context: PatchProviderContext, command: string, args: string[], timeoutMs?: number): Promise<ExecResult> =>
    context.exec(command, args, timeoutMs ? { env, timeoutMs } : { env });

  async function tool(context: PatchProviderContext): Promise<'dnf' | 'yum'> {
    if (resolvedTool) return resolvedTool;
    const dnf = await run(context, 'dnf', ['--version']).catch(() => undefined);
    resolvedTool = dnf?.exitCode === 0 ? 'dnf' : 'yum';
    return resolvedTool;
  }

  async function packageManager(context: PatchProviderContext, args: string[], timeoutMs?: number): Promise<ExecResult> {
    const name = await tool(context);
    return run(context, name, [...(settings.options ?? []), ...args], timeoutMs);
  }

  async function collect(context: PatchProviderContext, baseline: PatchBaselineSnapshot): Promise<HostState> {
    const query = await run(context, 'rpm', [...(settings.rpmRoot ? [`--root=${settings.rpmRoot}`] : []), '-qa', '--qf', RPM_QUERY_FORMAT]);
    if (query.exitCode !== 0) throw new Error(`rpm -qa failed: ${dnfErrorLines(query.stderr)}`);
    const installed = parseRpmQuery(query.stdout);
    const yum = (await tool(context)) === 'yum';
    const check = await packageManager(context, ['-q', 'check-update']);
    // check-update: 100 = updates available, 0 = none, anything else = it could not tell.
    if (check.exitCode !== 0 && check.exitCode !== 100) throw new Error(`${yum ? 'yum' : 'dnf'} check-update failed: ${dnfErrorLines(check.stderr + check.stdout)}`);
    const list = await packageManager(context, ['-q', 'updateinfo', 'list', yum ? 'all' : '--all']);
    const info = await packageManager(context, ['-q', 'updateinfo', 'info', yum ? 'all' : '--all']);
    if (list.exitCode !== 0 || info.exitCode !== 0) context.logger.warn('updateinfo failed; updates are seen without advisories', { error: dnfErrorLines(list.stderr + info.stderr) });
    const product = await readProduct(settings.osReleaseFile ?? '/etc/os-release');
    const updates = new Map(parseCheckUpdate(check.stdout).map((update) => [`${update.name}.${update.arch}`, update]));
    const advisories = parseUpdateinfoList(list.exitCode === 0 ? list.stdout : '');
    const details = parseUpdateinfoInfo(info.exitCode === 0 ? info.stdout : '');
    const byPackage = new Map<string, AdvisoryPackage[]>();
    for (const entry of advisories) {
      const key = `${entry.name}.${entry.arch}`;
      byPackage.set(key, [...(byPackage.get(key) ?? []), entry]);
    }
    const packages = installed.map((pkg) => {
      const entries = byPackage.get(`${pkg.name}.${pkg.arch}`) ?? [];
      return {
        pkg,
        candidate: chooseCandidate(baseline, pkg, updates.get(`${pkg.name}.${pkg.arch}`), entries, details, product),
        installed: candidateFor(pkg, pkg.evr, entries, details, product, true),
      };
    });
    return { packages, reboot: undefined };
  }

  /** needs-restarting -r (dnf's plugin, or yum-utils' command): undefined where the host has neither. */
  async function rebootNeeded(context: PatchProviderContext): Promise<{ required: boolean; packages: Set<string> } | undefined> {
    const result = (await tool(context)) === 'dnf'
      ? await packageManager(context, ['-q', 'needs-restarting', '-r'])
      : await run(context, 'needs-restarting', ['-r']).catch(() => undefined);
    const text = `${result?.stdout ?? ''}\n${result?.stderr ?? ''}`;
    const packages = new Set([...text.matchAll(/^\s*\* (\S+)/gm)].map((m) => m[1]!));
    if (/Reboot is required/i.test(text)) return { required: true, packages };
    if (/Reboot should not be necessary/i.test(text)) return { required: false, packages };
    return undefined;
  }

  function report(operation: 'Scan' | 'Install', baseline: PatchBaselineSnapshot, host: HostState, installedNow: Set<string>, failed: Map<string, string>): PatchOperationResult {
    const rebootRequired = host.reboot?.required ?? false;
    const patches: PatchReportEntry[] = [];
    for (const { pkg, candidate, installed } of host.packages) {
      const pendingReboot = rebootRequired && (installedNow.has(pkg.name) || (host.reboot?.packages.has(pkg.name) ?? false));
      const verdict = patchState(baseline, candidate, { failed: failed.has(pkg.name), pendingReboot, installed });
      if (!verdict) continue;
      const entry = toReportEntry(verdict.subject === 'installed' ? installed : candidate, verdict, '', verdict.state.startsWith('INSTALLED') ? pkg.installTime : undefined);
      entry.Title = `${pkg.name}.${pkg.arch}:${entry.Version ?? pkg.evr}`;
      patches.push(entry);
    }
    return { operation, patches, rebootRequired, failures: [...failed].map(([patch, message]) => ({ patch, message })) };
  }

  return {
    description: 'dnf and yum with updateinfo advisories (RHEL family, Amazon Linux): type, severity, CVEs, release dates',
    operatingSystems: ['AMAZON_LINUX', 'AMAZON_LINUX_2', 'AMAZON_LINUX_2022', 'AMAZON_LINUX_2023', 'REDHAT_ENTERPRISE_LINUX', 'CENTOS', 'ORACLE_LINUX', 'ROCKY_LINUX', 'ALMA_LINUX'],

    async detect(context) {
      for (const name of ['dnf', 'yum'] as const) {
        const result = await run(context, name, ['--version']).catch(() => undefined);
        if (result?.exitCode === 0) return true;
      }
      return false;
    },

    async scan(context, baseline) {
      const host = await collect(context, baseline);
      host.reboot = await rebootNeeded(context);
      return report('Scan', baseline, host, new Set(), new Map());
    },

    async install(context, baseline, options) {
      const before = await collect(context, baseline);
      const override = options.installOverrideList;
      const selected = before.packages.filter(({ pkg, candidate }) => {
        if (candidate.availableVersion === undefined) return false;
        if (override) return override.some((entry) => entry === pkg.name || entry === `${pkg.name}.${pkg.arch}`);
        return patchState(baseline, candidate)?.state === 'MISSING';
      });
      const failed = new Map<string, string>();
      let output = '';
      if (selected.length > 0) {
        // BLOCK: dnf must not install a rejected package, not even as a dependency; --skip-broken lets the rest go on.
        const excludes = baseline.rejectedPatchesAction === 'BLOCK' ? baseline.rejectedPatches.filter((entry) => !/^(CVE-|\d+$)/.test(entry)).map((entry) => `--exclude=${entry}`) : [];
        const nevras = selected.map(({ pkg, candidate }) => `${pkg.name}-${candidate.availableVersion}.${pkg.arch}`);
        const result = await packageManager(context, ['-y', '--skip-broken', ...excludes, 'upgrade', ...nevras], 3_600_000);
        output = `${result.stdout}\n${result.stderr}`;
        if (result.exitCode !== 0) context.logger.warn('the package manager reported an error', { exitCode: result.exitCode, error: dnfErrorLines(output) });
      }
      const after = await collect(context, baseline);
      const installedNow = new Set<string>();
      for (const { pkg, candidate } of selected) {
        const now = after.packages.find((entry) => entry.pkg.name === pkg.name && entry.pkg.arch === pkg.arch)?.pkg;
        if (now && compareEvr(now.evr, candidate.availableVersion!) >= 0) installedNow.add(pkg.name);
        else failed.set(pkg.name, `${pkg.name}-${candidate.availableVersion}.${pkg.arch} was not installed: ${failureFor(output, pkg.name)}`);
      }
      after.reboot = await rebootNeeded(context);
      if (!after.reboot && installedNow.size > 0) {
        const core = [...installedNow].filter((name) => REBOOT_PACKAGES.includes(name));
        after.reboot = { required: core.length > 0, packages: new Set(core) };
      }
      return report('Install', baseline, after, installedNow, failed);
    },
  };
}

/** The lines of the package manager's output about one package, or its error summary. */
function failureFor(output: string, name: string): string {
  const about = output.split('\n').map((line) => line.trim()).filter((line) => line.includes(name) && /(nothing provides|requires|conflicts|Error|Problem|Skipping|excluded|filtered out|broken)/i.test(line.split(name).join('')));
  return (about.length ? about.join('; ') : dnfErrorLines(output) || 'the package manager did not upgrade it').slice(0, 1000);
}

function rank<T>(order: readonly T[], value: T | undefined): number {
  const index = value === undefined ? -1 : order.indexOf(value);
  return index < 0 ? order.length : index;
}

/** The candidate for one update version: the advisories that name exactly that version, merged. */
function candidateFor(pkg: RpmPackage, evr: string, entries: AdvisoryPackage[], details: Map<string, AdvisoryInfo>, product: string | undefined, installedOnly: boolean): PatchCandidate {
  const named = entries.filter((entry) => compareEvr(entry.evr, evr) === 0);
  const infos = named.map((entry) => details.get(entry.advisoryId)).filter((info): info is AdvisoryInfo => info !== undefined);
  const types = named.map((entry) => details.get(entry.advisoryId)?.type ?? entry.type);
  const type = [...types].sort((a, b) => rank(TYPE_RANK, a) - rank(TYPE_RANK, b))[0];
  const severities = [...named.map((entry) => entry.severity), ...infos.map((info) => info.severity)].filter((s): s is string => s !== undefined);
  // ALAS writes `important`, Red Hat `Important`: SSM's values are capitalised.
  const severity = severities.map((s) => s[0]!.toUpperCase() + s.slice(1).toLowerCase()).sort((a, b) => rank(SEVERITY_RANK, a) - rank(SEVERITY_RANK, b))[0];
  // SSM approves "after they are released or updated": the latest date counts.
  const dates = infos.map((info) => updateinfoDate(info.updated ?? info.issued)).filter((d): d is string => d !== undefined).sort();
  const candidate: PatchCandidate = {
    name: pkg.name,
    arch: pkg.arch,
    installedVersion: pkg.evr,
    security: type === 'security',
    nonSecurity: named.length === 0,
  };
  if (!installedOnly) candidate.availableVersion = evr;
  if (type) candidate.classification = CLASSIFICATIONS[type] ?? type;
  if (severity) candidate.severity = severity;
  if (product) candidate.product = product;
  if (dates.length) candidate.releaseDate = dates[dates.length - 1]!;
  const cves = [...new Set(infos.flatMap((info) => info.cves))];
  const bugs = [...new Set(infos.flatMap((info) => info.bugzillas))];
  if (cves.length) candidate.cves = cves;
  if (bugs.length) candidate.bugzillaIds = bugs;
  if (named.length) candidate.advisoryIds = [...new Set(named.map((entry) => entry.advisoryId))];
  return candidate;
}

/**
 * The update to judge for one installed package: the newest one the baseline approves among the newest available
 * and every newer version an advisory names; if none is approved, the newest (reported as not approved).
 */
export function chooseCandidate(baseline: PatchBaselineSnapshot, pkg: RpmPackage, update: AvailableUpdate | undefined, entries: AdvisoryPackage[], details: Map<string, AdvisoryInfo>, product: string | undefined): PatchCandidate {
  const newer = new Set<string>();
  if (update && compareEvr(update.evr, pkg.evr) > 0) newer.add(update.evr);
  for (const entry of entries) if (!entry.installed && compareEvr(entry.evr, pkg.evr) > 0) newer.add(entry.evr);
  const versions = [...newer].sort((a, b) => compareEvr(b, a));
  if (versions.length === 0) return candidateFor(pkg, pkg.evr, entries, details, product, true);
  const candidates = versions.map((evr) => ({ ...candidateFor(pkg, evr, entries, details, product, false), ...(update && evr === update.evr ? { repository: update.repository } : {}) }));
  return candidates.find((candidate) => evaluatePatch(baseline, candidate).approved) ?? candidates[0]!;
}

async function readProduct(file: string): Promise<string | undefined> {
  const release = parseOsRelease(await fs.readFile(file, 'utf8').catch(() => ''));
  return operatingSystemFromOsRelease(release) ? productFromOsRelease(release) : undefined;
}
