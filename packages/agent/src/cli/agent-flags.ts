import { Flags } from '@oclif/core';
import { STATE_DIR_DESCRIPTION, STATE_DIR_ENV } from './state-dir.js';

export { defaultStateDir } from './state-dir.js';

export const stateDirFlag = Flags.string({ description: STATE_DIR_DESCRIPTION, env: STATE_DIR_ENV });

export const jsonFlag = Flags.boolean({ description: 'print machine-readable JSON', default: false });
