/**
 * Run Command round trip on ONE real agent process (`tender-agent start`, embedded broker, loopback, control plane
 * in this process): time from the SendCommand call to GetCommandInvocation showing Success, for `echo hi`, over
 * --runs runs (default 200). GetCommandInvocation is called as soon as the wire observer sees the control plane's
 * `result-ack` for the command (sent once the result is stored), and every 50 ms in case it misses it (not at once
 * after SendCommand: that call only slowed the broker sharing this process, and found Pending); with
 * --poll-ms N it is instead polled every N ms, as a client without that hint would (the polling client shares the
 * control plane's process and event loop, so a tight poll slows what it measures). Beside it, in the same run, a
 * bare spawn of `/bin/sh -c 'echo hi'` over as many spawns.
 *
 * On a shared machine other jobs' load swamps these figures (a bare spawn at 60 ms instead of 10): run it as
 * `npm run build && chrt -f 10 node test/dist/bench/run.js run-command` to keep that load out of them.
 *
 * Where the time goes, measured cheaply: a wire observer (the control plane's own broker credentials, subscribed
 * to tender/v1/i/<id>/{up,down}) stamps when each message crosses the broker; the invocation's own
 * ExecutionStartDateTime/EndDateTime give the agent's view of the step. The observer only listens.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { connect } from 'mqtt';
import { registerAgent } from '@tender/agent';
import { topics } from '@tender/protocol';
import { startTestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, LiveProcess } from '../support/processes.js';

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);
const RUN_TIMEOUT_MS = 15_000;
const TOTAL_TIMEOUT_MS = 10 * 60_000;

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1).padStart(6);
  return `p50 ${f(percentile(sorted, 50))}  p90 ${f(percentile(sorted, 90))}  p95 ${f(percentile(sorted, 95))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1) ?? NaN)} ms`;
}

function bareSpawn(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', 'echo hi'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.resume();
    child.once('error', reject);
    child.once('close', () => resolve(performance.now() - started));
  });
}

export async function run(args: string[]): Promise<void> {
  const runs = option(args, 'runs', 200);
  const pollMs = option(args, 'poll-ms', 0);
  const deadline = Date.now() + TOTAL_TIMEOUT_MS;

  // Baseline first, while nothing else runs.
  const spawns: number[] = [];
  for (let i = 0; i < 10; i++) await bareSpawn();
  for (let i = 0; i < runs; i++) spawns.push(await bareSpawn());

  const trace = (what: string) => process.env.TENDER_BENCH_TRACE && console.error(`[${Math.round(performance.now())}] ${what}`);
  trace("spawns done");
  const cp = await startTestControlPlane({ heartbeatSeconds: 60 });
  trace("cp started");
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-rc-'));
  let agent: LiveProcess | undefined;
  const conn = cp.running.brokerConnection;
  const observer = connect(conn.url, { username: conn.username, password: conn.password, reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    const activation = await cp.createActivation({ limit: 1 });
    const stateDir = path.join(work, 'agent');
    const { instanceId } = await registerAgent({ endpoint: cp.running.endpoint, activationId: activation.id, activationCode: activation.code, stateDir });
    trace("registered");
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
    const onlineBy = Date.now() + 30_000;
    while ((await cp.describe(instanceId))?.PingStatus !== 'Online') {
      if (Date.now() > onlineBy) throw new Error(`the agent did not come Online within 30 s:\n${agent.output}`);
      await sleep(50);
    }

    trace("online");
    // Wire observer: first time each message type for the current command crosses the broker.
    if (!observer.connected) await new Promise<void>((resolve, reject) => {
      observer.once('connect', () => resolve());
      observer.once('error', reject);
    });
    await observer.subscribeAsync([topics.up(instanceId), topics.down(instanceId)], { qos: 0 });
    const wire = new Map<string, Map<string, number>>(); // commandId → message type → first seen
    const stored = new Map<string, () => void>(); // commandId → wake the reader once its result-ack is seen
    observer.on('message', (_topic, payload) => {
      const at = performance.now();
      try {
        const message = JSON.parse(JSON.parse(payload.toString('utf8')).m as string) as { type: string; body?: { commandId?: string } };
        const commandId = message.body?.commandId;
        if (!commandId) return;
        const marks = wire.get(commandId) ?? new Map<string, number>();
        wire.set(commandId, marks);
        if (!marks.has(message.type)) marks.set(message.type, at);
        if (message.type === 'result-ack') stored.get(commandId)?.();
      } catch {
        // not an envelope: ignore
      }
    });

    const send = () => cp.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands: ['echo hi'] } }));
    /** Resolves when the result-ack for the command has crossed the broker, or after `fallbackMs`. */
    const resultStored = (commandId: string, fallbackMs: number) =>
      new Promise<void>((resolve) => {
        if (wire.get(commandId)?.has('result-ack')) return resolve();
        const timer = setTimeout(done, fallbackMs);
        function done(): void {
          clearTimeout(timer);
          stored.delete(commandId);
          resolve();
        }
        stored.set(commandId, done);
      });
    const roundTrip = async () => {
      const started = performance.now();
      const sent = await send();
      const sendReturned = performance.now();
      const commandId = sent.Command?.CommandId ?? '';
      const by = started + RUN_TIMEOUT_MS;
      // Hinted: the first call waits for the hint. A GetCommandInvocation made at once would only find Pending, and
      // it would run on this process's event loop just as the broker there forwards the command to the agent.
      if (pollMs === 0) await resultStored(commandId, 50);
      for (;;) {
        const invocation = await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
        const status = invocation?.Status ?? '';
        if (FINAL.has(status)) {
          const done = performance.now();
          if (status !== 'Success') throw new Error(`command ${commandId} ended ${status}: ${invocation?.StandardErrorContent ?? ''} ${invocation?.StatusDetails ?? ''}`);
          const start = Date.parse(invocation?.ExecutionStartDateTime ?? '');
          const end = Date.parse(invocation?.ExecutionEndDateTime ?? '');
          return { total: done - started, sendCall: sendReturned - started, agentStep: end - start, marks: wire.get(commandId) ?? new Map<string, number>(), started, done, commandId };
        }
        if (performance.now() > by) throw new Error(`command ${commandId} not final within ${RUN_TIMEOUT_MS} ms (last status ${status || 'unknown'})`);
        if (pollMs > 0) await sleep(pollMs);
        else await resultStored(commandId, 50);
      }
    };

    trace("observer");
    for (let i = 0; i < 5; i++) await roundTrip(); // warm-up: JIT, document cache, sockets
    const totals: number[] = [];
    const sendCalls: number[] = [];
    const agentSteps: number[] = [];
    const offsets = new Map<string, number[]>();
    for (let i = 0; i < runs && Date.now() < deadline; i++) {
      const r = await roundTrip();
      totals.push(r.total);
      sendCalls.push(r.sendCall);
      if (Number.isFinite(r.agentStep)) agentSteps.push(r.agentStep);
      await sleep(20); // let the tail (result-ack) pass before the next command
      for (const [type, at] of r.marks) offsets.set(type, [...(offsets.get(type) ?? []), at - r.started]);
    }
    const reading = pollMs > 0 ? `GetCommandInvocation polled every ${pollMs} ms` : 'GetCommandInvocation when the result-ack crosses the broker';
    console.log(`SendCommand → Success for 'echo hi', one agent process, ${totals.length} runs (${reading}):`);
    console.log(`  round trip                       ${summary(totals)}   goal p50 < 20 ms`);
    console.log(`  bare spawn /bin/sh -c 'echo hi'  ${summary(spawns)}   (${spawns.length} spawns, this process)`);
    console.log('where the time goes (time since the SendCommand call, stamped by a wire observer on the broker):');
    console.log(`  SendCommand HTTP call returns`.padEnd(66) + summary(sendCalls));
    const median = (values: number[]) => percentile([...values].sort((x, y) => x - y), 50);
    for (const [type, values] of [...offsets].sort((x, y) => median(x[1]) - median(y[1]))) {
      console.log(`  first '${type}' crosses the broker after SendCommand`.padEnd(66) + `${summary(values)}  (${values.length} runs)`);
    }
    console.log(`  Success seen by GetCommandInvocation`.padEnd(66) + summary(totals));
    if (agentSteps.length) console.log(`  the agent's own ExecutionStartDateTime → EndDateTime`.padEnd(66) + summary(agentSteps));
  } finally {
    observer.end(true);
    await agent?.kill('SIGKILL').catch(() => undefined);
    await cp.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}
