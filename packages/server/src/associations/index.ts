/**
 * State Manager associations on the control plane: the API (create, batch, update, describe, list, versions,
 * delete, DescribeEffectiveInstanceAssociations), delivery of each instance's set to its agent
 * (association-delivery.ts), the agents' run reports grouped into executions with their views,
 * StartAssociationsOnce and UpdateAssociationStatus (association-executions.ts, execution-operations.ts), and
 * association results as compliance items (association-compliance.ts). state-manager.ts puts them together.
 */
export { associationOperations } from './operations.js';
export { executionOperations } from './execution-operations.js';
export { AssociationService, MAX_ASSOCIATIONS, MAX_ASSOCIATION_VERSIONS, type AssociationServiceOptions, type FailedAssociation } from './association-service.js';
export { currentVersion, type AssociationRecord, type AssociationSettings, type AssociationTarget, type AssociationVersionRecord } from './association-records.js';
export { targetsMatch } from './association-targets.js';
export { AssociationIndex } from './association-index.js';
export { AssociationBodies } from './association-body.js';
export { AssociationDelivery, type DeliveryRecord } from './association-delivery.js';
export { AssociationExecutions } from './association-executions.js';
export { associationExecutionRetention, ASSOCIATION_EXECUTION_RETENTION_KIND, type AssociationExecutionRetentionOptions } from './association-execution-retention.js';
export { startStateManager, type StateManager, type StateManagerOptions } from './state-manager.js';
