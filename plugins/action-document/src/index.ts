import { definePlugin } from '@tender/plugin-api';
import { createDownloadContentAction } from './download-content-action.js';
import { DOWNLOAD_CONTENT } from './inputs.js';

export {
  createDownloadContentAction,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  NO_EXIT_CODE,
  type DownloadContentOptions,
} from './download-content-action.js';
export { DOWNLOAD_CONTENT, parseDownloadInputs } from './inputs.js';
export { DOWNLOADS_FOLDER, resolveDestination } from './destination.js';

export default definePlugin({
  name: '@tender/action-document',
  actions: {
    [DOWNLOAD_CONTENT]: createDownloadContentAction(),
  },
});
