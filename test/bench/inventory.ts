/**
 * GetInventory over a large fleet: --hosts (default 1,000) registered instances, each with --apps (default 1,000)
 * AWS:Application rows, loaded through the control plane's inventory service (what the `inventory` message
 * handler calls: validation, content hash check, per-type file written atomically, history diff, index), then
 * timed through @aws-sdk/client-ssm over HTTP: a filter ("openssl older than 3.0.7"), the same with the rows
 * returned, and two aggregators. Prints p50/p99 of --runs calls each (goal: under 200 ms), then the restart time
 * (the index rebuilt from the files) and the data's size on disk.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetInventoryCommand, type GetInventoryCommandInput, type GetInventoryCommandOutput } from '@aws-sdk/client-ssm';
import { inventoryContentHash } from '@tender/protocol';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { numberOption } from './options.js';

const instanceId = (n: number) => `mi-${(0x10000 + n).toString(16).padStart(17, '0')}`;
const CAPTURE = '2026-11-28T22:00:00Z';

/** A host's applications: shared package names, versions that vary by host, openssl on 9 hosts in 10. */
function applications(host: number, count: number): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (let a = 0; a < count - 1; a++) {
    rows.push({
      Name: `pkg-${a.toString().padStart(4, '0')}`,
      Version: `${1 + (a % 5)}.${(a * 7 + host) % 20}.${host % 13}-${1 + (a % 3)}`,
      Architecture: a % 17 === 0 ? 'all' : 'amd64',
      ApplicationType: ['libs', 'admin', 'utils', 'net', 'devel'][a % 5]!,
      Publisher: 'Debian Maintainers <debian@example.org>',
      InstalledTime: `2026-0${1 + (a % 9)}-1${a % 10}T10:00:00Z`,
      Summary: `package ${a} of the simulated fleet`,
    });
  }
  if (host % 10 !== 0) rows.push({ Name: 'openssl', Version: `3.0.${host % 14}-1~deb12u${host % 3}`, Architecture: 'amd64', ApplicationType: 'utils', Publisher: 'Debian Maintainers <debian@example.org>' });
  return rows;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function time(cp: TestControlPlane, label: string, input: GetInventoryCommandInput, runs: number, describe: (result: GetInventoryCommandOutput) => string): Promise<void> {
  let summary = '';
  for (let i = 0; i < 3; i++) summary = describe(await cp.ssm.send(new GetInventoryCommand(input))); // warm up
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await cp.ssm.send(new GetInventoryCommand(input));
    samples.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  samples.sort((a, b) => a - b);
  // CPU per call (this process: the SDK client and the control plane) tells a loaded machine from a slow query.
  const cpuMs = (used.user + used.system) / 1000 / runs;
  console.log(`  ${label.padEnd(58)} p50 ${percentile(samples, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(samples, 99).toFixed(1).padStart(6)} ms  CPU ${cpuMs.toFixed(1).padStart(5)} ms/call  (${summary})`);
}

async function duSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await duSize(full) : (await fs.stat(full)).size;
  }
  return total;
}

