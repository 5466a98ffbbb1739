export { PLUGIN_API_VERSION, PLATFORMS, type Platform } from './version.js';
export type { Logger } from './logger.js';
export type { Transport, TransportContext, TransportFactory, TransportStatus } from './transport.js';
export { definePlugin, isDefinedPlugin, type DefinedPlugin, type PluginDefinition } from './define-plugin.js';
export { parseManifest, checkCompatibility, PluginError, type PluginManifest } from './manifest.js';
export type { ActionContext, AgentServices, ActionHandler, ActionResult, ActionStatus, OutputSink, PreparedStep, RunIdentity } from './action.js';
export { abortReasonOf, type AbortReason } from './abort-reason.js';
export { PATCH_OPERATING_SYSTEMS } from './patching.js';
export type {
  ExecResult,
  PatchBaselineSnapshot,
  PatchFilter,
  PatchOperatingSystem,
  PatchOperationResult,
  PatchProvider,
  PatchProviderContext,
  PatchReportEntry,
  PatchRule,
  PatchStateName,
} from './patching.js';
