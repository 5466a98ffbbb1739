/**
 * Run Command round trip on ONE real agent process (`tender-agent start`, embedded broker, loopback): time from the
 * SendCommand call to GetCommandInvocation showing Success, for `echo hi`, over --runs runs (default 200). Three
 * processes, as in use: the control plane (this process), the agent, and the client (run-command-client.ts: the
 * official SDK, plus a wire observer on the broker). GetCommandInvocation answers only once what it shows is in the
 * control plane's store, so the client calls it as soon as the observer sees the agent's `command-result` cross the
 * broker (the call then waits for the result's write), and every 50 ms in case the observer misses it; with
 * --poll-ms N it is instead polled every N ms, as a client without that hint would. Beside it, in the same run, a
 * bare spawn of `/bin/sh -c 'echo hi'` over as many spawns.
 *
 * On a shared machine other jobs' load swamps these figures (a bare spawn at 60 ms instead of 10): run it as
 * `npm run build && chrt -f 10 node test/dist/bench/run.js run-command` to keep that load out of them.
 *
 * Where the time goes, measured cheaply: the observer stamps when each message crosses the broker; the invocation's
 * own ExecutionStartDateTime/EndDateTime give the agent's view of the step. The observer only listens.
 *
 * `--versus <checkout>` compares this agent with another build's (a built checkout or worktree of Tender): both
 * agents register with this control plane and the commands alternate between them, so that each pair of runs
 * shares the minutes they ran in (on a shared VM, separate runs minutes apart differ by more than most changes).
 * It compares agents only: the control plane, broker and client are this build's for both.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteAssociationCommand, ListAssociationsCommand } from '@aws-sdk/client-ssm';
import { registerAgent } from '@tender/agent';
import { startTestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, LiveProcess } from '../support/processes.js';
import { runJsonChild } from './json-child.js';
import { processCpuMs } from './process-cpu.js';
import type { ClientResult, ClientSettings } from './run-command-client.js';
import { numberOption, textOption } from './options.js';

const CLIENT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-command-client.js');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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

/** Resolves once the process has used (almost) no CPU for a second, or after `timeoutMs` (saying so). */
async function untilIdle(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = processCpuMs(pid, { children: true });
  if (last === undefined) return; // not Linux: nothing to read
  while (Date.now() < deadline) {
    await sleep(1000);
    const now = processCpuMs(pid, { children: true });
    if (now === undefined || now - last <= 20) return;
    last = now;
  }
  console.log(`  (the agent was still busy ${timeoutMs / 1000} s after it came Online; measuring anyway)`);
}

