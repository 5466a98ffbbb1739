export { writeFileAtomic, writeFileAtomicSync, readJsonFile, writeJsonFile, writeJsonFileSync, ensurePrivateDir, StateFileError } from './atomic-file.js';
export { acquireLock, LockedError } from './process-lock.js';
export { readConfigFile, layerSettings } from './config-file.js';
