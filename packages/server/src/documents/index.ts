/** The Documents API and the document store the Commands API resolves documents from. */
export { documentOperations, describeDocument, identifyDocument } from './operations.js';
export {
  DocumentService,
  MAX_COMMAND_DOCUMENT_BYTES,
  MAX_DOCUMENT_VERSIONS,
  MAX_DOCUMENTS,
  SUPPORTED_DOCUMENT_TYPES,
  parseContent,
  type DocumentServiceOptions,
  type DocumentUpdate,
  type NewDocument,
  type ResolvedDocument,
  type VersionSelector,
} from './document-service.js';
export { AMAZON_OWNER, type DocumentParameterSummary, type DocumentRecord, type DocumentVersionRecord } from './document-records.js';
export { platformTypesOf, platformTypesOfAction } from './platform-types.js';
export { renderDocument } from './document-format.js';
export { BUILTIN_DOCUMENTS, type BuiltinDocument } from '@tender/documents/builtins';
export { AGENT_GET_DOCUMENT, handleDocumentFetch, type DocumentFetchDeps } from './document-fetch.js';
