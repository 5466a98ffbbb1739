export { CollectingSink, stepFixture, type LogEntry, type StepFixture } from './step-fixture.js';
