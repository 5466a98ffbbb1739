/**
 * The client of `npm run bench -- run-command`, run as its own process, as an operator's SDK or CLI would be: it
 * calls SendCommand and GetCommandInvocation with the official @aws-sdk/client-ssm over loopback, and watches the
 * broker (with the control plane's broker credentials, subscribed to the agent's topics) to stamp when each
 * message crosses it and to know when to read the result. In the control plane's own process, the SDK's work
 * (a few milliseconds of CPU per call) ran on the event loop that was meant to be handling the agent's result,
 * and measured itself. It prints one JSON line with what it measured.
 *
 * Settings come from the environment (the secrets must not appear in a process list):
 * TENDER_RC_CLIENT = JSON {@link ClientSettings}.
 */
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { connect } from 'mqtt';
import { topics } from '@tender/protocol';

export interface ClientSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The agents to run commands on, in turn (run i goes to instanceIds[i % length]). */
  instanceIds: string[];
  broker: { url: string; username: string; password: string };
  runs: number;
  warmups: number;
  /** 0: read when the result crosses the broker (and every 50 ms in case that is missed); N: poll every N ms. */
  pollMs: number;
  timeoutMs: number;
}

export interface ClientResult {
  totals: number[];
  sendCalls: number[];
  agentSteps: number[];
  /** Message type → time it first crossed the broker after each SendCommand call, ms. */
  offsets: Record<string, number[]>;
}

const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);
const RUN_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(settings: ClientSettings): Promise<ClientResult> {
  const deadline = Date.now() + settings.timeoutMs;
  const ssm = new SSMClient({ region: settings.region, endpoint: settings.endpoint, credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }, maxAttempts: 1 });
  const observer = connect(settings.broker.url, { username: settings.broker.username, password: settings.broker.password, reconnectPeriod: 0, connectTimeout: 30_000 });
  await new Promise<void>((resolve, reject) => {
    observer.once('connect', () => resolve());
    observer.once('error', reject);
  });
  await observer.subscribeAsync(settings.instanceIds.flatMap((id) => [topics.up(id), topics.down(id)]), { qos: 0 });
  const wire = new Map<string, Map<string, number>>(); // commandId → message type → first seen
  const resulted = new Map<string, () => void>(); // commandId → wake the reader once its result is seen
  observer.on('message', (_topic, payload) => {
    const at = performance.now();
    try {
      const message = JSON.parse(JSON.parse(payload.toString('utf8')).m as string) as { type: string; body?: { commandId?: string } };
      const commandId = message.body?.commandId;
      if (!commandId) return;
      const marks = wire.get(commandId) ?? new Map<string, number>();
      wire.set(commandId, marks);
      if (!marks.has(message.type)) marks.set(message.type, at);
      if (message.type === 'command-result') resulted.get(commandId)?.();
    } catch {
      // not an envelope: ignore
    }
  });

  /** Resolves when the agent's result for the command has crossed the broker, or after `fallbackMs`. */
  const resultSent = (commandId: string, fallbackMs: number) =>
    new Promise<void>((resolve) => {
      if (wire.get(commandId)?.has('command-result')) return resolve();
      const timer = setTimeout(done, fallbackMs);
      function done(): void {
        clearTimeout(timer);
        resulted.delete(commandId);
        resolve();
      }
      resulted.set(commandId, done);
    });

  const roundTrip = async (instanceId: string) => {
    const started = performance.now();
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands: ['echo hi'] } }));
    const sendReturned = performance.now();
    const commandId = sent.Command?.CommandId ?? '';
    const by = started + RUN_TIMEOUT_MS;
    // GetCommandInvocation answers only once what it shows is stored; a call made at once would find Pending.
    if (settings.pollMs === 0) await resultSent(commandId, 50);
    for (;;) {
      const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
      const status = invocation?.Status ?? '';
      if (FINAL.has(status)) {
        const done = performance.now();
        if (status !== 'Success') throw new Error(`command ${commandId} ended ${status}: ${invocation?.StandardErrorContent ?? ''} ${invocation?.StatusDetails ?? ''}`);
        const start = Date.parse(invocation?.ExecutionStartDateTime ?? '');
        const end = Date.parse(invocation?.ExecutionEndDateTime ?? '');
        return { total: done - started, sendCall: sendReturned - started, agentStep: end - start, marks: wire.get(commandId) ?? new Map<string, number>(), started };
      }
      if (performance.now() > by) throw new Error(`command ${commandId} not final within ${RUN_TIMEOUT_MS} ms (last status ${status || 'unknown'})`);
      if (settings.pollMs > 0) await sleep(settings.pollMs);
      else await resultSent(commandId, 50);
    }
  };

  try {
    const ids = settings.instanceIds;
    for (let i = 0; i < settings.warmups * ids.length; i++) await roundTrip(ids[i % ids.length]!); // JIT, document cache, sockets
    const result: ClientResult = { totals: [], sendCalls: [], agentSteps: [], offsets: {} };
    for (let i = 0; i < settings.runs * ids.length && Date.now() < deadline; i++) {
      const r = await roundTrip(ids[i % ids.length]!);
      result.totals.push(r.total);
      result.sendCalls.push(r.sendCall);
      if (Number.isFinite(r.agentStep)) result.agentSteps.push(r.agentStep);
      for (const [type, at] of r.marks) (result.offsets[type] ??= []).push(at - r.started);
      await sleep(20); // let the tail (result-ack, the agent's spool write) pass before the next command
    }
    return result;
  } finally {
    observer.end(true);
    ssm.destroy();
  }
}

const settings = JSON.parse(process.env.TENDER_RC_CLIENT ?? 'null') as ClientSettings | null;
if (!settings) {
  console.error('run-command-client: TENDER_RC_CLIENT is not set (this script is started by `npm run bench -- run-command`)');
  process.exit(2);
}
main(settings).then(
  (result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  },
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    process.exit(1);
  },
);
