import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from '@oclif/core';
import { lockHolder } from '@tender/local-state';
import { loadIdentity } from '../identity/agent-identity.js';
import { AGENT_VERSION } from '../version.js';
import { defaultStateDir, jsonFlag, stateDirFlag } from '../cli/agent-flags.js';
import { associationsFolder, nextRunAt, readAssociationState, testClockFromEnvironment } from '../associations/index.js';
import { systemClock } from '../runner/index.js';

/** The held associations as status shows them: what, which version, when next, how the last run went. */
async function associationStatus(stateDir: string) {
  const state = await readAssociationState(stateDir);
  const now = (testClockFromEnvironment()?.clock ?? systemClock).now();
  const spooled = (await fs.readdir(path.join(associationsFolder(stateDir), 'reports')).catch(() => [] as string[])).filter((name) => name.endsWith('.json') && !name.startsWith('.')).length;
  return {
    revision: state?.revision ?? 0,
    unsentReports: spooled,
    list: (state?.associations ?? []).map((a) => {
      const progress = state?.progress[a.associationId];
      const running = Object.values(state?.inFlight ?? {}).some((run) => run.associationId === a.associationId);
      const next = running ? undefined : nextRunAt(a, progress, now);
      const last = progress?.lastRun;
      return {
        associationId: a.associationId,
        ...(a.associationName ? { associationName: a.associationName } : {}),
        associationVersion: a.associationVersion,
        documentName: a.documentName,
        ...(a.scheduleExpression ? { scheduleExpression: a.scheduleExpression } : {}),
        running,
        ...(next ? { nextRunAt: next.toISOString() } : {}),
        ...(last ? { lastRun: { trigger: last.trigger, scheduledAt: last.scheduledAt, startedAt: last.startedAt, ...(last.endedAt ? { endedAt: last.endedAt } : {}), status: last.status ?? 'InProgress', associationVersion: last.associationVersion } } : {}),
      };
    }),
  };
}


export default class Status extends Command {
  static override summary = 'Show this agent\'s identity, whether it is running, and the State Manager associations it holds.';
  static override description = 'Associations: each held association with its version, schedule, next run (from the agent\'s saved state; "running" while a run is under way) and its last run\'s status; and how many run reports wait for the control plane.';
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
    const pid = await lockHolder(path.join(stateDir, 'agent.lock'));
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
    let associations;
    try {
      associations = await associationStatus(stateDir);
    } catch (error) {
      this.error((error as Error).message, { exit: 1 });
    }
    if (flags.json) return this.log(JSON.stringify({ ...status, associations }, null, 2));
    for (const [key, value] of Object.entries(status)) if (value !== undefined) this.log(`${key.padEnd(16)} ${String(value)}`);
    this.log(`${'associations'.padEnd(16)} ${associations.list.length} (revision ${associations.revision}, ${associations.unsentReports} report${associations.unsentReports === 1 ? '' : 's'} not yet acknowledged)`);
    for (const a of associations.list) {
      const last = a.lastRun ? `last ${a.lastRun.status} (${a.lastRun.trigger}, ${a.lastRun.startedAt})` : 'never run';
      const next = a.running ? 'running now' : a.nextRunAt ? `next ${a.nextRunAt}` : 'no run left';
      this.log(`  ${a.associationId}  v${a.associationVersion}  ${a.documentName}  ${a.scheduleExpression ?? '(no schedule)'}  ${next}  ${last}`);
    }
  }
}
