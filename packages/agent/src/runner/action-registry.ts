/**
 * Which handler runs an action. The loader has already refused two plugins providing one action, so this is a
 * plain lookup; an action no plugin provides is the runner's to report (the step fails, with the name).
 */
import type { ActionHandler } from '@tender/plugin-api';
import type { LoadedPlugin } from '../plugins/plugin-loader.js';

export type ActionLookup = (action: string) => ActionHandler | undefined;

export function actionsFromPlugins(plugins: readonly Pick<LoadedPlugin, 'plugin'>[]): ActionLookup {
  const actions = new Map<string, ActionHandler>();
  for (const { plugin } of plugins) {
    for (const [name, handler] of Object.entries(plugin.actions ?? {})) actions.set(name, handler);
  }
  return (action) => actions.get(action);
}

export function actionsFromMap(actions: Readonly<Record<string, ActionHandler>> | ReadonlyMap<string, ActionHandler>): ActionLookup {
  const map = actions instanceof Map ? actions : new Map(Object.entries(actions));
  return (action) => map.get(action);
}
