import semver from 'semver';
import { PATCH_OPERATING_SYSTEMS, type PatchOperatingSystem } from './patching.js';
import { PLATFORMS, type Platform } from './version.js';

/** What the loader reads from a plugin's package.json before importing any of its code. */
export interface PluginManifest {
  name: string;
  version: string;
  /** The semver range of the plugin API it supports (`engines.tender`). */
  apiRange: string;
  /** Platforms it runs on; all when absent. */
  platforms: Platform[];
  /**
   * What it provides, so clashes are found, and the agent knows whose code to import for what, without importing
   * any of it: the agent imports a plugin when one of these is first used.
   */
  provides: {
    transports: string[];
    actions: string[];
    /** Patch provider names (`apt`, `dnf`, ...). */
    patchProviders?: string[];
    /**
     * The baseline operating systems each patch provider serves (`tender.provides.patchProviderOperatingSystems`),
     * so AWS-RunPatchBaseline can pass over a provider without importing it. A provider missing here makes the
     * agent import its plugin at start (plugins written before this field still work, just not lazily).
     */
    patchProviderOperatingSystems?: Record<string, PatchOperatingSystem[]>;
  };
  /** Absolute or package-relative path of the entry module. */
  main: string;
}

export class PluginError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
  ) {
    super(`plugin ${plugin}: ${message}`);
    this.name = 'PluginError';
  }
}

function stringList(value: unknown, plugin: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new PluginError(plugin, `package.json field ${field} must be a list of non-empty strings`);
  }
  return value as string[];
}

/** `tender.provides.patchProviderOperatingSystems`: for providers the manifest lists, SSM's operating system names. */
function operatingSystemsByProvider(value: unknown, providers: string[], plugin: string): Record<string, PatchOperatingSystem[]> | undefined {
  const field = 'tender.provides.patchProviderOperatingSystems';
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PluginError(plugin, `package.json field ${field} must be an object: patch provider name → list of operating systems`);
  }
  const result: Record<string, PatchOperatingSystem[]> = {};
  for (const [provider, systems] of Object.entries(value)) {
    if (!providers.includes(provider)) throw new PluginError(plugin, `${field} names ${provider}, which tender.provides.patchProviders does not list`);
    const list = stringList(systems, plugin, `${field}.${provider}`);
    if (list.length === 0) throw new PluginError(plugin, `${field}.${provider} is empty; list the operating systems it serves`);
    for (const system of list) {
      if (!(PATCH_OPERATING_SYSTEMS as readonly string[]).includes(system)) {
        throw new PluginError(plugin, `${field}.${provider} has ${JSON.stringify(system)}; known operating systems are ${PATCH_OPERATING_SYSTEMS.join(', ')}`);
      }
    }
    result[provider] = list as PatchOperatingSystem[];
  }
  return result;
}

/** Validate a parsed package.json as a Tender plugin manifest. `source` names where it came from. */
export function parseManifest(pkg: unknown, source: string): PluginManifest {
  if (typeof pkg !== 'object' || pkg === null) throw new PluginError(source, 'package.json is not an object');
  const p = pkg as Record<string, unknown>;
  const name = typeof p.name === 'string' && p.name ? p.name : source;
  if (typeof p.name !== 'string' || !p.name) throw new PluginError(source, 'package.json has no name');
  if (typeof p.version !== 'string' || !semver.valid(p.version)) {
    throw new PluginError(name, `package.json version ${JSON.stringify(p.version)} is not a semver version`);
  }
  const engines = (p.engines ?? {}) as Record<string, unknown>;
  const apiRange = engines.tender;
  if (typeof apiRange !== 'string') {
    throw new PluginError(name, 'package.json has no engines.tender range (the plugin API versions it supports)');
  }
  if (!semver.validRange(apiRange)) throw new PluginError(name, `engines.tender ${JSON.stringify(apiRange)} is not a semver range`);
  const block = p.tender;
  if (typeof block !== 'object' || block === null) {
    throw new PluginError(name, 'package.json has no "tender" block, so it is not a Tender plugin');
  }
  const t = block as Record<string, unknown>;
  const platforms = stringList(t.platforms, name, 'tender.platforms');
  for (const platform of platforms) {
    if (!PLATFORMS.includes(platform as Platform)) {
      throw new PluginError(name, `tender.platforms has ${JSON.stringify(platform)}; known platforms are ${PLATFORMS.join(', ')}`);
    }
  }
  const provides = (t.provides ?? {}) as Record<string, unknown>;
  const patchProviders = stringList(provides.patchProviders, name, 'tender.provides.patchProviders');
  const patchProviderOperatingSystems = operatingSystemsByProvider(provides.patchProviderOperatingSystems, patchProviders, name);
  const main = typeof t.main === 'string' ? t.main : typeof p.main === 'string' ? p.main : 'index.js';
  return {
    name,
    version: p.version,
    apiRange,
    platforms: platforms.length ? (platforms as Platform[]) : [...PLATFORMS],
    provides: {
      transports: stringList(provides.transports, name, 'tender.provides.transports'),
      actions: stringList(provides.actions, name, 'tender.provides.actions'),
      patchProviders,
      ...(patchProviderOperatingSystems ? { patchProviderOperatingSystems } : {}),
    },
    main,
  };
}

/** Refuse, with a message naming the plugin, one that cannot run here. */
export function checkCompatibility(manifest: PluginManifest, host: { apiVersion: string; platform: string }): void {
  if (!semver.satisfies(host.apiVersion, manifest.apiRange, { includePrerelease: true })) {
    throw new PluginError(
      manifest.name,
      `supports plugin API ${manifest.apiRange}, but this Tender offers ${host.apiVersion}; install a version of the plugin made for ${host.apiVersion}`,
    );
  }
  if (!manifest.platforms.includes(host.platform as Platform)) {
    throw new PluginError(manifest.name, `runs on ${manifest.platforms.join(', ')}, not on ${host.platform}`);
  }
}
