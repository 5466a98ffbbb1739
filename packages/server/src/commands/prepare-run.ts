/**
 * From SendCommand's document fields and parameters to what every invocation will run: the document version,
 * the checked parameter values, the step list, the execution timeout, and the `command` message body. Every
 * check that can refuse a command happens here, before anything is written.
 *
 * Parameter Store references are fetched here, as the caller: `{{ssm:...}}` values are put into the parameter
 * values and the document's steps (the agent never sees those references); `{{ssm-secure:...}}` references stay
 * as written everywhere and their values come back in `secrets`, for the command service to seal to each target.
 */
import type { CommandBody } from '@tender/protocol';
import {
  collectParameterStoreReferences,
  DocumentError,
  interpolate,
  ParameterError,
  parseDocument,
  replaceParameterStoreReferences,
  resolveParameters,
  stepTimeoutSeconds,
  type CommandDocument,
  type JsonObject,
  type JsonValue,
  type ParameterStoreValues,
  type ResolvedParameters,
} from '@tender/documents';
import type { Principal } from '../access/access-keys.js';
import { ApiError } from '../api/errors.js';
import type { DocumentStepRef } from './command-records.js';
import { fetchReferences, type ResolveReference, type FetchedValue } from './parameter-store-references.js';

/** The document lookup (the documents service): throws ApiError InvalidDocument / InvalidDocumentVersion. */
export type ResolveDocument = (
  name: string,
  version?: string,
  hash?: string,
) => Promise<{ name: string; version: string; document: CommandDocument; content: Record<string, unknown>; hash: string }>;

export interface PreparedRun {
  documentName: string;
  documentVersion: string;
  steps: DocumentStepRef[];
  /** SSM's execution timeout: the document's executionTimeout parameter, else its steps' timeouts, at least 3600 s. */
  executionTimeoutSeconds: number;
  /** The body of every `command` message of this command (the commandId is filled in by the caller). */
  body: Omit<CommandBody, 'commandId'>;
  /** The `{{ssm-secure:...}}` values the run needs, to be sealed to each target; never stored as they are. */
  secrets: ReadonlyMap<string, FetchedValue>;
  /** Every Parameter Store reference the run resolved, plain and secure, with the versions (for the audit trail). */
  references: ReadonlyMap<string, FetchedValue>;
}

/** Who sends the command and how its Parameter Store references are fetched (absent: no Parameter Store). */
export interface ReferenceResolution {
  caller?: Principal;
  resolve?: ResolveReference;
}

/** SSM's default execution timeout when a document does not set one ("Understanding command timeout values"). */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3600;

/** `arn:aws:ssm:<region>:<account>:document/<name>` names the document <name>. */
export function documentNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const at = nameOrArn.indexOf(':document/');
  if (at < 0) throw new ApiError('InvalidDocument', `${nameOrArn} is not a document ARN (arn:aws:ssm:<region>:<account>:document/<name>)`);
  return nameOrArn.slice(at + ':document/'.length);
}

/**
 * The Parameter Store references a run needs: in every parameter value (defaults included, as SSM checks them
 * all) and in what the steps will be given (inputs, settings, ENV_VAR variables). References in preconditions
 * are left alone: SSM Agent does not resolve them, and fails such a step when it runs.
 */
function referencesOf(values: ResolvedParameters, steps: CommandDocument['steps']): string[] {
  const references: string[] = [];
  for (const value of Object.values(values)) collectParameterStoreReferences(value, references);
  for (const step of steps) {
    collectParameterStoreReferences(step.inputs, references);
    collectParameterStoreReferences(step.settings, references);
    if (step.env !== undefined) collectParameterStoreReferences(Object.values(step.env), references);
  }
  return references;
}

/** Document and parameter errors are the caller's: SendCommand's InvalidParameters. */
function asInvalidParameters<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ParameterError || error instanceof DocumentError) throw new ApiError('InvalidParameters', error.message);
    throw error;
  }
}

/** The parameter values with the plain Parameter Store values put in (a StringList parameter takes a list's items). */
function withPlainValues(document: CommandDocument, values: ResolvedParameters, plain: ParameterStoreValues): Record<string, JsonValue> {
  const replaced: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(values)) {
    // A StringList default written as one string, "{{ssm:list}}", stands for the whole list.
    const given = document.parameters[name]?.type === 'StringList' && typeof value === 'string' ? [value] : value;
    replaced[name] = replaceParameterStoreReferences(given, plain, { document: document.name, place: `parameter "${name}"` });
  }
  return replaced;
}

