import os from 'node:os';
import path from 'node:path';
import { Flags } from '@oclif/core';

/** Where the agent keeps its identity and state unless told otherwise: the system location for root. */
export function defaultStateDir(): string {
  if (process.platform === 'win32') return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'tender-agent');
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/tender-agent';
  return path.join(os.homedir(), '.tender-agent');
}

export const stateDirFlag = Flags.string({
  description: 'directory of the agent\'s identity and state (root: /var/lib/tender-agent; others: ~/.tender-agent)',
  env: 'TENDER_AGENT_STATE_DIR',
});

export const jsonFlag = Flags.boolean({ description: 'print machine-readable JSON', default: false });
