/**
 * State Manager on the control plane at issue 6's scale: 10,000 associations over 1,000 hosts, on a started
 * control plane (real store, real gateway signing and publishing to its embedded broker; the hosts are registry
 * records marked Online, so every set is really signed and published, to no subscriber).
 *
 * Figures, each beside a baseline from the same run:
 *   - creating the associations (each one stored and delivered to the hosts it targets);
 *   - computing every host's set through the index, vs the naive scan of every association for every host;
 *   - a tag change: the one host recomputed and its set sent, vs recomputing every host (what a control plane
 *     without the index and per-host recompute would do on any change);
 *   - every host says hello (the whole fleet's sets signed and published);
 *   - the resend timer's tick with every set acknowledged (its idle cost), and with every set due again;
 *   - storing reports: one `association-status` message per host;
 *   - DescribeAssociationExecutionTargets (the SDK, a page of 50) for that slot's execution, with only its rows
 *     stored, vs with --slots slots of history stored (a row per host per slot): it reads the execution's own rows;
 *   - memory: heap with 0 associations vs with 10,000 (and their delivery state).
 * `npm run bench -- associations [--hosts 1000] [--associations 10000] [--slots 30]`. Prints figures; asserts nothing about speed.
 */
import { DescribeAssociationExecutionTargetsCommand } from '@aws-sdk/client-ssm';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AssociationRunReport, Message } from '@tender/protocol';
import { currentVersion, targetsMatch } from '@tender/server';
import { startTestControlPlane } from '../support/control-plane.js';
import { numberOption } from './options.js';

const instanceId = (n: number): string => `mi-${n.toString(16).padStart(17, '0')}`;
const GROUP_SIZE = 5;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Wall and CPU time of `work` (CPU of this process: the control plane's share, since nothing else runs here). */
async function measure<T>(work: () => Promise<T>): Promise<{ ms: number; cpuMs: number; result: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, result };
}

const line = (label: string, figures: string): void => console.log(`  ${label.padEnd(66)} ${figures}`);
const timing = (m: { ms: number; cpuMs: number }, per?: { n: number; unit: string }): string =>
  `${m.ms.toFixed(1).padStart(9)} ms wall ${m.cpuMs.toFixed(1).padStart(9)} ms CPU${per ? `  (${((m.ms * 1000) / per.n).toFixed(1)} µs per ${per.unit})` : ''}`;

