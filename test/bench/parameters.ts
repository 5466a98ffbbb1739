/**
 * Parameter Store read throughput: GetParameter, SigV4-signed, over loopback, from a load generator in another
 * process (parameters-load.ts: keep-alive connections, every request signed afresh) against a control plane in
 * this process, with throughput, p50/p90/p99 latency and the control plane's CPU time per call. Beside it, the
 * same load generator against a bare node:http server answering a fixed JSON body (no signature check, no
 * policy, no audit): the ceiling of Node's HTTP stack on this machine, so the figure can be read as "how much of
 * what is possible". Anchors: AWS's own GetParameter ceilings, 40 TPS by default and 10,000 TPS with higher
 * throughput enabled.
 *
 * Options: --seconds N (measured, default 10), --connections N (default 32), --operation NAME (GetParameter by
 * default; GetDocument or DescribeInstanceInformation measure the same request path without Parameter Store),
 * --skip-baseline, --cpu-profile FILE (a V8 CPU profile of the control plane while it is under load, for
 * Chrome DevTools or speedscope: where its time goes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Session } from 'node:inspector/promises';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { startTestControlPlane } from '../support/control-plane.js';
import { runJsonChild } from './json-child.js';
import type { LoadResult, LoadSettings } from './parameters-load.js';
import { numberOption, textOption } from './options.js';

const LOAD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'parameters-load.js');
const PARAMETER_NAME = '/bench/app/db-host';

const BODIES: Record<string, object> = {
  GetParameter: { Name: PARAMETER_NAME },
  GetDocument: { Name: 'AWS-RunShellScript' },
  DescribeInstanceInformation: { MaxResults: 5 },
};

/** Run the load generator as a child process; its one line of JSON is the result. */
function generateLoad(settings: LoadSettings): Promise<LoadResult> {
  return runJsonChild<LoadResult>(LOAD_SCRIPT, 'TENDER_LOAD', settings, 'the load generator');
}

/** Load the target while measuring this process's CPU time (the server side, when the server runs here). */
async function measure(settings: LoadSettings): Promise<LoadResult & { serverCpuUsPerCall: number }> {
  const cpuBefore = process.cpuUsage();
  const result = await generateLoad(settings);
  const cpu = process.cpuUsage(cpuBefore);
  // The CPU time covers the warm-up too; spread it over every call the server answered in that time.
  const answered = result.requests * ((settings.seconds + settings.warmupSeconds) / settings.seconds);
  return { ...result, serverCpuUsPerCall: (cpu.user + cpu.system) / answered };
}

function row(label: string, r: LoadResult & { serverCpuUsPerCall: number }): string {
  const rate = Math.round(r.requests / r.seconds).toLocaleString('en-US').padStart(7);
  const ms = (v: number) => v.toFixed(2).padStart(6);
  return `${label.padEnd(44)} ${rate}/s  p50 ${ms(r.p50)}  p90 ${ms(r.p90)}  p99 ${ms(r.p99)}  max ${ms(r.max)} ms  server ${r.serverCpuUsPerCall.toFixed(0).padStart(4)} µs CPU/call  load gen ${(r.cpuShare * 100).toFixed(0)}% of a core${r.errors ? `  ERRORS ${r.errors}: ${r.firstError}` : ''}`;
}

/** A node:http server that answers every POST with the same small JSON body: the stack's own ceiling. */
async function bareServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const answer = JSON.stringify({ Parameter: { Name: PARAMETER_NAME, Type: 'String', Value: 'db.internal:5432', Version: 1 } });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The V8 profiler on this process (the control plane), from now until stop(). */
async function startProfiler(): Promise<{ stop(): Promise<object> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

export async function run(args: string[]): Promise<void> {
  const seconds = numberOption(args, 'seconds', 10);
  const connections = numberOption(args, 'connections', 32);
  const operation = textOption(args, 'operation') ?? 'GetParameter';
  const body = BODIES[operation];
  if (!body) throw new Error(`--operation must be one of ${Object.keys(BODIES).join(', ')}`);
  const base = { seconds, warmupSeconds: Math.min(3, seconds), connections, region: 'us-east-1', accessKeyId: 'unused', secretAccessKey: 'unused', body: JSON.stringify(body) };
  console.log(`${connections} keep-alive connections, each call signed with SigV4 in the load generator process; ${seconds} s measured after a warm-up`);
  console.log('anchors: AWS GetParameter 40 TPS by default, 10,000 TPS with higher throughput enabled');

  if (!args.includes('--skip-baseline')) {
    const bare = await bareServer();
    try {
      console.log(row('bare node:http, fixed answer (ceiling)', await measure({ ...base, endpoint: bare.endpoint, target: `AmazonSSM.${operation}` })));
    } finally {
      await bare.close();
    }
  }

  const cp = await startTestControlPlane({ heartbeatSeconds: 60 });
  try {
    if (operation === 'GetParameter') await cp.ssm.send(new PutParameterCommand({ Name: PARAMETER_NAME, Type: 'String', Value: 'db.internal:5432' }));
    const settings: LoadSettings = { ...base, endpoint: cp.running.endpoint, region: cp.running.region, ...cp.admin, target: `AmazonSSM.${operation}` };
    const profileFile = textOption(args, 'cpu-profile');
    const profiler = profileFile ? await startProfiler() : undefined;
    console.log(row(`Tender ${operation} (SigV4, policy, audit)`, await measure(settings)));
    if (profiler && profileFile) {
      await fs.writeFile(profileFile, JSON.stringify(await profiler.stop()));
      console.log(`CPU profile of the control plane under load: ${profileFile}`);
    }
  } finally {
    await cp.stop();
  }
}
