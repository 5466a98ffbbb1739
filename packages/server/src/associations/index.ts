/**
 * State Manager associations: the API on the control plane. Not yet here (the next step of issue 6): pushing
 * each node its associations over the wire (a `associations` message with the node's current set, sent on
 * connect and when an association or the node's tags change; targetsMatch() decides the set), the agent's
 * local scheduler (@tender/schedules associationRuns() is its contract), executions and their status
 * (DescribeAssociationExecutions, ..., UpdateAssociationStatus, the Overview and LastExecutionDate fields of
 * the record), StartAssociationsOnce, and compliance. DescribeEffectiveInstanceAssociations already answers which
 * associations a node gets now (AssociationService.effectiveFor).
 */
export { associationOperations } from './operations.js';
export { AssociationService, MAX_ASSOCIATIONS, MAX_ASSOCIATION_VERSIONS, type AssociationServiceOptions, type FailedAssociation } from './association-service.js';
export { currentVersion, type AssociationRecord, type AssociationSettings, type AssociationTarget, type AssociationVersionRecord } from './association-records.js';
export { targetsMatch } from './association-targets.js';
