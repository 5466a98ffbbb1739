/**
 * `@tender/patch-baseline/testing`: test doubles for what sits on either side of a patch provider, for the tests of
 * the packages that build on this one. Not for production code.
 *
 * - replayContext: a provider's unit tests run the real provider against recorded package-manager commands.
 * - MemoryPatchHost: the tests of what uses a provider (the aws:runPatchBaseline action, the agent's runner
 *   through a reboot) get a provider over an in-memory host instead of a real package manager.
 */
export { replayContext, type RecordedCommand, type ReplayContext } from './replay-context.js';
export { MemoryPatchHost, testBaselineSnapshot, type MemoryPackage } from './memory-patch-host.js';
