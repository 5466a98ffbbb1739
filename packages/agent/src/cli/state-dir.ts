import os from 'node:os';
import path from 'node:path';

/** Where the agent keeps its identity and state unless told otherwise: the system location for root. */
export function defaultStateDir(): string {
  if (process.platform === 'win32') return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'tender-agent');
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/tender-agent';
  return path.join(os.homedir(), '.tender-agent');
}

export const STATE_DIR_DESCRIPTION = 'directory of the agent\'s identity and state (root: /var/lib/tender-agent; others: ~/.tender-agent)';
export const STATE_DIR_ENV = 'TENDER_AGENT_STATE_DIR';
