/**
 * The agent's plugins, imported on first use. Every plugin's manifest says what it provides (transports, actions,
 * patch providers), so the agent knows at start whom to ask for what without importing anyone's code; a plugin's
 * entry is imported the first time one of its transports, actions or patch providers is used (the transport at
 * start, the rest when a document needs them). An agent that only ever sits idle, or only runs shell scripts, never
 * holds the code of the other plugins in memory.
 *
 * A plugin whose code fails to import (or turns out not to match its manifest) fails that first use, and every later
 * one, with the PluginError naming it; the agent and the other plugins go on.
 */
import { PluginError, type ActionContext, type ActionHandler, type PreparedStep, type ActionResult, type DefinedPlugin, type Logger, type PatchBaselineSnapshot, type PatchProvider, type PatchProviderContext, type TransportFactory } from '@tender/plugin-api';
import type { ActionLookup } from '../runner/action-registry.js';
import type { PatchProviderList } from '../runner/step-services.js';
import { importPlugin, type DiscoveredPlugin } from './plugin-loader.js';

export class PluginCatalog {
  private readonly imports = new Map<string, Promise<DefinedPlugin>>();
  /** The plugins whose import has succeeded, for what must not wait for one (an action's prepare). */
  private readonly loaded = new Map<string, DefinedPlugin>();
  private readonly actionHandlers = new Map<string, ActionHandler>();
  private readonly patchProviderList: Array<{ name: string; provider: PatchProvider }> = [];

  /** `discovered`: discoverPlugins()'s answer (manifests checked, clashes refused). */
  constructor(
    readonly discovered: readonly DiscoveredPlugin[],
    private readonly logger?: Logger,
  ) {
    for (const plugin of discovered) {
      for (const action of plugin.manifest.provides.actions) this.actionHandlers.set(action, this.lazyAction(plugin, action));
    }
  }

  /** The plugins' names and versions, for the start log. */
  describe(): string[] {
    return this.discovered.map(({ manifest }) => `${manifest.name}@${manifest.version}`);
  }

  /** The plugins whose code has been imported (or tried), by name. */
  imported(): string[] {
    return [...this.imports.keys()];
  }

  /** The plugin's module, imported once (its failure, too, is kept: the same PluginError on every use). */
  load(name: string): Promise<DefinedPlugin> {
    let loading = this.imports.get(name);
    if (!loading) {
      const plugin = this.discovered.find((p) => p.manifest.name === name);
      if (!plugin) return Promise.reject(new PluginError(name, 'is not one of the agent\'s plugins'));
      loading = importPlugin(plugin);
      loading.then((defined) => this.loaded.set(name, defined), () => undefined);
      loading.catch((error: unknown) => this.logger?.error('a plugin failed to load; what it provides fails until the agent restarts with it fixed', { plugin: name, err: (error as Error)?.message ?? String(error) }));
      this.imports.set(name, loading);
    }
    return loading;
  }

  /** The factory of a transport (imports its plugin). */
  async transport(name: string): Promise<TransportFactory> {
    const owner = this.discovered.find((p) => p.manifest.provides.transports.includes(name));
    if (!owner) throw new Error(`no installed plugin provides the transport ${name} this agent registered with`);
    const factory = (await this.load(owner.manifest.name)).transports?.[name];
    if (!factory) throw new PluginError(owner.manifest.name, `declares transport ${name} in tender.provides.transports, but its definePlugin() has no transports[${JSON.stringify(name)}]`);
    return factory;
  }

  /** The runner's action lookup: a handler for every action a manifest declares, importing its plugin on first run. */
  actions(): ActionLookup {
    return (action) => this.actionHandlers.get(action);
  }

  /**
   * The patch providers for services.patchProviders(). A provider whose operating systems its manifest declares
   * stands in for the real one until AWS-RunPatchBaseline calls it; one whose manifest does not is imported now
   * (its operating systems are read synchronously), so call this at start.
   */
  async patchProviders(): Promise<PatchProviderList> {
    if (this.patchProviderList.length === 0) {
      for (const plugin of this.discovered) {
        const declared = plugin.manifest.provides.patchProviderOperatingSystems ?? {};
        for (const name of plugin.manifest.provides.patchProviders ?? []) {
          const operatingSystems = declared[name];
          const provider = operatingSystems ? this.lazyPatchProvider(plugin, name, operatingSystems) : await this.realPatchProvider(plugin, name).catch(() => undefined);
          if (provider) this.patchProviderList.push({ name, provider });
        }
      }
    }
    return this.patchProviderList;
  }

  private lazyAction(plugin: DiscoveredPlugin, action: string): ActionHandler {
    return {
      // Only a head start, and never a wait: an action whose plugin is not imported yet starts without it.
      prepare: (step: PreparedStep): void => this.loaded.get(plugin.manifest.name)?.actions?.[action]?.prepare?.(step),
      run: async (context: ActionContext): Promise<ActionResult> => {
        // Once imported, the handler runs from here on, not a turn later: the step's process may be waiting to start.
        const handler = (this.loaded.get(plugin.manifest.name) ?? (await this.load(plugin.manifest.name))).actions?.[action];
        if (!handler) throw new PluginError(plugin.manifest.name, `declares action ${action} in tender.provides.actions, but its definePlugin() has no actions[${JSON.stringify(action)}]`);
        return handler.run(context);
      },
    };
  }

  private async realPatchProvider(plugin: DiscoveredPlugin, name: string): Promise<PatchProvider> {
    const provider = (await this.load(plugin.manifest.name)).patchProviders?.[name];
    if (!provider) throw new PluginError(plugin.manifest.name, `declares patch provider ${name} in tender.provides.patchProviders, but its definePlugin() has no patchProviders[${JSON.stringify(name)}]`);
    return provider;
  }

  private lazyPatchProvider(plugin: DiscoveredPlugin, name: string, operatingSystems: PatchProvider['operatingSystems']): PatchProvider {
    const real = async () => {
      const provider = await this.realPatchProvider(plugin, name);
      const same = provider.operatingSystems.length === operatingSystems.length && provider.operatingSystems.every((system) => operatingSystems.includes(system));
      if (!same) {
        throw new PluginError(plugin.manifest.name, `patch provider ${name} serves ${provider.operatingSystems.join(', ')}, but tender.provides.patchProviderOperatingSystems says ${operatingSystems.join(', ')}; make them the same`);
      }
      return provider;
    };
    return {
      operatingSystems: [...operatingSystems],
      detect: async (context: PatchProviderContext) => (await real()).detect(context),
      scan: async (context: PatchProviderContext, baseline: PatchBaselineSnapshot) => (await real()).scan(context, baseline),
      install: async (context: PatchProviderContext, baseline: PatchBaselineSnapshot, options: { installOverrideList?: string[] }) => (await real()).install(context, baseline, options),
    };
  }
}
