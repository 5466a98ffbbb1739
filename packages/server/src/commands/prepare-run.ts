/**
 * From SendCommand's document fields and parameters to what every invocation will run: the document version,
 * the checked parameter values, the step list, the execution timeout, and the `command` message body. Every
 * check that can refuse a command happens here, before anything is written.
 */
import type { CommandBody } from '@tender/protocol';
import { interpolate, ParameterError, resolveParameters, stepTimeoutSeconds, type CommandDocument, type ResolvedParameters } from '@tender/documents';
import { ApiError } from '../api/errors.js';
import type { DocumentStepRef } from './command-records.js';

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
}

/** SSM's default execution timeout when a document does not set one ("Understanding command timeout values"). */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3600;

const PARAMETER_STORE_REFERENCE = /\{\{\s*(ssm(?:-secure)?:[/\w.:-]+)\s*\}\}/g;

/** `arn:aws:ssm:<region>:<account>:document/<name>` names the document <name>. */
export function documentNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const at = nameOrArn.indexOf(':document/');
  if (at < 0) throw new ApiError('InvalidDocument', `${nameOrArn} is not a document ARN (arn:aws:ssm:<region>:<account>:document/<name>)`);
  return nameOrArn.slice(at + ':document/'.length);
}

function referencesIn(value: unknown, into: Set<string>): void {
  const text = JSON.stringify(value ?? null);
  for (const match of text.matchAll(PARAMETER_STORE_REFERENCE)) into.add(match[1]!);
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
  request: { documentName: string; documentVersion?: string; documentHash?: string; documentHashType?: string; parameters: Record<string, string[]>; comment: string },
): Promise<PreparedRun> {
  if (request.documentHash !== undefined && request.documentHashType === 'Sha1') {
    throw new ApiError('InvalidDocument', 'Sha1 document hashes are deprecated and Tender keeps Sha256 hashes only: pass the Sha256 DocumentHash from DescribeDocument');
  }
  const resolved = await resolveDocument(documentNameOf(request.documentName), request.documentVersion, request.documentHash);
  const { document } = resolved;
  if (document.documentType !== 'Command') {
    throw new ApiError('InvalidDocument', `Document ${resolved.name} is a ${document.documentType} document; SendCommand runs Command documents`);
  }

  let values: ResolvedParameters;
  try {
    values = resolveParameters(document, request.parameters);
  } catch (error) {
    if (error instanceof ParameterError) throw new ApiError('InvalidParameters', error.message);
    throw error;
  }

  let steps: CommandDocument['steps'];
  try {
    steps = interpolate(document, values).steps;
  } catch (error) {
    if (error instanceof ParameterError) throw new ApiError('InvalidParameters', error.message);
    throw error;
  }
  const references = new Set<string>();
  for (const step of steps) {
    referencesIn(step.inputs, references);
    referencesIn(step.settings, references);
    referencesIn(step.precondition, references);
    referencesIn(step.env, references);
  }
  if (references.size > 0) {
    const list = [...references].map((reference) => `{{${reference}}}`).join(', ');
    throw new ApiError(
      'InvalidParameters',
      `Parameter Store references (${list}) are not supported yet: Tender has no Parameter Store, so the command cannot be dispatched. Pass the values directly.`,
    );
  }

  const timeout = executionTimeoutOf(document, values, steps);
  const body: Omit<CommandBody, 'commandId'> = {
    documentName: resolved.name,
    documentVersion: resolved.version,
    document: resolved.content,
    parameters: { ...values },
  };
  if (timeout.explicit !== undefined) body.executionTimeoutSeconds = timeout.explicit;
  if (request.comment !== '') body.comment = request.comment;
  return {
    documentName: resolved.name,
    documentVersion: resolved.version,
    steps: document.steps.map((step) => ({ name: step.name, action: step.action })),
    executionTimeoutSeconds: timeout.seconds,
    body,
  };
}
