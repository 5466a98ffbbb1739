/**
 * @tender/documents: SSM documents. Parse (JSON/YAML), validate command documents (schema 1.2, 2.0, 2.2),
 * resolve parameters, interpolate, evaluate preconditions. Pure: callers pass text and values in.
 */
export { parseDocument } from './parse-document.js';
export type { ParseDocumentOptions } from './parse-document.js';
export type {
  CommandDocument,
  CommandDocumentType,
  CommandSchemaVersion,
  DisplayType,
  DocumentFormat,
  DocumentType,
  InterpolationType,
  ParameterDefinition,
  ParameterType,
  Precondition,
  Step,
} from './document-model.js';
export { COMMAND_SCHEMA_VERSIONS } from './schema-versions.js';

export { DocumentError, DocumentValidationError } from './document-errors.js';
export type { DocumentProblem } from './document-errors.js';
export { ParameterError, ParameterValidationError } from './parameter-errors.js';
export type { ParameterProblem } from './parameter-errors.js';

export { resolveParameters } from './resolve-parameters.js';
export type { ParameterValue, ResolvedParameters } from './parameter-values.js';
export { interpolate } from './interpolate.js';
export { collectParameterStoreReferences, parseParameterStoreReference } from './parameter-references.js';
export type { ParameterStoreReference } from './parameter-references.js';
export { ParameterStoreUsageError, replaceParameterStoreReferences, splitStringList } from './parameter-store-values.js';
export type { ParameterStoreType, ParameterStoreValue, ParameterStoreValues, ValuePlace } from './parameter-store-values.js';

export { evaluatePrecondition, resolvePrecondition } from './evaluate-precondition.js';
export type { PreconditionArgument, PreconditionContext, PreconditionOutcome, PreconditionVerdict } from './evaluate-precondition.js';
export { PLATFORM_TYPES } from './precondition-rules.js';
export type { PlatformType } from './precondition-rules.js';

export {
  EXIT_CODE_FAIL_AND_STOP,
  EXIT_CODE_REBOOT_UNIX,
  EXIT_CODE_REBOOT_WINDOWS,
  EXIT_CODE_SUCCEED_AND_STOP,
  decideAfterStep,
  runsAfterStop,
  skippedAfterStopReason,
} from './step-outcome.js';
export type { AfterStep, StepResult } from './step-outcome.js';
export {
  ACTIONS_WITH_TIMEOUT,
  DEFAULT_STEP_TIMEOUT_SECONDS,
  MAX_STEP_TIMEOUT_SECONDS,
  MIN_STEP_TIMEOUT_SECONDS,
  stepTimeoutSeconds,
} from './step-timeout.js';

export type { JsonObject, JsonPrimitive, JsonValue } from './json-value.js';
