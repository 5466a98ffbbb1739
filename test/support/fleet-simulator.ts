/**
 * A fleet of simulated agents in ONE process, over the real protocol and the real broker:
 *   - each registers for real (POST /tender/v1/register through registerAgent, its own key pairs, its own state
 *     dir in a temp dir), through a bounded pool;
 *   - each opens its own MQTT connection (mqtt.js, clientId = username = instance id, the password it was given),
 *     with a signed Last Will, subscribes to its `down` topic and says hello, signed as the real agent does
 *     (createMessage + signEnvelope, `to` = the control plane's id), then heartbeats at the period it was given;
 *   - each verifies every message against the pinned control-plane key (openEnvelope + its own ReplayGuard) and
 *     answers a `command` cheaply, running nothing: `command-ack`, then `command-result` Success with one step that
 *     printed "hi\n". `result-ack` is counted; `cancel` is answered with a Cancelled result.
 * Later capabilities reuse it: pass `onCommand` to answer differently.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { registerAgent, type AgentIdentityFile } from '@tender/agent';
import {
  createMessage,
  fromBase64,
  openEnvelope,
  ReplayGuard,
  signEnvelope,
  topics,
  type CommandAckBody,
  type CommandBody,
  type CommandResultBody,
  type Message,
  type MessageType,
  type PlatformInfo,
  type PresenceBody,
  type SessionEndBody,
} from '@tender/protocol';

interface ActivationCredentials {
  id: string;
  code: string;
}

export interface FleetOptions {
  size: number;
  /** The control plane's API, e.g. http://127.0.0.1:8700. */
  endpoint: string;
  /** The activation the agents register with; several take turns (SSM caps one activation at 1,000 registrations). */
  activation: ActivationCredentials | readonly ActivationCredentials[];
  /** Overrides the broker URL the control plane handed out at registration. */
  brokerUrl?: string;
  /** Parallel registrations (default 32) and parallel connection attempts (default 100). */
  registerConcurrency?: number;
  connectConcurrency?: number;
  /** Bounds for registration and connection, each (default 120 s). */
  timeoutMs?: number;
  /** The result a simulated agent gives for a command (default: Success, one step printing "hi\n"). */
  onCommand?: (instanceId: string, body: CommandBody) => CommandResultBody;
  /** Every verified message of another type (State Manager's `associations`, `association-run-now`, ...). */
  onMessage?: (instanceId: string, message: Message) => void;
}

export interface FleetStats {
  commandsReceived: number;
  resultsSent: number;
  resultAcks: number;
  rejected: number;
  /** performance.now() of the first `command` received and of the last `command-result` acknowledged by the broker. */
  firstCommandAt?: number;
  lastResultAt?: number;
}

export interface Fleet {
  instanceIds: string[];
  /** Milliseconds spent registering all agents, and then connecting them (to SUBACK + hello published). */
  timings: { registerMs: number; connectMs: number };
  stats: FleetStats;
  /** Zero the counters (between runs). */
  resetStats(): void;
  /** Publish a signed message as this simulated agent (QoS 1; resolves once the broker has it). */
  send<B>(instanceId: string, type: MessageType, body: B): Promise<void>;
  /** What this simulated agent got at registration (its keys, the pinned control-plane keys). */
  identity(instanceId: string): AgentIdentityFile;
  stop(): Promise<void>;
}

interface SimAgent {
  id: string;
  identity: AgentIdentityFile;
  secretKey: Uint8Array;
  controlPlaneKey: Uint8Array;
  guard: ReplayGuard;
  sid: string;
  client?: MqttClient;
}

function info(id: string): PlatformInfo {
  return { PlatformType: 'Linux', PlatformName: 'Simulated', PlatformVersion: '1', AgentVersion: '0.0.0-sim', ComputerName: id, IPAddress: '127.0.0.1', Architecture: 'x86_64' };
}

