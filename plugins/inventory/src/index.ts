import { definePlugin } from '@tender/plugin-api';
import { createSoftwareInventoryAction, SOFTWARE_INVENTORY } from './software-inventory-action.js';

export {
  createSoftwareInventoryAction,
  defaultCustomInventoryDirectory,
  CUSTOM_INVENTORY_DIR_VARIABLE,
  DPKG_ADMIN_DIR_VARIABLE,
  SOFTWARE_INVENTORY,
  type SoftwareInventoryOptions,
} from './software-inventory-action.js';
export { allEnabledInputs, parseInventoryInputs, SWITCH_INPUTS, type InventoryInputs } from './inputs.js';
export { gatherInventory, selectGatherers, type GatherResult } from './gather-inventory.js';
export type { CommandRunner, GatheredItem, GatherEnvironment, GatherFailure, Gatherer, InventoryRow } from './inventory-types.js';

export default definePlugin({
  name: '@tender/inventory',
  actions: {
    [SOFTWARE_INVENTORY]: createSoftwareInventoryAction(),
  },
});
