/**
 * Inventory on the agent's side: the uploader (checksum first, spooled until acknowledged, jittered) and the
 * schedule that gathers at start and on an interval until State Manager exists.
 */
export { InventoryUploader, DEFAULT_RESEND_AFTER_MS, type InventoryServices, type InventoryUploaderOptions, type PutInventory } from './inventory-uploader.js';
export { InventorySchedule, DEFAULT_GATHER_INPUTS, DEFAULT_INVENTORY_INTERVAL_MINUTES, SOFTWARE_INVENTORY_ACTION, type InventoryScheduleOptions } from './inventory-schedule.js';
export { inventoryStateFile, loadInventoryState, type InventoryState, type PendingUpload } from './inventory-state.js';
export { InventoryChannel } from './inventory-channel.js';