export async function run(args: string[]): Promise<void> {
  const hosts = numberOption(args, 'hosts', 1000);
  const apps = numberOption(args, 'apps', 1000);
  const runs = numberOption(args, 'runs', 30);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-inventory-'));
  let cp = await startTestControlPlane({ dataDir });
  try {
    const loadStarted = performance.now();
    let rows = 0;
    for (let n = 0; n < hosts; n++) {
      const id = instanceId(n);
      await cp.running.registry.add({
        InstanceId: id,
        ActivationId: 'bench',
        IamRole: 'BenchRole',
        RegistrationDate: new Date().toISOString(),
        ResourceType: 'ManagedInstance',
        Tags: [],
        publicKey: '',
        boxPublicKey: '',
        brokerPasswordHash: '',
        PingStatus: 'Online',
        info: { PlatformType: n % 4 === 3 ? 'Windows' : 'Linux', PlatformName: 'Simulated', PlatformVersion: '1', AgentVersion: '0.1.0', ComputerName: `host-${n}`, IPAddress: '10.0.0.1' },
      });
      const content = applications(n, apps);
      rows += content.length;
      const ack = await cp.running.inventory.receiveUpload(id, { uploadId: `bench-${n}`, items: [{ TypeName: 'AWS:Application', SchemaVersion: '1.1', CaptureTime: CAPTURE, ContentHash: inventoryContentHash(content), Content: content }] });
      if (ack.accepted.length !== 1) throw new Error(`host ${n}: upload not accepted: ${JSON.stringify(ack)}`);
    }
    const loadMs = performance.now() - loadStarted;
    const memory = process.memoryUsage();
    console.log(`${hosts} hosts × ${apps} applications = ${rows} rows (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs):`);
    console.log(`  loaded through the inventory service in ${(loadMs / 1000).toFixed(1)} s (${((hosts / loadMs) * 1000).toFixed(0)} hosts/s); heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MB, rss ${(memory.rss / 2 ** 20).toFixed(0)} MB`);

    const oldOpenssl = [{ Key: 'AWS:Application.Name', Values: ['openssl'], Type: 'Equal' as const }, { Key: 'AWS:Application.Version', Values: ['3.0.7'], Type: 'LessThan' as const }];
    const count = (result: { Entities?: unknown[]; NextToken?: string }) => `${result.Entities?.length ?? 0} entities on the first page${result.NextToken ? ', more on the next' : ''}`;
    const contentRows = (result: { Entities?: Array<{ Data?: Record<string, { Content?: unknown[] }> }> }) => `${result.Entities?.[0]?.Data && Object.values(result.Entities[0].Data)[0]?.Content?.length} result rows`;
    await time(cp, 'filter: openssl LessThan 3.0.7 (Name Equal + Version)', { Filters: oldOpenssl }, runs, count);
    await time(cp, 'the same, with ResultAttributes AWS:Application', { Filters: oldOpenssl, ResultAttributes: [{ TypeName: 'AWS:Application' }] }, runs, count);
    await time(cp, 'filter: Name BeginWith pkg-09 AND PlatformType Windows', { Filters: [{ Key: 'AWS:Application.Name', Values: ['pkg-09'], Type: 'BeginWith' }, { Key: 'AWS:InstanceInformation.PlatformType', Values: ['Windows'] }] }, runs, count);
    await time(cp, 'aggregator: AWS:Application.Name (count per name)', { Aggregators: [{ Expression: 'AWS:Application.Name' }] }, runs, contentRows);
    await time(cp, 'aggregator: openssl hosts per Version (filter + nested)', { Filters: [oldOpenssl[0]!], Aggregators: [{ Expression: 'AWS:Application.Name', Aggregators: [{ Expression: 'AWS:Application.Version' }] }] }, runs, contentRows);
    await time(cp, 'aggregator: groups (old openssl / any openssl)', { Aggregators: [{ Groups: [{ Name: 'OldOpenssl', Filters: oldOpenssl }, { Name: 'AnyOpenssl', Filters: [oldOpenssl[0]!] }] }] }, runs, contentRows);

    await cp.stop();
    const restartStarted = performance.now();
    cp = await startTestControlPlane({ dataDir });
    const restartMs = performance.now() - restartStarted;
    const after = await cp.ssm.send(new GetInventoryCommand({ Filters: oldOpenssl }));
    console.log(`  restart (index rebuilt from the files): ${(restartMs / 1000).toFixed(1)} s; the filter then finds ${after.Entities?.length} entities on its first page`);
    console.log(`  on disk: ${((await duSize(path.join(dataDir, 'inventory'))) / 2 ** 20).toFixed(0)} MB under inventory/ (per-type files and history)`);
  } finally {
    await cp.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
