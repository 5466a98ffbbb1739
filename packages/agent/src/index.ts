export { Agent, type AgentOptions, type AgentExit } from './runtime/agent.js';
export { runAgent, BUNDLED_PLUGINS, type RunAgentOptions } from './runtime/run-agent.js';
export { registerAgent, type RegisterOptions } from './registration/register.js';
export { loadIdentity, saveIdentity, identityPath, NotRegisteredError, type AgentIdentity, type AgentIdentityFile } from './identity/agent-identity.js';
export { gatherPlatformInfo, parseOsRelease, parseSwVers, primaryAddress, type PlatformInfo } from './platform/platform-info.js';
export { discoverPlugins, importPlugin, loadPlugins, type DiscoveredPlugin, type LoadedPlugin, type PluginSources } from './plugins/plugin-loader.js';
export { PluginCatalog } from './plugins/plugin-catalog.js';
export { AGENT_VERSION } from './version.js';
export { InventoryUploader, InventorySchedule, DEFAULT_GATHER_INPUTS, SOFTWARE_INVENTORY_ACTION, type InventoryUploaderOptions } from './inventory/index.js';