/** Run `task` over `items` with at most `limit` at once; after the first failure no further item is started. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (error) {
        failed = true; // the others finish what they started, so nothing runs on after the caller gave up
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms))),
  ]);
}

function defaultResult(_instanceId: string, body: CommandBody): CommandResultBody {
  const now = new Date().toISOString();
  return {
    commandId: body.commandId,
    status: 'Success',
    responseCode: 0,
    startedAt: now,
    endedAt: now,
    steps: [{ name: 'aws:runShellScript', action: 'aws:runShellScript', status: 'Success', responseCode: 0, startedAt: now, endedAt: now, stdout: { preview: 'hi\n', bytes: 3 }, stderr: { preview: '', bytes: 0 } }],
  };
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-fleet-'));
  const agents: SimAgent[] = [];
  const stats: FleetStats = { commandsReceived: 0, resultsSent: 0, resultAcks: 0, rejected: 0 };
  const onCommand = options.onCommand ?? defaultResult;
  const activations = Array.isArray(options.activation) ? options.activation : [options.activation as ActivationCredentials];
  let heartbeat: NodeJS.Timeout | undefined;
  let stopped = false;

  const sign = <B>(agent: SimAgent, type: MessageType, body: B): Buffer =>
    signEnvelope(createMessage({ type, from: agent.id, to: agent.identity.controlPlane.id, body }), agent.id, agent.secretKey);
  const publish = <B>(agent: SimAgent, type: MessageType, body: B): Promise<void> =>
    new Promise((resolve, reject) => {
      const client = agent.client;
      if (!client) return reject(new Error('not connected'));
      client.publish(topics.up(agent.id), sign(agent, type, body), { qos: 1 }, (error) => (error ? reject(error) : resolve()));
    });

  const receive = (agent: SimAgent, payload: Buffer): void => {
    const cpId = agent.identity.controlPlane.id;
    const opened = openEnvelope(payload, { me: agent.id, guard: agent.guard, keys: (keyId) => (keyId === cpId ? { publicKey: agent.controlPlaneKey, owner: cpId } : undefined) });
    if (!opened.ok) {
      stats.rejected++;
      return;
    }
    const message: Message = opened.message;
    switch (message.type) {
      case 'command': {
        stats.commandsReceived++;
        stats.firstCommandAt ??= performance.now();
        const body = message.body as CommandBody;
        const result = onCommand(agent.id, body);
        void publish<CommandAckBody>(agent, 'command-ack', { commandId: body.commandId, accepted: 'new' })
          .then(() => publish(agent, 'command-result', result))
          .then(() => {
            stats.resultsSent++;
            stats.lastResultAt = performance.now();
          })
          .catch(() => undefined);
        break;
      }
      case 'cancel': {
        const { commandId } = message.body as { commandId: string };
        const now = new Date().toISOString();
        void publish<CommandResultBody>(agent, 'command-result', { commandId, status: 'Cancelled', responseCode: -1, endedAt: now, steps: [] }).catch(() => undefined);
        break;
      }
      case 'result-ack':
        stats.resultAcks++;
        break;
      default:
        options.onMessage?.(agent.id, message);
        break;
    }
  };

  const connectAgent = (agent: SimAgent): Promise<void> =>
    new Promise((resolve, reject) => {
      const settings = agent.identity.transport.settings as { url: string; username: string; password: string };
      agent.sid = randomUUID();
      const client = connect(options.brokerUrl ?? settings.url, {
        clientId: agent.id,
        username: settings.username,
        password: settings.password,
        protocolVersion: 4,
        clean: false,
        keepalive: 60,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
        will: { topic: topics.up(agent.id), payload: sign<SessionEndBody>(agent, 'will', { sid: agent.sid }), qos: 1, retain: false },
      });
      agent.client = client;
      client.on('message', (_topic, payload) => receive(agent, payload));
      client.once('error', reject);
      client.once('connect', () => {
        client.subscribe(topics.down(agent.id), { qos: 1 }, (error) => {
          if (error) return reject(error);
          publish<PresenceBody>(agent, 'hello', { sid: agent.sid, info: info(agent.id) }).then(resolve, reject);
        });
      });
    });

  const stopAll = async () => {
    stopped = true;
    clearInterval(heartbeat);
    await pool(agents, 500, (agent) => new Promise<void>((resolve) => (agent.client ? agent.client.end(true, {}, () => resolve()) : resolve())));
    await fs.rm(work, { recursive: true, force: true });
  };

  try {
    const registerStarted = performance.now();
    const indexes = Array.from({ length: options.size }, (_, i) => i);
    const identities = await withTimeout(
      pool(indexes, options.registerConcurrency ?? 32, (i) => {
        const activation = activations[i % activations.length]!;
        return registerAgent({ endpoint: options.endpoint, activationId: activation.id, activationCode: activation.code, stateDir: path.join(work, `a${i}`) });
      }),
      timeoutMs,
      `registering ${options.size} simulated agents`,
    );
    const registerMs = performance.now() - registerStarted;
    for (const identity of identities) {
      agents.push({ id: identity.instanceId, identity, secretKey: fromBase64(identity.keys.signingSecretKey), controlPlaneKey: fromBase64(identity.controlPlane.publicKey), guard: new ReplayGuard(), sid: '' });
    }
    const connectStarted = performance.now();
    await withTimeout(pool(agents, options.connectConcurrency ?? 100, connectAgent), timeoutMs, `connecting ${options.size} simulated agents`);
    const connectMs = performance.now() - connectStarted;

    const seconds = identities[0]?.heartbeatSeconds ?? 60;
    heartbeat = setInterval(() => {
      if (stopped) return;
      for (const agent of agents) void publish<PresenceBody>(agent, 'heartbeat', { sid: agent.sid, info: info(agent.id) }).catch(() => undefined);
    }, seconds * 1000);
    heartbeat.unref();

    return {
      instanceIds: agents.map((a) => a.id),
      timings: { registerMs, connectMs },
      stats,
      resetStats() {
        Object.assign(stats, { commandsReceived: 0, resultsSent: 0, resultAcks: 0, rejected: 0, firstCommandAt: undefined, lastResultAt: undefined });
      },
      send: (instanceId, type, body) => {
        const agent = agents.find((candidate) => candidate.id === instanceId);
        return agent ? publish(agent, type, body) : Promise.reject(new Error(`no simulated agent ${instanceId}`));
      },
      identity: (instanceId) => {
        const agent = agents.find((candidate) => candidate.id === instanceId);
        if (!agent) throw new Error(`no simulated agent ${instanceId}`);
        return agent.identity;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
