/**
 * Maintenance windows on the control plane. Wiring (control-plane.ts):
 *
 *   const windows = new WindowService({ store, resolveDocument, instances: () => registry.all(), now });
 *   const scheduler = new WindowScheduler({ service: windows, store, commands, now, logger });
 *   await scheduler.start();                 // after commands.start(); stop() on shutdown, before commands.stop()
 *   operations: [...maintenanceWindowOperations(windows, scheduler)]
 */
export { WindowService, WINDOW_LIMITS } from './window-service.js';
export type { WindowServiceOptions } from './window-service.js';
export { WindowScheduler } from './window-scheduler.js';
export type { WindowSchedulerOptions } from './window-scheduler.js';
export { maintenanceWindowOperations } from './operations.js';
export type { CommandRunner } from './execution-driver.js';
