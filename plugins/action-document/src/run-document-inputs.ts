import { parseDocumentReference, type DocumentReference } from './document-reference.js';

/** The action's name, as documents spell it. */
export const RUN_DOCUMENT = 'aws:runDocument';

export const DOCUMENT_TYPES = ['SSMDocument', 'LocalPath'] as const;

export type RunDocumentSource = ({ type: 'SSMDocument' } & DocumentReference) | { type: 'LocalPath'; path: string };

export interface RunDocumentInputs {
  source: RunDocumentSource;
  /** The nested document's parameter values, as JSON values (checked later against its definitions). */
  parameters: Record<string, unknown>;
}

export type ParsedRunDocument = { ok: true; inputs: RunDocumentInputs } | { ok: false; message: string };

const fail = (message: string): ParsedRunDocument => ({ ok: false, message: `${RUN_DOCUMENT}: ${message}` });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the step's inputs as SSM defines them; never throws. documentType SSMDocument: documentPath is a
 * document's name or ARN, optionally `:<version>`. LocalPath: a file on the instance (relative: in the command's
 * downloads folder, where aws:downloadContent puts it). documentParameters: a JSON object, or its text.
 */
export function parseRunDocumentInputs(inputs: Readonly<Record<string, unknown>>): ParsedRunDocument {
  const { documentType, documentPath, documentParameters } = inputs;
  if (typeof documentType !== 'string' || documentType.trim() === '') return fail(`the input documentType is required (${DOCUMENT_TYPES.join(' or ')})`);
  if (!(DOCUMENT_TYPES as readonly string[]).includes(documentType)) {
    return fail(`documentType ${JSON.stringify(documentType)} is not valid: it is ${DOCUMENT_TYPES.join(' or ')}`);
  }
  if (typeof documentPath !== 'string' || documentPath.trim() === '') {
    return fail(documentType === 'SSMDocument' ? 'the input documentPath is required: the name of a document in the control plane' : 'the input documentPath is required: the path of a document file on the instance');
  }

  let parameters: Record<string, unknown> = {};
  if (typeof documentParameters === 'string' && documentParameters.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(documentParameters);
    } catch (error) {
      return fail(`the input documentParameters is not valid JSON: ${(error as Error).message}`);
    }
    if (!isObject(parsed)) return fail('the input documentParameters must be a JSON object of parameter names and values');
    parameters = parsed;
  } else if (isObject(documentParameters)) {
    parameters = { ...documentParameters };
  } else if (documentParameters !== undefined && documentParameters !== null && documentParameters !== '') {
    return fail('the input documentParameters must be a JSON object of parameter names and values');
  }

  if (documentType === 'LocalPath') return { ok: true, inputs: { source: { type: 'LocalPath', path: documentPath.trim() }, parameters } };
  const reference = parseDocumentReference(documentPath, undefined, 'documentPath');
  if ('problem' in reference) return fail(reference.problem);
  return { ok: true, inputs: { source: { type: 'SSMDocument', ...reference }, parameters } };
}
