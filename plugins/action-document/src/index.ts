import { definePlugin } from '@tender/plugin-api';
import { createDownloadContentAction } from './download-content-action.js';
import { DOWNLOAD_CONTENT } from './inputs.js';
import { createRunDocumentAction } from './run-document-action.js';
import { RUN_DOCUMENT } from './run-document-inputs.js';

export {
  createDownloadContentAction,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  NO_EXIT_CODE,
  type DownloadContentOptions,
} from './download-content-action.js';
export { DOWNLOAD_CONTENT, parseDownloadInputs, SUPPORTED_SOURCE_TYPES } from './inputs.js';
export { DOWNLOADS_FOLDER, downloadsFolderOf, resolveDestination } from './destination.js';
export { createRunDocumentAction, MAX_LOCAL_DOCUMENT_BYTES } from './run-document-action.js';
export { parseRunDocumentInputs, RUN_DOCUMENT } from './run-document-inputs.js';
export { parseDocumentReference, documentFileName } from './document-reference.js';

export default definePlugin({
  name: '@tender/action-document',
  actions: {
    [DOWNLOAD_CONTENT]: createDownloadContentAction(),
    [RUN_DOCUMENT]: createRunDocumentAction(),
  },
});
