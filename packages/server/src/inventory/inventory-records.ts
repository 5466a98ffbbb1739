/** The records inventory keeps, as they are persisted and exchanged between its modules. */

/** One row of a type: attribute name → value (SSM's InventoryItemEntry). */
export type InventoryRow = Record<string, string>;

/** One type as stored for one host. */
export interface StoredItem {
  TypeName: string;
  SchemaVersion: string;
  CaptureTime: string;
  ContentHash: string;
  Context?: Record<string, string>;
  Content: InventoryRow[];
}

/** What changed in one type on one host at one time. */
export interface HistoryEntry {
  /** When the control plane stored the change (ISO 8601). */
  time: string;
  TypeName: string;
  /** CaptureTime of the new content (absent when the type was deleted). */
  CaptureTime?: string;
  /** Content hashes before and after: an entry whose pair is already the last one recorded is not recorded twice. */
  fromHash?: string;
  toHash?: string;
  added: InventoryRow[];
  removed: InventoryRow[];
  changed: Array<{ before: InventoryRow; after: InventoryRow }>;
  /** Why, when it was not an upload (e.g. `DeleteInventory`). */
  reason?: string;
}

/** A custom type's schema state: the attributes seen, and the version DeleteInventory disabled, if any. */
export interface CustomSchemaRecord {
  TypeName: string;
  Version: string;
  Attributes: string[];
  disabledThrough?: string;
}

export interface DeletionRecord {
  DeletionId: string;
  TypeName: string;
  ClientToken?: string;
  DeletionStartTime: string;
  LastStatus: 'InProgress' | 'Complete';
  LastStatusMessage: string;
  LastStatusUpdateTime: string;
  DeletionSummary: { TotalCount: number; RemainingCount: number; SummaryItems: Array<{ Version: string; Count: number; RemainingCount: number }> };
}
