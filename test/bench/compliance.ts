/**
 * Compliance at fleet scale: --hosts (default 1,000) registered instances, each given --items (default 200)
 * Patch compliance items by PutComplianceItems through @aws-sdk/client-ssm over HTTP (--concurrency calls in
 * flight, default 8): puts and items per second. Then p50/p99 of --runs calls each of ListComplianceSummaries
 * (unfiltered: the per-type counts kept up to date by every put; filtered: one step per resource and type),
 * ListResourceComplianceSummaries and ListComplianceItems for one instance; a second round of puts that changes
 * every host (what a fleet-wide scan does), and a third through the in-process ComplianceRecorder; the restart time (the index rebuilt from the store) and the store's
 * size on disk.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ListComplianceItemsCommand,
  ListComplianceSummariesCommand,
  ListResourceComplianceSummariesCommand,
  PutComplianceItemsCommand,
  type ComplianceItemEntry,
  type ComplianceSeverity,
} from '@aws-sdk/client-ssm';
import type { ComplianceWrite } from '@tender/server';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { pool } from '../support/fleet-simulator.js';
import { numberOption } from './options.js';

const instanceId = (n: number) => `mi-${(0x20000 + n).toString(16).padStart(17, '0')}`;
const SEVERITIES: ComplianceSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'];

/** A host's patch states: every patch installed, except on one host in five (which ones depends on the round), where one in 50 is missing. */
function patchItems(host: number, count: number, round: number): ComplianceItemEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const missing = (host + round) % 5 === 0 && i % 50 === host % 50;
    return {
      Id: `KB${5000000 + i}`,
      Title: `Security update ${i} for the simulated fleet`,
      Severity: SEVERITIES[i % SEVERITIES.length],
      Status: missing ? 'NON_COMPLIANT' : 'COMPLIANT',
      Details: { PatchState: missing ? 'Missing' : 'Installed', Classification: 'SecurityUpdates', PatchSeverity: 'Important' },
    };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function time(label: string, runs: number, call: () => Promise<string>): Promise<void> {
  let summary = '';
  for (let i = 0; i < 3; i++) summary = await call(); // warm up
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  samples.sort((a, b) => a - b);
  const cpuMs = (used.user + used.system) / 1000 / runs;
  console.log(`  ${label.padEnd(64)} p50 ${percentile(samples, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(samples, 99).toFixed(1).padStart(6)} ms  CPU ${cpuMs.toFixed(1).padStart(5)} ms/call  (${summary})`);
}

async function putAll(cp: TestControlPlane, hosts: number, items: number, concurrency: number, round: number): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await pool(
    Array.from({ length: hosts }, (_, n) => n),
    concurrency,
    (n) =>
      cp.ssm.send(
        new PutComplianceItemsCommand({
          ResourceId: instanceId(n),
          ResourceType: 'ManagedInstance',
          ComplianceType: 'Patch',
          ExecutionSummary: { ExecutionTime: new Date(), ExecutionId: `scan-${round}`, ExecutionType: 'Command' },
          Items: patchItems(n, items, round),
        }),
      ),
  );
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const memory = process.memoryUsage();
  console.log(
    `  round ${round}: ${hosts} puts of ${items} items in ${(ms / 1000).toFixed(1)} s: ${((hosts / ms) * 1000).toFixed(0)} puts/s, ${((hosts * items) / ms * 1000).toFixed(0)} items/s; ` +
      `CPU ${((used.user + used.system) / 1000 / hosts).toFixed(1)} ms/put (SDK client and control plane); heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MB, rss ${(memory.rss / 2 ** 20).toFixed(0)} MB`,
  );
}