export async function run(args: string[]): Promise<void> {
  const runs = numberOption(args, 'runs', 200);
  const pollMs = numberOption(args, 'poll-ms', 0);
  const versus = textOption(args, 'versus');
  const agents = [{ label: 'this build', bin: AGENT_BIN }];
  if (versus !== undefined) {
    const bin = path.resolve(versus, 'bin', 'tender-agent.js');
    await fs.access(bin).catch(() => {
      throw new Error(`--versus ${versus}: no built Tender checkout there (${bin} is missing)`);
    });
    agents.push({ label: path.basename(path.resolve(versus)), bin });
  }

  // Baseline first, while nothing else runs.
  const spawns: number[] = [];
  for (let i = 0; i < 10; i++) await bareSpawn();
  for (let i = 0; i < runs; i++) spawns.push(await bareSpawn());

  const cp = await startTestControlPlane({ heartbeatSeconds: 60 });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-rc-'));
  const started: LiveProcess[] = [];
  try {
    // No inventory while measuring: a fresh agent's first gather (the control plane's default association, or the
    // agent's own schedule) is seconds of CPU in child processes. Under `chrt -f` it ran at real-time priority
    // beside the client's start and held the client up for 30 s or more (its broker connection timed out).
    const inventoryAssociations = (await cp.ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'Name', value: 'AWS-GatherSoftwareInventory' }] }))).Associations ?? [];
    for (const { AssociationId } of inventoryAssociations) await cp.ssm.send(new DeleteAssociationCommand({ AssociationId }));
    const activation = await cp.createActivation({ limit: agents.length });
    const instanceIds: string[] = [];
    for (const [index, { bin }] of agents.entries()) {
      const stateDir = path.join(work, `agent-${index}`);
      const { instanceId } = await registerAgent({ endpoint: cp.running.endpoint, activationId: activation.id, activationCode: activation.code, stateDir });
      const agent = new LiveProcess(bin, ['start', '--state-dir', stateDir, '--inventory-interval-minutes', '0']);
      started.push(agent);
      instanceIds.push(instanceId);
      await cp.untilOnline(instanceId, 'the agent Online', 30_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${agent.output}`);
      });
    }

    // Whatever else a fresh agent does at start (its hello, the association set) is over before measuring.
    for (const agent of started) await untilIdle(agent.pid, 60_000);

    const conn = cp.running.brokerConnection;
    const result = await runJsonChild<ClientResult>(CLIENT_SCRIPT, 'TENDER_RC_CLIENT', {
      endpoint: cp.running.endpoint,
      region: cp.running.region,
      accessKeyId: cp.admin.accessKeyId,
      secretAccessKey: cp.admin.secretAccessKey,
      instanceIds,
      broker: { url: conn.url, username: conn.username, password: conn.password },
      runs,
      warmups: 5,
      pollMs,
      timeoutMs: TOTAL_TIMEOUT_MS,
    } satisfies ClientSettings, 'the client');
    const reading = pollMs > 0 ? `GetCommandInvocation polled every ${pollMs} ms` : 'GetCommandInvocation called when the result crosses the broker';
    if (agents.length > 1) {
      // Run i went to agent i % n: each pair of neighbouring runs is one comparison.
      const byAgent = agents.map((_, a) => result.totals.filter((_, i) => i % agents.length === a));
      console.log(`SendCommand → Success for 'echo hi', ${agents.length} agent processes taking turns, ${result.totals.length} runs (${reading}):`);
      for (const [a, { label }] of agents.entries()) console.log(`  round trip, ${label.padEnd(24)} ${summary(byAgent[a]!)}`);
      const pairs = byAgent[0]!.map((value, i) => value - (byAgent[1]![i] ?? NaN)).filter(Number.isFinite);
      const sorted = [...pairs].sort((x, y) => x - y);
      console.log(`  this build minus ${agents[1]!.label}, pair by pair: median ${percentile(sorted, 50).toFixed(1)} ms, mean ${(pairs.reduce((x, y) => x + y, 0) / pairs.length).toFixed(1)} ms over ${pairs.length} pairs`);
      return;
    }
    console.log(`SendCommand → Success for 'echo hi', one agent process, ${result.totals.length} runs (client in its own process; ${reading}):`);
    console.log(`  round trip                       ${summary(result.totals)}   goal p50 < 20 ms`);
    console.log(`  bare spawn /bin/sh -c 'echo hi'  ${summary(spawns)}   (${spawns.length} spawns, the control plane's process)`);
    console.log('where the time goes (time since the SendCommand call, stamped by the client\'s observer on the broker):');
    console.log(`  SendCommand HTTP call returns`.padEnd(66) + summary(result.sendCalls));
    const median = (values: number[]) => percentile([...values].sort((x, y) => x - y), 50);
    for (const [type, values] of Object.entries(result.offsets).sort((x, y) => median(x[1]) - median(y[1]))) {
      console.log(`  first '${type}' crosses the broker after SendCommand`.padEnd(66) + `${summary(values)}  (${values.length} runs)`);
    }
    console.log(`  Success seen by GetCommandInvocation`.padEnd(66) + summary(result.totals));
    if (result.agentSteps.length) console.log(`  the agent's own ExecutionStartDateTime → EndDateTime`.padEnd(66) + summary(result.agentSteps));
  } finally {
    // A failure here must not hide the one that brought us here.
    for (const agent of started) await agent.kill('SIGKILL').catch(() => undefined);
    await cp.stop().catch((error: unknown) => console.error(`(could not stop the control plane cleanly: ${(error as Error).message})`));
    await fs.rm(work, { recursive: true, force: true });
  }
}
