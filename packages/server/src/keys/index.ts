export { KeyService, DEFAULT_KEY_ALIAS, type KeyRecord } from './key-service.js';
export { keyOperations } from './operations.js';
