/**
 * The agent's footprint and start-up:
 * - time from spawning `tender-agent start` to Online (the control plane's own status-change event), over N runs;
 * - resident memory (VmRSS) of the agent after it has been idle and connected for --idle-seconds (default 60),
 *   beside a bare `node` process and a `node` process holding only an mqtt.js connection, measured in the same run.
 * Real processes, a real control plane with its embedded broker on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerAgent } from '@tender/agent';
import { startTestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, REPO_ROOT } from '../support/processes.js';
import { numberOption } from './options.js';

async function rssMb(pid: number, field = 'VmRSS'): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function node(args: string[]): ChildProcess {
  return spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'ignore' });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function run(args: string[]): Promise<void> {
  const runs = numberOption(args, 'runs', 10);
  const idleSeconds = numberOption(args, 'idle-seconds', 60);
  const cp = await startTestControlPlane({ heartbeatSeconds: 60 });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bench-agent-'));
  const children: ChildProcess[] = [];
  try {
    const activation = await cp.createActivation({ limit: 1 });
    const stateDir = path.join(work, 'agent');
    const identity = await registerAgent({ endpoint: cp.running.endpoint, activationId: activation.id, activationCode: activation.code, stateDir });
    const id = identity.instanceId;

    // Start to Online, from the control plane's point of view (its status-change event), N times.
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const online = new Promise<number>((resolve) => cp.running.registry.onStatusChange((record) => record.InstanceId === id && record.PingStatus === 'Online' && resolve(performance.now())));
      const started = performance.now();
      const agent = spawn(process.execPath, [AGENT_BIN, 'start', '--state-dir', stateDir], { cwd: REPO_ROOT, stdio: 'ignore' });
      times.push((await online) - started);
      agent.kill('SIGTERM');
      await new Promise((resolve) => agent.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    times.sort((a, b) => a - b);
    console.log(`start → Online over ${runs} runs: p50 ${percentile(times, 50).toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms (spawn of node + option parsing, no oclif + plugin manifests and the transport's plugin + MQTT connect + hello)`);

    // Memory: the agent, a bare node, and node with only an mqtt.js connection, side by side.
    const agent = spawn(process.execPath, [AGENT_BIN, 'start', '--state-dir', stateDir], { cwd: REPO_ROOT, stdio: 'ignore' });
    children.push(agent);
    const bare = node(['-e', 'setInterval(() => {}, 1000)']);
    children.push(bare);
    const conn = cp.running.brokerConnection;
    const mqttOnly = node(['--input-type=module', '-e', `import { connect } from 'mqtt'; connect(${JSON.stringify(conn.url)}, { username: ${JSON.stringify(conn.username)}, password: ${JSON.stringify(conn.password)} }); setInterval(() => {}, 1000);`]);
    children.push(mqttOnly);
    console.log(`idle for ${idleSeconds} s ...`);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const status = (await cp.describe(id))?.PingStatus;
    const [a, b, m] = [await rssMb(agent.pid ?? 0), await rssMb(bare.pid ?? 0), await rssMb(mqttOnly.pid ?? 0)];
    console.log(`resident memory after ${idleSeconds} s idle (agent ${status}):`);
    console.log(`  tender-agent (connected)      ${a.toFixed(1)} MB   goal < 60 MB`);
    // Anonymous: the agent's own heap and malloc; file: pages of the node binary (and libraries) it has touched,
    // which grow when it first uses a part of node (ICU's time zone data, for one: several MB).
    console.log(`    of which anonymous / file   ${(await rssMb(agent.pid ?? 0, 'RssAnon')).toFixed(1)} / ${(await rssMb(agent.pid ?? 0, 'RssFile')).toFixed(1)} MB`);
    console.log(`  node, mqtt.js connected only  ${m.toFixed(1)} MB`);
    console.log(`  bare node                     ${b.toFixed(1)} MB`);
    console.log(`  agent above bare node         ${(a - b).toFixed(1)} MB`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await cp.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}
