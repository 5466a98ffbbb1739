export { writeFileAtomic, writeFileAtomicSync, writeNewFileSync, newNameSyncedWithFile, readJsonFile, writeJsonFile, writeJsonFileSync, writeNewJsonFileSync, ensurePrivateDir, StateFileError } from './atomic-file.js';
export { acquireLock, LockedError, lockHolder, readPidFile } from './process-lock.js';
export { readConfigFile, layerSettings } from './config-file.js';
