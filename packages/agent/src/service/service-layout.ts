import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the agent the service should run is, and where the service keeps its state and logs. */
export interface ServiceLayout {
  /** The command line that runs `tender-agent` (before `start`): the package's launcher, or node + bin/run.js. */
  command: string[];
  /** The folder the agent is installed in (/opt/tender-agent for the packages; the agent's folder in a checkout). */
  installRoot: string;
  stateDir: string;
  /** Where the agent's log files go on platforms without a journal (launchd, Windows). */
  logDir: string;
}

/** packages/agent (or node_modules/@tender/agent in a package): this file is dist/src/service/ inside it. */
const AGENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const SERVICE_NAME = 'tender-agent';

/**
 * The layout for the agent that is running this code. In a package (/opt/tender-agent/lib/node_modules/@tender/agent)
 * the service runs the package's launcher, which checks Node.js at every start; in a source checkout it runs this
 * Node.js on bin/run.js.
 */
export function currentLayout(stateDir: string, platform: NodeJS.Platform = process.platform): ServiceLayout {
  const packageRoot = path.resolve(AGENT_DIR, '..', '..', '..', '..');
  const launcher = path.join(packageRoot, 'bin', platform === 'win32' ? 'tender-agent.cmd' : 'tender-agent');
  const packaged = path.join(packageRoot, 'lib', 'node_modules', '@tender', 'agent') === AGENT_DIR && existsSync(launcher);
  const logDir = platform === 'darwin' ? '/Library/Logs/tender-agent' : path.join(stateDir, 'logs');
  // Windows runs node.exe directly (WinSW starts an executable, not a .cmd, and must signal node itself to stop it).
  if (packaged && platform !== 'win32') return { command: [launcher], installRoot: packageRoot, stateDir, logDir };
  return { command: [process.execPath, path.join(AGENT_DIR, 'bin', 'run.js')], installRoot: packaged ? packageRoot : AGENT_DIR, stateDir, logDir };
}
