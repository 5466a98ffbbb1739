/**
 * The agent's Run Command engine: durable command state, the document runner, the bounded queue, recovery.
 * CommandRunner is the one object the agent needs; the parts are exported for tests and the fleet simulator.
 */
export { CommandRunner, DEFAULT_CONCURRENCY, DEFAULT_MAX_STEP_RUNS } from './command-runner.js';
export type { CancelOutcome, CommandRunnerOptions, RecoveryReport } from './command-runner.js';
export type {
  Command,
  CommandProgress,
  CommandResult,
  CommandStatus,
  OutputSummary,
  StatusDetails,
  StepResult,
  StepStatus,
} from './command.js';
export { isValidCommandId } from './command.js';
export { InvalidCommandError, commandProblems } from './command-validation.js';
export { CommandStore } from './command-store.js';
export type { CommandLocation, StoredEntry } from './command-store.js';
export type { CommandRecord } from './command-record.js';
export { CommandQueue } from './command-queue.js';
export type { CommandQueueOptions, QueueCancelOutcome } from './command-queue.js';
export { DocumentRunner } from './document-runner.js';
export type { DocumentRunnerOptions, RunOutcome, StopReason } from './document-runner.js';
export { recoverCommands, INTERRUPTED_COMMAND_REASON, INTERRUPTED_STEP_REASON } from './command-recovery.js';
export type { RecoveryPlan } from './command-recovery.js';
export { actionsFromMap, actionsFromPlugins, type ActionLookup } from './action-registry.js';
export { systemClock, type Clock } from './clock.js';
export { createSystemRebooter, rebootCommand, rebootOnce, type Rebooter, type RebootSpawn, type SystemRebooterOptions } from './rebooter.js';
export { createProcOrphanReaper, defaultOrphanReaper, noOrphanReaper, type OrphanReaper } from './orphan-processes.js';
export { STEP_RUN_VARIABLE, type InstanceFacts } from './step-environment.js';
export { secretOpener, type SecretOpener } from './secret-references.js';
export { aggregateStatus, NO_RESPONSE_CODE } from './invocation-status.js';
export { STDERR_PREVIEW_CHARACTERS, STDOUT_PREVIEW_CHARACTERS } from './output-preview.js';
export { documentServices, MAX_NESTED_DOCUMENT_LEVEL, patchProviderServices, patchProvidersFromPlugins, type DocumentServices, type DocumentSource, type FetchedDocument, type PatchProviderList } from './step-services.js';
export { deliveryDeadlinePassed, endDeliveryTimedOut } from './delivery-deadline.js';
