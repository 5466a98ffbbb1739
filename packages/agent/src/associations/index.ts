/**
 * State Manager on the agent: the held associations (store), their schedules (scheduler, due-runs), the report
 * spool, the wire (channel), and the test-only fast clock.
 */
export { AssociationScheduler, INVENTORY_DOCUMENT, type AssociationSchedulerOptions, type ApplySetOutcome } from './association-scheduler.js';
export { AssociationChannel } from './association-channel.js';
export { AssociationStore, readAssociationState, associationStateFile, associationsFolder, type AssociationStateFile, type ScheduleProgress, type LastRun, type InFlightRun } from './association-store.js';
export { AssociationReportSpool } from './association-report-spool.js';
export { parseAssociationsBody, associationProblems, InvalidAssociationsError, MAX_ASSOCIATIONS_PER_INSTANCE } from './association-validation.js';
export { dueRun, nextRunAt, scheduleSettings, type DueRun } from './due-runs.js';
export { scaledClock, testClockFromEnvironment, TestClockError, TEST_CLOCK_VARIABLE, TEST_HOOKS_VARIABLE } from './test-clock.js';