export async function run(args: string[]): Promise<void> {
  const hosts = numberOption(args, 'hosts', 1000);
  const count = numberOption(args, 'associations', 10000);
  const slots = numberOption(args, 'slots', 30);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-associations-'));
  const cp = await startTestControlPlane({ dataDir });
  try {
    const { registry, stateManager } = cp.running;
    const { associations, delivery, executions } = stateManager;
    // The default inventory association (made at first start) would be the 10,001st: the figures are for exactly `count`.
    for (const record of await associations.list()) await associations.delete(record.AssociationId);
    for (let n = 0; n < hosts; n++) {
      await registry.add({
        InstanceId: instanceId(n),
        ActivationId: 'bench',
        IamRole: 'BenchRole',
        RegistrationDate: new Date().toISOString(),
        ResourceType: 'ManagedInstance',
        Tags: [{ Key: 'Group', Value: `g${Math.floor(n / GROUP_SIZE)}` }, { Key: 'Env', Value: n % 2 ? 'prod' : 'test' }],
        publicKey: '',
        boxPublicKey: '',
        brokerPasswordHash: '',
        PingStatus: 'Online',
      });
    }
    gc();
    const heapEmpty = process.memoryUsage().heapUsed;
    console.log(`${hosts} hosts, ${count} associations (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs${(globalThis as { gc?: unknown }).gc ? '' : '; run node with --expose-gc for steadier memory figures'})`);

    // The mix: most associations name one host, a fifth target a tag group of GROUP_SIZE hosts, ten take every host.
    const everywhere = Math.min(10, count);
    const byGroup = Math.floor((count - everywhere) / 5);
    const groups = Math.ceil(hosts / GROUP_SIZE);
    const inputs = Array.from({ length: count }, (_, i) => {
      const targets =
        i < everywhere ? [{ Key: 'InstanceIds', Values: ['*'] }]
        : i < everywhere + byGroup ? [{ Key: 'tag:Group', Values: [`g${i % groups}`] }]
        : [{ Key: 'InstanceIds', Values: [instanceId(i % hosts)] }];
      return { Name: 'AWS-RunShellScript', Targets: targets, Parameters: { commands: [`echo ${i}`] }, ScheduleExpression: i % 2 ? 'rate(30 minutes)' : 'cron(0 2 ? * SUN *)' };
    });
    const created = await measure(async () => {
      for (const input of inputs) await associations.create(input);
      await delivery.idle();
    });
    line(`create ${count} associations (stored, delivered to their hosts)`, timing(created, { n: count, unit: 'association' }));
    gc();
    const heapFull = process.memoryUsage().heapUsed;

    const fleet = registry.all();
    let total = 0;
    const indexed = await measure(async () => {
      total = 0;
      for (const instance of fleet) total += (await delivery.setFor(instance)).length;
      return total;
    });
    line(`compute all ${hosts} sets through the index (${(total / hosts).toFixed(1)} per host)`, timing(indexed, { n: hosts, unit: 'host' }));
    const naive = await measure(async () => {
      const all = await associations.list();
      let found = 0;
      for (const instance of fleet) found += all.filter((record) => targetsMatch(currentVersion(record).Targets, instance)).length;
      return found;
    });
    line(`  baseline: scan every association for every host (${naive.result} matches)`, timing(naive, { n: hosts, unit: 'host' }));

    const host = fleet[0]!;
    const tagChange = await measure(async () => {
      await registry.setTags(host.InstanceId, [...host.Tags, { Key: 'Extra', Value: 'yes' }]);
      await delivery.idle();
    });
    line('tag change on one host: recompute and send its set', timing(tagChange));
    const everyone = await measure(async () => {
      await delivery.refresh(fleet.map((instance) => instance.InstanceId));
      await delivery.idle();
    });
    line('  baseline: recompute every host (nothing changed, nothing sent)', timing(everyone));

    const hello = await measure(async () => {
      await delivery.refresh(fleet.map((instance) => instance.InstanceId), { force: true });
      await delivery.idle();
    });
    line(`every host says hello: ${hosts} sets computed, signed and published`, timing(hello, { n: hosts, unit: 'host' }));

    for (const instance of fleet) {
      const revision = delivery.state(instance.InstanceId)!.revision;
      await delivery.onAck({ v: 1, id: `ack-${instance.InstanceId}`, type: 'associations-ack', from: instance.InstanceId, to: 'cp', ts: Date.now(), body: { revision } } satisfies Message);
    }
    const ticks = 100;
    const idleTick = await measure(async () => {
      for (let i = 0; i < ticks; i++) await delivery.tick();
    });
    line(`resend timer tick, every set acknowledged (average of ${ticks})`, timing({ ms: idleTick.ms / ticks, cpuMs: idleTick.cpuMs / ticks }));

    const associationId = (await associations.list())[0]!.AssociationId;
    const at = new Date().toISOString();
    const reports = await measure(async () => {
      for (const instance of fleet) {
        const report: AssociationRunReport = { runId: `run-${instance.InstanceId}`, associationId, associationVersion: '1', trigger: 'schedule', scheduledAt: at, status: 'Success', detailedStatus: 'Success', startedAt: at, endedAt: at, responseCode: 0, steps: [] };
        await executions.onStatus({ v: 1, id: `s-${instance.InstanceId}`, type: 'association-status', from: instance.InstanceId, to: 'cp', ts: Date.now(), body: { reports: [report] } });
      }
    });
    line(`store ${hosts} association-status messages (one slot, every host)`, timing(reports, { n: hosts, unit: 'message' }));
    const described = await associations.get(associationId);
    line('  → that association\'s Overview', JSON.stringify(described.Overview.AssociationStatusAggregatedCount));

    const [{ ExecutionId } = { ExecutionId: '' }] = await executions.executionsOf(associationId);
    const calls = 20;
    const describeTargets = () =>
      measure(async () => {
        for (let i = 0; i < calls; i++) await cp.ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: associationId, ExecutionId, MaxResults: 50 }));
      });
    const alone = await describeTargets();
    line(`DescribeAssociationExecutionTargets, ${hosts} rows stored (average of ${calls})`, timing({ ms: alone.ms / calls, cpuMs: alone.cpuMs / calls }));
    // Earlier slots of every association that takes every host: a row per host per slot, as half a day of a
    // 30-minute schedule leaves. Each slot's reports go at once (one group commit).
    const everyHost = (await associations.list()).filter((record) => JSON.stringify(currentVersion(record).Targets).includes('"*"')).map((record) => record.AssociationId);
    for (let slot = 1; slot < slots; slot++) {
      const earlier = new Date(Date.parse(at) - slot * 1_800_000).toISOString();
      await Promise.all(
        fleet.map((instance) => {
          const reports = everyHost.map((id): AssociationRunReport => ({ runId: `run-${slot}-${id}-${instance.InstanceId}`, associationId: id, associationVersion: '1', trigger: 'schedule', scheduledAt: earlier, status: 'Success', detailedStatus: 'Success', startedAt: earlier, endedAt: earlier, responseCode: 0, steps: [] }));
          return executions.onStatus({ v: 1, id: `s-${slot}-${instance.InstanceId}`, type: 'association-status', from: instance.InstanceId, to: 'cp', ts: Date.now(), body: { reports } });
        }),
      );
    }
    const rows = hosts + (slots - 1) * hosts * everyHost.length;
    const amid = await describeTargets();
    line(`DescribeAssociationExecutionTargets, ${rows} rows stored (average of ${calls})`, timing({ ms: amid.ms / calls, cpuMs: amid.cpuMs / calls }));

    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    line('heap used: 0 associations (hosts only)', mib(heapEmpty));
    line(`heap used: ${count} associations and their delivery state`, `${mib(heapFull)} (+${mib(heapFull - heapEmpty)})`);
    line('heap used: after the runs above', mib(heapAfter));
  } finally {
    await cp.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
