/**
 * Inventory on the control plane. Wiring (control-plane.ts):
 *
 *   const inventory = await InventoryService.open({ persistence: new FileInventoryPersistence(dataDir), registry, now, logger });
 *   for (const [type, handler] of Object.entries(inventoryMessageHandlers(inventory, (id, t, body) => gateway.send(id, t, body)))) gateway.on(type, handler);
 *   operations: [...inventoryOperations(inventory)]
 */
export { InventoryService } from './inventory-service.js';
export { captureTimeOf, instanceInformationRow } from './instance-information-view.js';
export type { InventoryServiceOptions } from './inventory-service.js';
export { inventoryOperations, inventoryMessageHandlers } from './operations.js';
export type { InventoryMessageType } from './operations.js';
export { FileInventoryPersistence } from './inventory-persistence.js';
export type { InventoryPersistence } from './inventory-persistence.js';
export type { HistoryEntry, InventoryRow, StoredItem } from './inventory-records.js';
export { compareVersions, compareAttributeValues } from './version-compare.js';
export { AWS_SCHEMAS } from './inventory-schemas.js';