/**
 * The document's content with the plain values put in where the steps are written (mainSteps, or runtimeConfig
 * for schema 1.2), preconditions excepted; the parameter definitions stay as written.
 */
function contentWithPlainValues(document: CommandDocument, content: Record<string, unknown>, plain: ParameterStoreValues): JsonObject {
  const skipPreconditions = (value: JsonValue, place: string): JsonValue => {
    if (Array.isArray(value)) return value.map((item, index) => skipPreconditions(item, `${place}[${index}]`));
    if (value === null || typeof value !== 'object') return replaceParameterStoreReferences(value, plain, { document: document.name, place });
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'precondition' ? item : replaceParameterStoreReferences(item, plain, { document: document.name, place: `${place}.${key}` })]));
  };
  const replaced: JsonObject = {};
  for (const [key, value] of Object.entries(content as JsonObject)) {
    replaced[key] = key === 'mainSteps' || key === 'runtimeConfig' ? skipPreconditions(value, key) : value;
  }
  return replaced;
}

function executionTimeoutOf(document: CommandDocument, values: ResolvedParameters, steps: CommandDocument['steps']): { seconds: number; explicit?: number } {
  const declared = Object.hasOwn(document.parameters, 'executionTimeout') ? values.executionTimeout : undefined;
  const explicit = typeof declared === 'number' ? declared : typeof declared === 'string' && /^\d+$/.test(declared.trim()) ? Number(declared) : undefined;
  if (explicit !== undefined && explicit > 0) return { seconds: explicit, explicit };
  const total = steps.reduce((sum, step) => sum + (stepTimeoutSeconds(step) ?? 0), 0);
  return { seconds: Math.max(DEFAULT_EXECUTION_TIMEOUT_SECONDS, total) };
}

export async function prepareRun(
  resolveDocument: ResolveDocument,
  request: {
    documentName: string;
    documentVersion?: string;
    documentHash?: string;
    documentHashType?: string;
    parameters: Record<string, string[]>;
    comment: string;
    /** Which document types may run (default Command: SendCommand's rule; State Manager also runs Policy documents). */
    documentTypes?: readonly string[];
  },
  references: ReferenceResolution = {},
): Promise<PreparedRun> {
  if (request.documentHash !== undefined && request.documentHashType === 'Sha1') {
    throw new ApiError('InvalidDocument', 'Sha1 document hashes are deprecated and Tender keeps Sha256 hashes only: pass the Sha256 DocumentHash from DescribeDocument');
  }
  const resolved = await resolveDocument(documentNameOf(request.documentName), request.documentVersion, request.documentHash);
  const { document } = resolved;
  if (!(request.documentTypes ?? ['Command']).includes(document.documentType)) {
    throw new ApiError('InvalidDocument', `Document ${resolved.name} is a ${document.documentType} document; SendCommand runs Command documents`);
  }

  let values = asInvalidParameters(() => resolveParameters(document, request.parameters));
  let run = document;
  let steps = asInvalidParameters(() => interpolate(document, values).steps);
  let content = resolved.content;
  const fetched = await fetchReferences(referencesOf(values, steps), references.caller, references.resolve);
  if (fetched.plain.size > 0) {
    // The plain values go in before dispatch, and are checked (allowedPattern, allowedValues, ...) like any value.
    const given = asInvalidParameters(() => withPlainValues(document, values, fetched.plain));
    content = asInvalidParameters(() => contentWithPlainValues(document, resolved.content, fetched.plain));
    run = asInvalidParameters(() => parseDocument(JSON.stringify(content), { name: resolved.name, format: 'JSON', documentType: document.documentType }));
    values = asInvalidParameters(() => resolveParameters(run, given));
    steps = asInvalidParameters(() => interpolate(run, values).steps);
  }

  const timeout = executionTimeoutOf(run, values, steps);
  const body: Omit<CommandBody, 'commandId'> = {
    documentName: resolved.name,
    documentVersion: resolved.version,
    document: content,
    parameters: { ...values },
  };
  if (timeout.explicit !== undefined) body.executionTimeoutSeconds = timeout.explicit;
  if (request.comment !== '') body.comment = request.comment;
  return {
    documentName: resolved.name,
    documentVersion: resolved.version,
    steps: run.steps.map((step) => ({ name: step.name, action: step.action })),
    executionTimeoutSeconds: timeout.seconds,
    body,
    secrets: fetched.secure,
    references: new Map([...fetched.plain, ...fetched.secure]),
  };
}
