/**
 * The agent's side of inventory, on this host:
 * - full gather time (wall) of aws:softwareInventory with AWS-GatherSoftwareInventory's defaults, over N runs;
 * - the agent's CPU time per gather (user + system of this process: gatherers, parsing, sorting, hashing), and
 *   apart from it the CPU of the programs it ran (dpkg-query, rpm: the children's time from /proc/self/stat);
 * - bytes on the wire for the first upload (every type in full) and for an unchanged one (hashes only): the
 *   signed envelope as published, built by the real uploader and the real signing code.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_GATHER_INPUTS, InventoryUploader, loadPlugins, SOFTWARE_INVENTORY_ACTION } from '@tender/agent';
import type { ActionContext, ActionHandler } from '@tender/plugin-api';
import { createMessage, generateSigningKeyPair, signEnvelope, type InventoryBody } from '@tender/protocol';
import { numberOption } from './options.js';

/** CPU of waited-for children in ms (Linux: cutime + cstime of /proc/self/stat, in clock ticks of 10 ms). */
async function childrenCpuMs(): Promise<number> {
  const stat = await fs.readFile('/proc/self/stat', 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function run(args: string[]): Promise<void> {
  const runs = numberOption(args, 'runs', 5);
  const plugins = await loadPlugins({ packages: ['@tender/inventory'] });
  const action = plugins.flatMap((p) => Object.entries(p.plugin.actions ?? {})).find(([name]) => name === SOFTWARE_INVENTORY_ACTION)?.[1] as ActionHandler;
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-inventory-'));
  const keys = generateSigningKeyPair();
  const instanceId = 'mi-0123456789abcdef0';
  const wire: Array<{ body: InventoryBody; bytes: number }> = [];
  const uploader = await InventoryUploader.open({
    stateDir: work,
    logger: silent,
    jitterMs: 3_600_000, // sent explicitly below
    agentVersion: '0.1.0',
    send: async (body) => {
      const envelope = signEnvelope(createMessage({ type: 'inventory', from: instanceId, to: 'tender-control-plane', body }), instanceId, keys.secretKey);
      wire.push({ body, bytes: envelope.length });
    },
  });
  let lastItems: Parameters<ReturnType<InventoryUploader['services']>['putInventory']>[0] = [];
  const services = uploader.services();
  const gather = async () => {
    const context: ActionContext = {
      inputs: { ...DEFAULT_GATHER_INPUTS },
      signal: new AbortController().signal,
      logger: silent,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      orchestrationDirectory: path.join(work, 'run'),
      env: {},
      run: { instanceId, commandId: 'bench', documentName: 'AWS-GatherSoftwareInventory', stepName: 'collectSoftwareInventoryItems', region: 'local' },
      platform: process.platform as ActionContext['platform'],
      services: {
        putInventory: async (items, failures) => {
          lastItems = items;
          await services.putInventory(items, failures);
        },
      },
    };
    const result = await action.run(context);
    if (result.status !== 'Success') console.log(`  (gather: ${result.status}: ${result.message})`);
  };
  try {
    const wall: number[] = [];
    const cpu: number[] = [];
    const children: number[] = [];
    for (let i = 0; i < runs; i++) {
      const childBefore = await childrenCpuMs();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await gather();
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      children.push((await childrenCpuMs()) - childBefore);
      if (i === 0) {
        await uploader.sendNow(); // the first upload: everything in full
        const first = wire.at(-1)!;
        await uploader.acknowledge({ uploadId: first.body.uploadId, accepted: first.body.items.map((item) => item.TypeName), mismatched: [] });
      }
    }
    const afterGathers = wire.length;
    await uploader.sendNow(); // the later gathers, on an unchanged host: nothing pending, nothing sent
    const unchangedSent = wire.length - afterGathers;
    // Once a day an unchanged host re-verifies: every type as hash only.
    const verifier = await InventoryUploader.open({ stateDir: work, logger: silent, jitterMs: 3_600_000, agentVersion: '0.1.0', verifyAfterMs: 0, send: async (body) => void wire.push({ body, bytes: signEnvelope(createMessage({ type: 'inventory', from: instanceId, to: 'tender-control-plane', body }), instanceId, keys.secretKey).length }) });
    await verifier.put(lastItems);
    await verifier.sendNow();
    verifier.stop();
    const [full, unchanged] = [wire[0]!, wire.at(-1)!];
    const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
    console.log(`full gather (${full.body.items.map((item) => `${item.TypeName} ${item.Content?.length ?? 0}`).join(', ')}) over ${runs} runs:`);
    console.log(`  wall     p50 ${percentile(sorted(wall), 50).toFixed(0)} ms, max ${Math.max(...wall).toFixed(0)} ms (the first run also loads the gatherers' modules)`);
    console.log(`  agent CPU p50 ${percentile(sorted(cpu), 50).toFixed(0)} ms, max ${Math.max(...cpu).toFixed(0)} ms (this process: gatherers, parsing, sorting, hashing, spooling)`);
    console.log(`  children  p50 ${percentile(sorted(children), 50).toFixed(0)} ms CPU (dpkg-query, rpm and the like)`);
    console.log('bytes on the wire (signed envelope, before MQTT\'s own few bytes of header and the topic):');
    console.log(`  full upload      ${full.bytes.toLocaleString('en')} bytes (${full.body.items.length} types, all with content)`);
    console.log(`  unchanged gather ${unchangedSent === 0 ? '0 bytes: nothing is sent when no hash changed' : `${unchangedSent} uploads (expected none)`} — goal: under 1 KB`);
    console.log(`  daily re-verification of an unchanged host ${unchanged.bytes.toLocaleString('en')} bytes (${unchanged.body.items.filter((item) => !item.Content).length} of ${unchanged.body.items.length} types as hash only)`);
  } finally {
    uploader.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}
