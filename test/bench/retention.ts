/**
 * Retention at scale: a data directory seeded with --commands (default 100,000) finished commands, one invocation
 * each (half of them older than the 30-day limit, one old command in 100 with a stored output: --outputs-every 200, 0 for none), --executions
 * (default 10,000) maintenance-window executions with a task and two invocations each (half old), and --hosts
 * (default 1,000) inventory histories of 40 diffs (half old). A control plane starts on it, and its pruner runs:
 * the time of the run that removes the old half, the time of the next run (nothing to remove: what the hourly
 * run costs on a full store), the store's size on disk before and after. On the full store, before the prune, the
 * listings (the SDK, a page of 50): of one finished command's invocations and of one instance's commands and
 * invocations (which read their own rows through an index), the listings of everything (ten pages in a row, each
 * read from the position the last one ended at), and of the seeded window's executions (a page of 10).
 */
import { DescribeMaintenanceWindowExecutionsCommand, ListCommandInvocationsCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { SERVER_DEFAULTS, startControlPlane } from '@tender/server';
import { readAdminKey } from '../support/control-plane.js';
import { numberOption } from './options.js';

const DAY = 86_400_000;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const instanceId = (n: number) => `mi-${(0x30000 + n).toString(16).padStart(17, '0')}`;

/** A call that goes on from the page the last one ended at. */
function following(call: (nextToken: string | undefined) => Promise<{ NextToken?: string }>): () => Promise<unknown> {
  let token: string | undefined;
  return async () => {
    token = (await call(token)).NextToken;
  };
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? await sizeOf(file) : (await fs.stat(file)).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The store's snapshot as FileStore writes it, with records shaped like the services' (the fields retention reads, and the bulk of the rest). */
function seedTables(now: number, commands: number, executions: number): Record<string, Record<string, unknown>> {
  const tables: Record<string, Record<string, unknown>> = { commands: {}, 'command-invocations': {}, 'maintenance-window-executions': {}, 'maintenance-window-task-executions': {}, 'maintenance-window-task-invocations': {} };
  for (let n = 0; n < commands; n++) {
    const at = new Date(now - (n % 2 === 0 ? 40 : 5) * DAY).toISOString();
    const id = uuid(n);
    const host = instanceId(n % 1000);
    tables.commands![id] = {
      CommandId: id, DocumentName: 'AWS-RunShellScript', DocumentVersion: '1', Comment: '', RequestedDateTime: at, ExpiresAfter: at, deliverBy: at,
      Parameters: { commands: ['apt-get -y upgrade'] }, InstanceIds: [host], Targets: [], MaxConcurrency: '50', MaxErrors: '0', TimeoutSeconds: 3600,
      maxConcurrency: 50, maxErrors: 0, executionTimeoutSeconds: 3600, TargetCount: 1, CompletedCount: 1, ErrorCount: 0, DeliveryTimedOutCount: 0,
      Status: 'Success', StatusDetails: 'Success', steps: [{ name: 'runShellScript', action: 'aws:runShellScript' }], body: { commandId: id }, finishedAt: at,
    };
    tables['command-invocations']![`${id}/${host}`] = {
      CommandId: id, InstanceId: host, seq: 0, Status: 'Success', StatusDetails: 'Success', dispatchedAt: at, lastSentAt: at, sendCount: 1, ackedAt: at, ResponseCode: 0,
      startedAt: at, endedAt: at, finishedAt: at, steps: [{ name: 'runShellScript', status: 'Success', responseCode: 0, stdout: 'Reading package lists... Done\n'.repeat(4), stderr: '' }],
    };
  }
  for (let n = 0; n < executions; n++) {
    const at = new Date(now - (n % 2 === 0 ? 40 : 5) * DAY).toISOString();
    const id = uuid(0x100000000 + n);
    const task = uuid(0x200000000 + n);
    const invocations = [uuid(0x300000000 + 2 * n), uuid(0x300000000 + 2 * n + 1)];
    tables['maintenance-window-executions']![id] = { WindowExecutionId: id, WindowId: 'mw-0123456789abcdef0', scheduledAt: at, Status: 'SUCCESS', StatusDetails: 'Success', StartTime: at, EndTime: at, cutoffAt: at, endsAt: at, plan: [{ WindowTaskId: uuid(1), Priority: 1, TaskExecutionId: task }], owner: 'bench' };
    tables['maintenance-window-task-executions']![task] = { WindowExecutionId: id, TaskExecutionId: task, WindowId: 'mw-0123456789abcdef0', WindowTaskId: uuid(1), TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Priority: 1, MaxConcurrency: '2', MaxErrors: '0', CutoffBehavior: 'CONTINUE_TASK', RunCommand: {}, Status: 'SUCCESS', StatusDetails: 'Success', StartTime: at, EndTime: at, maxConcurrency: 2, maxErrors: 0, invocationIds: invocations };
    invocations.forEach((invocation, seq) => {
      tables['maintenance-window-task-invocations']![invocation] = { WindowExecutionId: id, TaskExecutionId: task, InvocationId: invocation, seq, resourceId: instanceId(seq), ExecutionId: uuid(0x400000000 + 2 * n + seq), Status: 'SUCCESS', StatusDetails: 'Success', StartTime: at, EndTime: at };
    });
  }
  return tables;
}

export async function run(args: string[]): Promise<void> {
  const commands = numberOption(args, 'commands', 100_000);
  const executions = numberOption(args, 'executions', 10_000);
  const hosts = numberOption(args, 'hosts', 1_000);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-retention-'));
  try {
    const now = Date.now();
    await fs.writeFile(path.join(dataDir, 'store.json'), JSON.stringify({ format: 1, tables: seedTables(now, commands, executions) }), { mode: 0o600 });
    let outputs = 0;
    const outputsEvery = numberOption(args, 'outputs-every', 200);
    for (let n = 0; outputsEvery > 0 && n < commands; n += outputsEvery) {
      const dir = path.join(dataDir, 'outputs', uuid(n), instanceId(n % 1000), 's-cnVuU2hlbGxTY3JpcHQ');
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'stdout'), 'x'.repeat(30_000));
      outputs++;
    }
    for (let h = 0; h < hosts; h++) {
      const dir = path.join(dataDir, 'inventory', instanceId(h));
      await fs.mkdir(dir, { recursive: true });
      const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ time: new Date(now - (60 - i) * DAY).toISOString(), TypeName: 'AWS:Application', added: [{ Name: `pkg${i}`, Version: '1.0' }], removed: [], changed: [] }));
      await fs.writeFile(path.join(dir, 'history.jsonl'), `${lines.join('\n')}\n`);
    }
    const before = await sizeOf(dataDir);
    console.log(`seeded: ${commands.toLocaleString()} commands + invocations, ${outputs} output directories, ${executions.toLocaleString()} window executions (+1 task, +2 invocations each), ${hosts} inventory histories of 40 diffs; ${mb(before)} on disk`);

    // The pruner's clock is held in the past while the control plane starts, so the run it begins at start removes nothing.
    let retentionClock = now - 365 * DAY;
    const started = performance.now();
    const running = await startControlPlane({ ...SERVER_DEFAULTS, dataDir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }, { logger: pino({ level: 'silent' }), retention: { now: () => new Date(retentionClock), intervalMs: 0 } });
    try {
      await running.retention.runOnce();
      console.log(`control plane started on the seeded store in ${(performance.now() - started).toFixed(0)} ms`);
      const ssm = new SSMClient({ region: running.region, endpoint: running.endpoint, credentials: await readAdminKey(running.credentialsFile), maxAttempts: 1 });
      const calls = 10;
      const host = instanceId(7);
      for (const [label, call] of [
        ['ListCommandInvocations, one command', () => ssm.send(new ListCommandInvocationsCommand({ CommandId: uuid(commands - 1), MaxResults: 50 }))],
        [`ListCommandInvocations, one instance (${commands / 1000} of them)`, () => ssm.send(new ListCommandInvocationsCommand({ InstanceId: host, MaxResults: 50 }))],
        ['ListCommands, one instance', () => ssm.send(new ListCommandsCommand({ InstanceId: host, MaxResults: 50 }))],
        // Page after page, following NextToken, as the CLI's auto-pagination does.
        ['ListCommandInvocations, everything (10 pages in a row)', following((NextToken) => ssm.send(new ListCommandInvocationsCommand({ MaxResults: 50, NextToken })))],
        ['ListCommands, everything (10 pages in a row)', following((NextToken) => ssm.send(new ListCommandsCommand({ MaxResults: 50, NextToken })))],
        [`DescribeMaintenanceWindowExecutions (${executions.toLocaleString()} of them)`, () => ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: 'mw-0123456789abcdef0', MaxResults: 10 }))],
      ] as const) {
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) await call();
        console.log(`  ${label.padEnd(58)} ${((performance.now() - t0) / calls).toFixed(1).padStart(8)} ms a call (average of ${calls})`);
      }
      ssm.destroy();
      retentionClock = now;
      let t = performance.now();
      const report = await running.retention.runOnce();
      const pruneMs = performance.now() - t;
      for (const kind of report.kinds) console.log(`  ${kind.kind.padEnd(30)} ${Object.entries(kind.removed).map(([thing, count]) => `${count.toLocaleString()} ${thing}`).join(', ')}${kind.error ? ` FAILED ${kind.error}` : ''}: ${(kind.ms / 1000).toFixed(2)} s`);
      console.log(`prune run removing the old half: ${(pruneMs / 1000).toFixed(2)} s`);
      t = performance.now();
      await running.retention.runOnce();
      console.log(`next run, nothing to remove (${(commands / 2).toLocaleString()} commands, ${(executions / 2).toLocaleString()} executions, ${hosts} histories left): ${(performance.now() - t).toFixed(0)} ms`);
    } finally {
      await running.stop();
    }
    console.log(`data directory: ${mb(before)} before, ${mb(await sizeOf(dataDir))} after (store compacted at stop)`);
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
