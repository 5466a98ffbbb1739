import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from '@oclif/core';
import { loadIdentity } from '../identity/agent-identity.js';
import { AGENT_VERSION } from '../version.js';
import { defaultStateDir, jsonFlag, stateDirFlag } from '../cli/agent-flags.js';

async function runningPid(stateDir: string): Promise<number | undefined> {
  const pid = Number.parseInt(await fs.readFile(path.join(stateDir, 'agent.lock'), 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export default class Status extends Command {
  static override summary = 'Show this agent\'s identity and whether it is running.';
  static override flags = { 'state-dir': stateDirFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const stateDir = path.resolve(flags['state-dir'] ?? defaultStateDir());
    let identity;
    try {
      identity = await loadIdentity(stateDir);
    } catch (error) {
      this.error((error as Error).message, { exit: 1 });
    }
    const pid = await runningPid(stateDir);
    const status = {
      instanceId: identity.file.instanceId,
      name: identity.file.name,
      region: identity.file.region,
      endpoint: identity.file.endpoint,
      broker: identity.file.transport.settings.url,
      registeredAt: identity.file.registeredAt,
      controlPlaneKey: identity.file.controlPlane.id,
      agentVersion: AGENT_VERSION,
      stateDir,
      running: pid !== undefined,
      ...(pid !== undefined ? { pid } : {}),
    };
    if (flags.json) return this.log(JSON.stringify(status, null, 2));
    for (const [key, value] of Object.entries(status)) if (value !== undefined) this.log(`${key.padEnd(16)} ${String(value)}`);
  }
}
