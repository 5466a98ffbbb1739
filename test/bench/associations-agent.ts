/**
 * State Manager, agent side: what holding associations costs an idle agent. Four real agent processes on one
 * control plane (embedded broker), in the same run: one holding no association; one holding 1 and one N (default 50) that
 * have not run yet (ApplyOnlyAtCronInterval, yearly cron): the cost of holding and scheduling them; one holding N
 * rate(30 minutes) shell associations it applied on receipt (N runs, reported): holding after running. Sets are
 * published signed on the wire as a control plane would. After the runs and --settle-seconds (default 20), all
 * sit idle for --idle-seconds (default 60); the figures are resident memory (VmRSS) at the end and CPU time
 * (user + system, from /proc) per minute of the idle window.
 * Also printed: the size of the `associations` message for N.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteAssociationCommand, ListAssociationsCommand } from '@aws-sdk/client-ssm';
import { loadIdentity, registerAgent } from '@tender/agent';
import { DEFAULT_MAX_ENVELOPE_BYTES, MAX_AGENT_UPLOAD_ENVELOPE_BYTES, type AssociationBody } from '@tender/protocol';
import { startTestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, REPO_ROOT } from '../support/processes.js';
import { StateManagerWire } from '../support/state-manager-wire.js';
import { numberOption } from './options.js';

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) the process has used, in ms: /proc/<pid>/stat fields 14 and 15, in clock ticks (100/s). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function association(index: number, out: string, overrides: Partial<AssociationBody> = {}): AssociationBody {
  return {
    associationId: `bench-${String(index).padStart(4, '0')}-0000-0000-0000-000000000000`,
    associationName: `bench-${index}`,
    associationVersion: '1',
    documentName: 'AWS-RunShellScript',
    documentVersion: '1',
    document: {
      schemaVersion: '2.2',
      description: 'Run a shell script.',
      parameters: { commands: { type: 'StringList', description: '(Required) Specify a shell script or a command to run.', minItems: 1, displayType: 'textarea' } },
      mainSteps: [{ action: 'aws:runShellScript', name: 'runShellScript', inputs: { timeoutSeconds: '3600', runCommand: '{{ commands }}' } }],
    },
    parameters: { commands: [`echo ${index} >> ${out}`] },
    scheduleExpression: 'rate(30 minutes)',
    applyOnlyAtCronInterval: false,
    changedAt: new Date().toISOString(),
    syncCompliance: 'AUTO',
    ...overrides,
  };
}

export async function run(args: string[]): Promise<void> {
  const count = numberOption(args, 'associations', 50);
  const idleSeconds = numberOption(args, 'idle-seconds', 60);
  const cp = await startTestControlPlane({ heartbeatSeconds: 60 });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-associations-'));
  const children: ChildProcess[] = [];
  const wires: StateManagerWire[] = [];
  try {
    // Only the benchmark's own associations: the control plane's default inventory association goes first.
    for (const association of (await cp.ssm.send(new ListAssociationsCommand({}))).Associations ?? []) await cp.ssm.send(new DeleteAssociationCommand({ AssociationId: association.AssociationId }));
    const activation = await cp.createActivation({ limit: 4 });
    const start = async (name: string) => {
      const stateDir = path.join(work, name);
      await registerAgent({ endpoint: cp.running.endpoint, activationId: activation.id, activationCode: activation.code, stateDir, name });
      const identity = await loadIdentity(stateDir);
      const child = spawn(process.execPath, [AGENT_BIN, 'start', '--state-dir', stateDir, '--inventory-interval-minutes', '0'], { cwd: REPO_ROOT, stdio: 'ignore' });
      children.push(child);
      await eventually(async () => (await cp.describe(identity.file.instanceId))?.PingStatus === 'Online', `${name} Online`, 30_000);
      const wire = await StateManagerWire.forControlPlane(cp, identity);
      wires.push(wire);
      return { child, wire };
    };
    const none = await start('holds-none');
    const one = await start('holds-1-not-run');
    const waiting = await start(`holds-${count}-not-run`);
    const many = await start(`holds-${count}-applied`);
    const out = path.join(work, 'runs.log');
    const bytes = await many.wire.publishSet(Date.now(), Array.from({ length: count }, (_, i) => association(i, out)), 30_000);
    await waiting.wire.publishSet(Date.now(), Array.from({ length: count }, (_, i) => association(i, out, { scheduleExpression: 'cron(0 0 1 1 ? *)', applyOnlyAtCronInterval: true })), 30_000);
    await one.wire.publishSet(Date.now(), [association(0, out, { scheduleExpression: 'cron(0 0 1 1 ? *)', applyOnlyAtCronInterval: true })]);
    await none.wire.publishSet(Date.now(), []);
    const applyStarted = performance.now();
    await eventually(async () => many.wire.reports.size >= count || undefined, `the ${count} associations applied and reported`, 120_000, 100);
    const applyMs = performance.now() - applyStarted;
    const failed = [...many.wire.reports.values()].filter((r) => r.status !== 'Success').length;
    console.log(`associations message for ${count}: ${(bytes / 1024).toFixed(1)} KiB (${(bytes / count).toFixed(0)} bytes each; the protocol's default limit is ${DEFAULT_MAX_ENVELOPE_BYTES / 1024} KiB, the agent takes up to ${MAX_AGENT_UPLOAD_ENVELOPE_BYTES / 1048576} MiB from its control plane)`);
    console.log(`applied ${count} on receipt (one run each, 5 at a time): ${applyMs.toFixed(0)} ms to the last report${failed ? `, ${failed} not Success` : ''}`);

    await new Promise((resolve) => setTimeout(resolve, numberOption(args, 'settle-seconds', 20) * 1000)); // the apply runs' aftermath (acknowledgements, garbage collection) is not idle cost
    const pids = [none.child.pid ?? 0, one.child.pid ?? 0, waiting.child.pid ?? 0, many.child.pid ?? 0];
    const cpuBefore = await Promise.all(pids.map(cpuMs));
    console.log(`idle for ${idleSeconds} s ...`);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const cpuAfter = await Promise.all(pids.map(cpuMs));
    const rss = await Promise.all(pids.map(rssMb));
    const perMinute = (i: number) => ((cpuAfter[i]! - cpuBefore[i]!) / idleSeconds) * 60;
    console.log(`idle agent, same run (${idleSeconds} s window, /proc CPU ticks are 10 ms):`);
    const line = (label: string, i: number) =>
      console.log(`  ${label.padEnd(44)} RSS ${rss[i]!.toFixed(1).padStart(5)} MB (${i ? `+${(rss[i]! - rss[0]!).toFixed(1)}` : '     '})   CPU ${perMinute(i).toFixed(0).padStart(4)} ms/min`);
    line('holding 0 associations', 0);
    line('holding 1, not run yet (timer armed)', 1);
    line(`holding ${count}, none run yet (timers armed)`, 2);
    line(`holding ${count}, each applied once (${count} runs done)`, 3);
    console.log(`  holding ${count} rather than 1: RSS ${rss[2]! - rss[1]! >= 0 ? '+' : ''}${(rss[2]! - rss[1]!).toFixed(1)} MB (the first set's cost is mostly one-time: validation and scheduling code loaded and compiled)`);
  } finally {
    for (const wire of wires) await wire.disconnect();
    for (const child of children) child.kill('SIGKILL');
    await cp.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}
