/**
 * An agent fetching a document from the control plane (for aws:runDocument and aws:downloadContent's SSMDocument
 * source): `GET /tender/v1/documents/<name>[?version=<version>]`, signed as every agent request is
 * (agent-request.ts; the signed target includes the query). Only registered instances may fetch, and every fetch
 * is audited. `version` is a number, `$LATEST` or `$DEFAULT`; absent means the default version.
 */

export const DOCUMENT_FETCH_PREFIX = '/tender/v1/documents/';

/** The request target (path and query) to fetch and to sign. */
export function documentFetchTarget(name: string, version?: string): string {
  const query = version === undefined || version === '' ? '' : `?version=${encodeURIComponent(version)}`;
  return `${DOCUMENT_FETCH_PREFIX}${encodeURIComponent(name)}${query}`;
}

/** The control plane's answer: the version it chose and the document as JSON values (YAML documents converted). */
export interface FetchedDocumentBody {
  Name: string;
  DocumentVersion: string;
  DocumentType: string;
  DocumentFormat: string;
  /** sha256 hex of the content as it was stored. */
  Hash: string;
  Content: Record<string, unknown>;
}
