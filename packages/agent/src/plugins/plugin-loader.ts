import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { checkCompatibility, isDefinedPlugin, parseManifest, PLUGIN_API_VERSION, PluginError, type DefinedPlugin, type PluginManifest } from '@tender/plugin-api';

export interface LoadedPlugin {
  manifest: PluginManifest;
  dir: string;
  plugin: DefinedPlugin;
}

export interface PluginSources {
  /** Package names resolved from the agent's own node_modules (the plugins it ships with). */
  packages?: string[];
  /** Plugin folders given in the agent's configuration. */
  paths?: string[];
  /** Folders whose `tender-plugin-*` and `@scope/tender-plugin-*` packages are plugins (a node_modules). */
  searchDirs?: string[];
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Find a package's folder by walking up node_modules folders, as Node does, without needing its exports. */
function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function listPluginPackages(nodeModules: string): Promise<string[]> {
  const entries = await fs.readdir(nodeModules).catch(() => [] as string[]);
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('tender-plugin-')) found.push(path.join(nodeModules, entry));
    else if (entry.startsWith('@')) {
      for (const scoped of await fs.readdir(path.join(nodeModules, entry)).catch(() => [] as string[])) {
        if (scoped.startsWith('tender-plugin-')) found.push(path.join(nodeModules, entry, scoped));
      }
    }
  }
  return found;
}

async function readManifest(dir: string): Promise<PluginManifest> {
  const file = path.join(dir, 'package.json');
  let pkg: unknown;
  try {
    pkg = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new PluginError(dir, `cannot read ${file}: ${(error as Error).message}`);
  }
  return parseManifest(pkg, dir);
}

export interface DiscoveredPlugin {
  manifest: PluginManifest;
  dir: string;
}

/**
 * Find plugins and read their manifests, without importing any plugin code: refuse (naming the plugin and why)
 * one whose `engines.tender` range does not cover this plugin API, whose platforms exclude this one, or whose
 * name or provided transports, actions or patch providers clash with another's.
 */
export async function discoverPlugins(sources: PluginSources, host = { apiVersion: PLUGIN_API_VERSION, platform: process.platform as string }): Promise<DiscoveredPlugin[]> {
  const dirs: string[] = [];
  for (const name of sources.packages ?? []) {
    const dir = findPackageDir(name, HERE);
    if (!dir) throw new PluginError(name, 'is not installed (no package of that name next to the agent)');
    dirs.push(dir);
  }
  dirs.push(...(sources.paths ?? []).map((p) => path.resolve(p)));
  for (const searchDir of sources.searchDirs ?? []) dirs.push(...(await listPluginPackages(searchDir)));

  const discovered: DiscoveredPlugin[] = [];
  const seenDirs = new Set<string>();
  for (const dir of dirs) {
    const real = await fs.realpath(dir).catch(() => dir);
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    const manifest = await readManifest(dir);
    checkCompatibility(manifest, host);
    discovered.push({ manifest, dir });
  }

  const owners = new Map<string, string>();
  const claim = (what: string, plugin: string) => {
    const other = owners.get(what);
    if (other) throw new PluginError(plugin, `${what} is already provided by plugin ${other}; remove one of them`);
    owners.set(what, plugin);
  };
  for (const { manifest } of discovered) {
    claim(`the plugin name ${manifest.name}`, manifest.name);
    for (const transport of manifest.provides.transports) claim(`transport ${transport}`, manifest.name);
    for (const action of manifest.provides.actions) claim(`action ${action}`, manifest.name);
    for (const provider of manifest.provides.patchProviders ?? []) claim(`patch provider ${provider}`, manifest.name);
  }
  return discovered;
}

/**
 * Import one plugin's entry and check it really is a definePlugin() whose name matches its package and which
 * provides nothing its manifest does not declare.
 */
export async function importPlugin({ manifest, dir }: DiscoveredPlugin): Promise<DefinedPlugin> {
  const entry = path.resolve(dir, manifest.main);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (error) {
    throw new PluginError(manifest.name, `its entry ${entry} failed to load: ${(error as Error)?.message ?? String(error)}`);
  }
  const plugin = module.default;
  if (!isDefinedPlugin(plugin)) throw new PluginError(manifest.name, `its entry ${entry} does not export default definePlugin({...})`);
  if (plugin.name !== manifest.name) throw new PluginError(manifest.name, `its definePlugin() name is ${plugin.name}, not its package name`);
  for (const transport of Object.keys(plugin.transports ?? {})) {
    if (!manifest.provides.transports.includes(transport)) {
      throw new PluginError(manifest.name, `provides transport ${transport} without declaring it in tender.provides.transports`);
    }
  }
  for (const action of Object.keys(plugin.actions ?? {})) {
    if (!manifest.provides.actions.includes(action)) {
      throw new PluginError(manifest.name, `provides action ${action} without declaring it in tender.provides.actions`);
    }
  }
  for (const provider of Object.keys(plugin.patchProviders ?? {})) {
    if (!(manifest.provides.patchProviders ?? []).includes(provider)) {
      throw new PluginError(manifest.name, `provides patch provider ${provider} without declaring it in tender.provides.patchProviders`);
    }
  }
  return plugin;
}

/**
 * Load plugins all at once: discoverPlugins(), then import every one. The agent itself imports lazily
 * (PluginCatalog); this is for tools and tests that want every plugin's code now.
 */
export async function loadPlugins(sources: PluginSources, host = { apiVersion: PLUGIN_API_VERSION, platform: process.platform as string }): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const discovered of await discoverPlugins(sources, host)) loaded.push({ ...discovered, plugin: await importPlugin(discovered) });
  return loaded;
}
