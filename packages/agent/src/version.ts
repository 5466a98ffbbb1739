import { createRequire } from 'node:module';

/** The agent's version, from its package.json (reported as AgentVersion). */
export const AGENT_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