/** The same writes through the in-process ComplianceRecorder (what State Manager and Patch Manager call): the control plane's own cost. */
async function recordInProcess(cp: TestControlPlane, hosts: number, items: number, round: number): Promise<void> {
  const writes = Array.from({ length: hosts }, (_, n) => ({
    ResourceId: instanceId(n),
    ResourceType: 'ManagedInstance' as const,
    ComplianceType: 'Patch',
    ExecutionSummary: { ExecutionTime: new Date(), ExecutionId: `scan-${round}` },
    Items: patchItems(n, items, round) as ComplianceWrite['Items'], // the SDK's types and the contract's name the same values
  }));
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const write of writes) await cp.running.compliance.put(write);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  console.log(`  round ${round}, in process (ComplianceRecorder.put, one at a time): ${((hosts / ms) * 1000).toFixed(0)} puts/s, ${(((hosts * items) / ms) * 1000).toFixed(0)} items/s; CPU ${((used.user + used.system) / 1000 / hosts).toFixed(2)} ms/put`);
}

export async function run(args: string[]): Promise<void> {
  const hosts = numberOption(args, 'hosts', 1000);
  const items = numberOption(args, 'items', 200);
  const runs = numberOption(args, 'runs', 30);
  const concurrency = numberOption(args, 'concurrency', 8);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-compliance-'));
  let cp = await startTestControlPlane({ dataDir });
  try {
    for (let n = 0; n < hosts; n++) {
      await cp.running.registry.add({
        InstanceId: instanceId(n),
        ActivationId: 'bench',
        IamRole: 'BenchRole',
        RegistrationDate: new Date().toISOString(),
        ResourceType: 'ManagedInstance',
        Tags: [],
        publicKey: '',
        boxPublicKey: '',
        brokerPasswordHash: '',
        PingStatus: 'Online',
      });
    }
    console.log(`${hosts} hosts × ${items} Patch items, ${concurrency} calls in flight (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs):`);
    await putAll(cp, hosts, items, concurrency, 1);

    const counts = (result: { ComplianceSummaryItems?: Array<{ ComplianceType?: string; CompliantSummary?: { CompliantCount?: number }; NonCompliantSummary?: { NonCompliantCount?: number } }> }) =>
      (result.ComplianceSummaryItems ?? []).map((s) => `${s.ComplianceType}: ${s.CompliantSummary?.CompliantCount} compliant, ${s.NonCompliantSummary?.NonCompliantCount} not`).join('; ');
    await time('ListComplianceSummaries (no filter)', runs, async () => counts(await cp.ssm.send(new ListComplianceSummariesCommand({}))));
    await time('ListComplianceSummaries (Status NON_COMPLIANT, OverallSeverity)', runs, async () =>
      counts(await cp.ssm.send(new ListComplianceSummariesCommand({ Filters: [{ Key: 'Status', Values: ['NON_COMPLIANT'] }, { Key: 'OverallSeverity', Values: ['MEDIUM'], Type: 'GREATER_THAN' }] }))),
    );
    await time('ListResourceComplianceSummaries (NON_COMPLIANT, first page)', runs, async () => {
      const page = await cp.ssm.send(new ListResourceComplianceSummariesCommand({ Filters: [{ Key: 'Status', Values: ['NON_COMPLIANT'] }] }));
      return `${page.ResourceComplianceSummaryItems?.length} resources on the first page${page.NextToken ? ', more on the next' : ''}`;
    });
    await time('ListComplianceItems (one instance, first page)', runs, async () => {
      const page = await cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [instanceId(hosts >> 1)] }));
      return `${page.ComplianceItems?.length} items`;
    });

    await putAll(cp, hosts, items, concurrency, 2);
    await recordInProcess(cp, hosts, items, 3);
    await time('ListComplianceSummaries (no filter), after round 2', runs, async () => counts(await cp.ssm.send(new ListComplianceSummariesCommand({}))));

    await cp.stop();
    const restartStarted = performance.now();
    cp = await startTestControlPlane({ dataDir });
    const restartMs = performance.now() - restartStarted;
    const after = await cp.ssm.send(new ListComplianceSummariesCommand({}));
    console.log(`  restart (store loaded, compliance index rebuilt): ${(restartMs / 1000).toFixed(1)} s; then ${counts(after)}`);
    let bytes = 0;
    for (const name of ['store.json', 'store.journal']) bytes += (await fs.stat(path.join(dataDir, name)).catch(() => ({ size: 0 }))).size;
    console.log(`  on disk: ${(bytes / 2 ** 20).toFixed(0)} MB in store.json + store.journal`);
  } finally {
    await cp.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
