import type { GatheredItem, InventoryRow } from '../inventory-types.js';
import { captureTime } from '../rows.js';

/** The usual gatherer output: one item of its type, captured now. */
export function singleItem(typeName: string, schemaVersion: string, content: InventoryRow[], now: Date = new Date()): { items: GatheredItem[] } {
  return { items: [{ TypeName: typeName, SchemaVersion: schemaVersion, CaptureTime: captureTime(now), Content: content }] };
}
