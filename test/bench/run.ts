/**
 * `npm run bench -- <name> [options]`: run one benchmark (or `all`). Benchmarks print figures; they assert
 * nothing about speed, because machines differ.
 */
// The AWS SDK warns that its 2027 releases need Node 22; the lockfile pins one that supports Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BENCHES: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  crypto: { summary: 'Ed25519 sign/verify and sealing a secret to an agent, per second, node:crypto vs tweetnacl', load: () => import('./crypto.js') },
  agent: { summary: 'agent: time from start to Online, and resident memory idle and connected vs bare node', load: () => import('./agent.js') },
  'run-command': { summary: 'Run Command: SendCommand → Success round trip for echo hi on one agent process, beside a bare /bin/sh spawn', load: () => import('./run-command.js') },
  schedules: { summary: 'schedule expressions: parse, validate and next run for 10,000 associations, UTC and a DST zone', load: () => import('./schedules.js') },
  inventory: { summary: 'GetInventory over 1,000 hosts × 1,000 applications: filter and aggregator latency (p50/p99) through the SDK, load and restart time', load: () => import('./inventory.js') },
  parameters: { summary: 'GetParameter throughput and p50/p99 latency with SigV4 over loopback, load from another process', load: () => import('./parameters.js') },
  'inventory-agent': { summary: 'inventory, agent side: full gather time and agent CPU, wire bytes of a full upload and of an unchanged one', load: () => import('./inventory-agent.js') },
  'associations-agent': { summary: 'State Manager, agent side: RSS and CPU per idle minute holding 0 vs 50 associations (same run), size of the associations message', load: () => import('./associations-agent.js') },
  associations: { summary: 'State Manager, control plane: 10,000 associations over 1,000 hosts: create, compute all sets (vs a naive scan), tag change (vs recompute all), fleet hello, timer tick, reports, memory', load: () => import('./associations.js') },
  compliance: { summary: 'compliance: PutComplianceItems throughput and ListComplianceSummaries latency with 1,000 hosts × 200 items', load: () => import('./compliance.js') },
  documents: { summary: 'documents: ListDocuments over 500 documents × 10 versions of 20 KB, beside DescribeDocument of one', load: () => import('./documents.js') },
  retention: { summary: 'retention: pruning 100,000 old commands, 10,000 window executions and 1,000 inventory histories, and the cost of a run with nothing to remove', load: () => import('./retention.js') },
  fleet: { summary: 'fleet simulator: registration, Online and SendCommand fan-out to 100/1,000 simulated agents, embedded broker and Mosquitto', load: () => import('./fleet.js') },
  'patch-scan': { summary: 'patch Scan of this host\'s real package database (read-only): scan time, agent-side and package-manager peak RSS', load: () => import('./patch-scan.js') },
};

const [name = 'list', ...args] = process.argv.slice(2);
if (name === 'list' || !(name in BENCHES || name === 'all')) {
  if (name !== 'list') console.error(`unknown benchmark ${name}`);
  console.log('benchmarks (npm run bench -- <name>):');
  for (const [key, bench] of Object.entries(BENCHES)) console.log(`  ${key.padEnd(12)} ${bench.summary}`);
  process.exit(name === 'list' ? 0 : 2);
}
for (const [key, bench] of Object.entries(BENCHES)) {
  if (name !== 'all' && key !== name) continue;
  console.log(`== ${key}: ${bench.summary}`);
  await (await bench.load()).run(args);
}
process.exit(0);
