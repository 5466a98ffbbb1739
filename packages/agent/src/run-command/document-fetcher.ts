import { documentFetchTarget, type FetchedDocumentBody } from '@tender/protocol';
import type { FetchedDocument } from '../runner/step-services.js';
import { describeErrorBody, sendSignedRequest, type ControlPlaneTarget } from './signed-request.js';

/** How long the control plane may take to answer a document fetch. */
export const DOCUMENT_FETCH_TIMEOUT_MS = 30_000;

/**
 * Fetches a document from the control plane (a GET signed with the agent's key: @tender/protocol's
 * document-fetch). Rejects with the control plane's error (`InvalidDocument: The specified document does not
 * exist: X`, `InvalidDocumentVersion: ...`) or the network's.
 */
export async function fetchDocument(target: ControlPlaneTarget, name: string, version?: string): Promise<FetchedDocument> {
  const response = await sendSignedRequest(target, 'GET', documentFetchTarget(name, version), Buffer.alloc(0), { timeoutMs: DOCUMENT_FETCH_TIMEOUT_MS });
  if (response.status !== 200) throw new Error(describeErrorBody(response.status, response.body));
  let body: FetchedDocumentBody;
  try {
    body = JSON.parse(response.body.toString('utf8')) as FetchedDocumentBody;
  } catch {
    throw new Error(`the control plane's answer for document ${name} is not JSON`);
  }
  if (typeof body.Name !== 'string' || typeof body.DocumentVersion !== 'string' || typeof body.Content !== 'object' || body.Content === null || Array.isArray(body.Content)) {
    throw new Error(`the control plane's answer for document ${name} lacks Name, DocumentVersion or Content`);
  }
  return { name: body.Name, version: body.DocumentVersion, content: body.Content };
}
