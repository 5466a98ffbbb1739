/**
 * Fan-out with the fleet simulator: for each --sizes (default 100,1000) and --broker (embedded | mosquitto | both,
 * default both when Mosquitto is installed), a fresh control plane in this process, a simulated fleet in this
 * process (each agent registered for real, its own MQTT connection), then SendCommand AWS-RunShellScript by tag
 * (every instance carries the activation's tag) with MaxConcurrency 100%, timed until the command is Success.
 * Prints registration time, time to all Online, fan-out time, invocations/s and this process's CPU (it holds
 * both the control plane and the simulator, so CPU/wall near 100% means one core is the limit) and, with Mosquitto,
 * the broker's own CPU while the fleet registers and connects.
 */
import { GetCommandInvocationCommand, ListCommandsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { startTestControlPlane } from '../support/control-plane.js';
import { startFleet } from '../support/fleet-simulator.js';
import { processCpuMs } from './process-cpu.js';
import { mosquittoAvailable, startMosquitto, type MosquittoInstance } from '../support/mosquitto.js';
import { numberOption, textOption } from './options.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const TAG = { Key: 'bench', Value: 'fleet' };

function cpuSince(start: NodeJS.CpuUsage, wallMs: number): string {
  const used = process.cpuUsage(start);
  const ms = (used.user + used.system) / 1000;
  return `CPU ${ms.toFixed(0)} ms (user ${(used.user / 1000).toFixed(0)}, sys ${(used.system / 1000).toFixed(0)}) = ${((ms / wallMs) * 100).toFixed(0)}% of one core`;
}

async function one(size: number, broker: 'embedded' | 'mosquitto', runs: number, timeoutMs: number): Promise<void> {
  const label = `${size} agents, ${broker} broker`;
  let mosquitto: MosquittoInstance | undefined;
  if (broker === 'mosquitto') mosquitto = await startMosquitto();
  const cp = await startTestControlPlane({ heartbeatSeconds: 60, ...(mosquitto ? { mosquitto } : {}) });
  let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
  try {
    // SSM caps an activation at 1,000 registrations: a larger fleet registers with several.
    const activations = [];
    for (let n = 0; n < Math.ceil(size / 1000); n++) activations.push(await cp.createActivation({ limit: 1000, tags: [TAG] }));
    const online = new Set<string>();
    let allOnline: () => void = () => undefined;
    const allOnlinePromise = new Promise<void>((resolve) => (allOnline = resolve));
    cp.running.registry.onStatusChange((record) => {
      if (record.PingStatus === 'Online') online.add(record.InstanceId);
      if (online.size >= size) allOnline();
    });

    let cpu = process.cpuUsage();
    const brokerCpuBefore = processCpuMs(mosquitto?.pid);
    const started = performance.now();
    fleet = await startFleet({ size, endpoint: cp.running.endpoint, activation: activations, timeoutMs });
    const brokerCpuAfter = processCpuMs(mosquitto?.pid);
    await Promise.race([allOnlinePromise, sleep(timeoutMs).then(() => Promise.reject(new Error(`${label}: only ${online.size} Online after ${timeoutMs} ms`)))]);
    const onlineMs = performance.now() - started;
    console.log(`${label}:`);
    console.log(`  registration (HTTP, pool of 32)        ${fleet.timings.registerMs.toFixed(0).padStart(6)} ms  (${((size / fleet.timings.registerMs) * 1000).toFixed(0)}/s)`);
    if (brokerCpuBefore !== undefined && brokerCpuAfter !== undefined) {
      // Mosquitto 2.0 rewrites its dynamic-security file after every change: this is what bounds registration.
      console.log(`  Mosquitto's CPU during registration + connect ${(brokerCpuAfter - brokerCpuBefore).toFixed(0).padStart(6)} ms`);
    }
    console.log(`  connect + subscribe + hello (pool 100)  ${fleet.timings.connectMs.toFixed(0).padStart(6)} ms`);
    console.log(`  start → all ${size} Online               ${onlineMs.toFixed(0).padStart(6)} ms  ${cpuSince(cpu, onlineMs)}`);

    for (let run = 1; run <= runs; run++) {
      fleet.resetStats();
      cpu = process.cpuUsage();
      const sendStarted = performance.now();
      const sent = await cp.ssm.send(
        new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: `tag:${TAG.Key}`, Values: [TAG.Value] }], MaxConcurrency: '100%', MaxErrors: '0', Parameters: { commands: ['echo hi'] } }),
      );
      const sendMs = performance.now() - sendStarted;
      const commandId = sent.Command?.CommandId ?? '';
      let status = '';
      let completed = 0;
      const by = sendStarted + timeoutMs;
      for (;;) {
        const command = (await cp.ssm.send(new ListCommandsCommand({ CommandId: commandId }))).Commands?.[0];
        status = command?.Status ?? '';
        completed = command?.CompletedCount ?? 0;
        if (FINAL.has(status)) break;
        if (performance.now() > by) throw new Error(`${label}: command not final within ${timeoutMs} ms (${status}, ${completed}/${size} completed; agents got ${fleet.stats.commandsReceived} commands, sent ${fleet.stats.resultsSent} results, got ${fleet.stats.resultAcks} result-acks)`);
        await sleep(5);
      }
      const doneMs = performance.now() - sendStarted;
      if (status !== 'Success') {
        const sample = fleet.instanceIds[0] ?? '';
        const invocation = await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: sample })).catch(() => undefined);
        console.log(`  run ${run}: command ended ${status} (${completed}/${size}); e.g. ${sample}: ${invocation?.Status} ${invocation?.StatusDetails}`);
        continue;
      }
      const s = fleet.stats;
      const rel = (at: number | undefined) => (at === undefined ? '?' : (at - sendStarted).toFixed(0));
      console.log(
        `  run ${run}: SendCommand → all ${completed} Success ${doneMs.toFixed(0).padStart(6)} ms = ${((size / doneMs) * 1000).toFixed(0)} invocations/s;` +
          ` SendCommand call ${sendMs.toFixed(0)} ms, first command at an agent +${rel(s.firstCommandAt)} ms, last result published +${rel(s.lastResultAt)} ms; ${cpuSince(cpu, doneMs)}`,
      );
      await sleep(500); // let the result-acks drain
    }
    const memory = process.memoryUsage();
    console.log(`  this process: rss ${(memory.rss / 2 ** 20).toFixed(0)} MB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MB`);
  } finally {
    await fleet?.stop();
    await cp.stop();
    await mosquitto?.stop();
  }
}

export async function run(args: string[]): Promise<void> {
  const sizes = textOption(args, 'sizes', '100,1000').split(',').map(Number).filter((n) => n > 0);
  const brokerArg = textOption(args, 'broker', 'both');
  const runs = numberOption(args, 'runs', 3);
  const timeoutMs = numberOption(args, 'timeout-ms', 120000);
  const brokers: Array<'embedded' | 'mosquitto'> = brokerArg === 'both' ? ['embedded', 'mosquitto'] : [brokerArg as 'embedded' | 'mosquitto'];
  for (const broker of brokers) {
    if (broker === 'mosquitto' && !mosquittoAvailable()) {
      console.log('mosquitto broker: skipped (Mosquitto with mosquitto_ctrl and the dynamic-security plugin is not installed)');
      continue;
    }
    for (const size of sizes) {
      // One failed size/broker (e.g. a broker dropping messages) is reported, and the others still run.
      await one(size, broker, runs, timeoutMs).catch((error: Error) => console.log(`  FAILED: ${error.message}`));
    }
  }
}
