/**
 * The load generator of `npm run bench -- parameters`, run as its own process so that it does not share the
 * control plane's event loop: it sends one AWS JSON 1.1 call over and over on several keep-alive connections,
 * each request signed afresh with SigV4 (@smithy/signature-v4, the AWS SDK's own signer), and prints one JSON
 * line with what it measured. A lean client on purpose (raw HTTP/1.1 on a socket, no SDK middleware): the full
 * SDK client spends more CPU per call than the control plane does, and on a 2-core machine, where the two
 * processes share the cores, it would measure itself.
 *
 * Settings come from the environment (the secret must not appear in a process list):
 * TENDER_LOAD = JSON {endpoint, region, accessKeyId, secretAccessKey, target, body, connections, seconds, warmupSeconds}.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface LoadSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** X-Amz-Target, e.g. AmazonSSM.GetParameter. */
  target: string;
  body: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  /** Latencies of the measured requests, ms, sorted: p50, p90, p99, max. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** The load generator's own CPU time over the measured window, as a share of one core. */
  cpuShare: number;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** SigV4 as the SDK does it, for one fixed POST / call: the signing key is derived once per day, as SDKs cache it. */
function signer(settings: LoadSettings, host: string): (body: string) => Promise<Record<string, string>> {
  const sigv4 = new SignatureV4({
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    region: settings.region,
    service: 'ssm',
    sha256: Sha256,
  });
  return async (body) => {
    const signed = await sigv4.sign({ method: 'POST', protocol: 'http:', hostname: host, path: '/', query: {}, headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': settings.target }, body });
    return signed.headers;
  };
}

/**
 * One keep-alive HTTP/1.1 connection that sends a request, reads the whole response (Content-Length framed, as
 * node:http answers), and only then sends the next: what wrk and autocannon do, at a fraction of node:http's
 * client cost, so that the figure is the server's.
 */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve(status: number): void; reject(error: Error): void } | undefined;
  private readonly socket: net.Socket;

  constructor(port: number, host: string) {
    this.socket = net.connect({ port, host, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  request(head: string, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(head + body);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.subarray(0, headEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < headEnd + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffer.subarray(headEnd + 4, headEnd + 4 + length).toString();
    this.buffer = this.buffer.subarray(headEnd + 4 + length);
    const waiting = this.waiting;
    this.waiting = undefined;
    if (status === 200) waiting?.resolve(status);
    else waiting?.reject(new Error(`HTTP ${status}: ${body}`));
  }
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.TENDER_LOAD ?? '') as LoadSettings;
  const url = new URL(settings.endpoint);
  const port = url.port ? Number(url.port) : 80;
  const sign = signer(settings, url.host);
  const body = settings.body;
  const connections = Array.from({ length: settings.connections }, () => new Connection(port, url.hostname));

  async function call(connection: Connection): Promise<number> {
    const headers = await sign(body);
    let head = 'POST / HTTP/1.1\r\n';
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return connection.request(head, body);
  }

  const latencies = new Float64Array(4_000_000);
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let measuring = false;
  let stop = false;
  async function worker(connection: Connection): Promise<void> {
    while (!stop) {
      const started = performance.now();
      try {
        await call(connection);
        if (measuring && requests < latencies.length) latencies[requests++] = performance.now() - started;
      } catch (error) {
        firstError ??= (error as Error).message;
        if (measuring) errors += 1;
        else stop = true; // a failing warm-up means a misconfigured run: say so rather than measure errors
      }
    }
  }
  const workers = connections.map((connection) => worker(connection));
  await new Promise((resolve) => setTimeout(resolve, settings.warmupSeconds * 1000));
  if (stop) {
    await Promise.all(workers);
    throw new Error(`the warm-up calls fail: ${firstError}`);
  }
  firstError = undefined;
  measuring = true;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, settings.seconds * 1000));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  stop = true;
  await Promise.all(workers);
  for (const connection of connections) connection.close();
  const sorted = latencies.subarray(0, requests).sort();
  const result: LoadResult = {
    requests,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    cpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
