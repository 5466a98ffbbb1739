import type { ActionHandler } from './action.js';
import type { PatchProvider } from './patching.js';
import type { TransportFactory } from './transport.js';

/** What a plugin's entry module exports by default. Later capabilities add inventory types and patch
 * providers beside `transports` and `actions`. */
export interface PluginDefinition {
  /** Must equal the `name` in the plugin's package.json. */
  name: string;
  transports?: Record<string, TransportFactory>;
  /** Document actions by their SSM names, e.g. `aws:runShellScript`. */
  actions?: Record<string, ActionHandler>;
  /** Patch providers by name (e.g. `apt`); the manifest lists them in `tender.provides.patchProviders`. */
  patchProviders?: Record<string, PatchProvider>;
}

const PLUGIN_MARK = Symbol.for('tender.plugin');

export type DefinedPlugin<T extends PluginDefinition = PluginDefinition> = T & { readonly [PLUGIN_MARK]: true };

/** Declare a plugin. The mark lets the loader tell a plugin from an arbitrary default export. */
export function definePlugin<T extends PluginDefinition>(definition: T): DefinedPlugin<T> {
  if (!definition || typeof definition.name !== 'string' || definition.name.length === 0) {
    throw new TypeError('definePlugin: a plugin needs a non-empty name');
  }
  return Object.freeze({ ...definition, [PLUGIN_MARK]: true as const });
}

export function isDefinedPlugin(value: unknown): value is DefinedPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_MARK] === true;
}
