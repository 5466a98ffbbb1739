/**
 * Retention: how long the control plane keeps its histories, and the pruner that enforces it. Wiring
 * (control-plane.ts):
 *
 *   const retention = new RetentionPruner({ kinds: [commandRetention(...), windowExecutionRetention(...),
 *     inventoryHistoryRetention(...)], now, audit, logger });
 *   retention.start();                           // prunes at start, then hourly; stop() on shutdown
 *
 * A capability adds its own history by providing a RetentionKind beside its records. A history kept in the store
 * as groups of rows (a record and the rows that belong to it, and files) says only what differs through
 * storedHistoryRetention (finished? ended when? which rows belong?); it deletes each group whole, crash-safe,
 * through StoreDeletions. Inventory history (one file per host, rewritten atomically) implements RetentionKind
 * itself.
 */
export { RetentionPruner, RETENTION_AUDIT_CALLER, RETENTION_AUDIT_OPERATION, describeRun } from './retention-pruner.js';
export type { KindReport, RetentionPrunerOptions, RetentionRunReport } from './retention-pruner.js';
export { PartialPruneError, type PruneCounts, type RetentionKind } from './retention-kind.js';
export { StoreDeletions, RETENTION_INTENTS_TABLE } from './store-deletions.js';
export type { DeletionGroup, DeletionIntent, Removed, RowRef, StoreDeletionsOptions } from './store-deletions.js';
export { historyPart, storedHistoryRetention, type HistoryPart, type StoredHistory } from './stored-history.js';
export { cutoffFor, DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, retentionDaysProblem } from './retention-settings.js';
export type { RetentionDays } from './retention-settings.js';
