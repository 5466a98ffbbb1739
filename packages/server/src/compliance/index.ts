/**
 * Compliance on the control plane. Wiring (control-plane.ts):
 *
 *   const compliance = await ComplianceService.open({ store, resourceExists: (id) => registry.get(id) !== undefined });
 *   operations: [...complianceOperations(compliance, (id) => registry.get(id) !== undefined)]
 *   deregistration: await compliance.removeResource(instanceId)
 *
 * Other services record compliance through the ComplianceRecorder contract (compliance.put(write)).
 */
export { ComplianceService, COMPLIANCE_TABLE } from './compliance-service.js';
export type { ComplianceServiceOptions, ItemView, ResourceTypeView, TypeCounts } from './compliance-service.js';
export { complianceOperations } from './operations.js';
export { parseComplianceWrite, MAX_CUSTOM_TYPES, MAX_ITEM_BYTES, MAX_RESOURCE_BYTES, MAX_ITEMS_PER_PUT } from './compliance-input.js';
export type { ComplianceRecorder, ComplianceWrite, ComplianceItemEntry, ComplianceItemSeverity, ComplianceStatus } from './compliance-recorder.js';
