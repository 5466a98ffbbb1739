/**
 * BrokerAdmin for an external Mosquitto (2.0+) through its dynamic-security plugin.
 *
 * Commands are JSON published to `$CONTROL/dynamic-security/v1` as `{"commands": [...]}`; the plugin handles every
 * command of a message in order, applies it (and saves its config file) before answering, and publishes ONE answer
 * message `{"responses": [...]}` to `$CONTROL/dynamic-security/v1/response`. That topic is shared by every admin
 * client of the broker, so each command carries a unique `correlationData` that the plugin echoes back.
 *
 * Under load (many registrations at once) calls are batched: one message in flight, the calls made meanwhile sent
 * together in the next one (see DynsecChannel). Mosquitto 2.0 rewrites its whole JSON file after every changing
 * command, so a new agent (createRole + createClient) costs two rewrites of a file that grows with the fleet: bulk
 * registration is bounded by the broker's CPU, O(agents²) (Mosquitto 2.1 saves once per tick instead).
 *
 * Each agent gets a role `tender-agent-<id>` and a client (username) `<id>` holding that role:
 *   publishClientSend    tender/v1/i/<id>/up    allow   (its Last Will is checked against this too)
 *   subscribeLiteral     tender/v1/i/<id>/down  allow   (exact filter only: no `+`/`#` subscriptions)
 *   publishClientReceive tender/v1/i/<id>/down  allow   (needed because ensureDynsecDefaults denies receive)
 *   unsubscribeLiteral   tender/v1/i/<id>/down  allow
 * Everything else falls through to the default access, which ensureDynsecDefaults sets to deny.
 *
 * Mosquitto 2.0 behaviour this relies on (checked against 2.0.11, plugins/dynamic-security):
 * - deleteClient, disableClient, setClientPassword, modifyClient, addClientRole and removeClientRole kick every live
 *   connection of that username (without sending its will); deleteRole, addRoleACL and removeRoleACL kick every
 *   client holding the role. So upsertAgent on an existing account kicks its live connection, and removeAgent
 *   kicks it without a separate disableClient.
 * - Granting a role or ACL to the admin user itself kicks the admin connection (the answer is then lost): provision
 *   the control plane's own access before it connects (see test/support/mosquitto.ts).
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { BrokerAdmin } from './broker-admin.js';

export const DYNSEC_REQUEST_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

const DEFAULT_TIMEOUT_MS = 5000;
/**
 * Mosquitto 2.0's plugin rewrites its whole JSON file after EVERY changing command (not once per message), so a
 * command costs time in proportion to the accounts it holds: ~12 ms each at 1,000 agents on a small VM.
 */
const DEFAULT_PER_COMMAND_MS = 100;
/** Calls waiting while a message is in flight go out together, up to this many commands in one message. */
const DEFAULT_MAX_BATCH_COMMANDS = 256;
const INSTANCE_ID = /^mi-[0-9a-f]{17}$/;

export type DynsecAclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface DynsecAcl {
  acltype: DynsecAclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

/** One dynamic-security command; `correlationData` is set by the sender. */
export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  correlationData?: string;
  data?: unknown;
}

export interface MosquittoDynsecOptions {
  /**
   * How long to wait for the broker's answer to one message, plus `perCommandMs` for each command in it
   * (defaults 5000 ms and 100 ms). Time spent queued behind an earlier message does not count.
   */
  timeoutMs?: number;
  perCommandMs?: number;
  /** The most commands one message carries when queued calls are sent together (default 256). */
  maxBatchCommands?: number;
}

export function agentRoleName(instanceId: string): string {
  return `tender-agent-${instanceId}`;
}

export function agentRoleAcls(instanceId: string): DynsecAcl[] {
  const up = `tender/v1/i/${instanceId}/up`;
  const down = `tender/v1/i/${instanceId}/down`;
  return [
    { acltype: 'publishClientSend', topic: up, allow: true },
    { acltype: 'subscribeLiteral', topic: down, allow: true },
    { acltype: 'publishClientReceive', topic: down, allow: true },
    { acltype: 'unsubscribeLiteral', topic: down, allow: true },
  ];
}

function assertInstanceId(instanceId: string): void {
  // The id becomes part of topic filters and ACLs: refuse anything that could widen them (`+`, `#`, `/`).
  if (!INSTANCE_ID.test(instanceId)) {
    throw new Error(`invalid managed-instance id ${JSON.stringify(instanceId)}: expected mi- and 17 lowercase hex digits`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class DynsecTimeoutError extends Error {}

/** One caller's commands, answered with its own slice of a message's responses. */
interface Call {
  commands: readonly DynsecCommand[];
  resolve(responses: DynsecResponse[]): void;
  reject(err: Error): void;
}

/**
 * Request/response over $CONTROL/dynamic-security/v1 on a client this class does not own.
 *
 * The plugin handles messages one at a time, so sending one message per call only makes calls queue inside the
 * broker, where each one's timer runs while it waits for the ones ahead. Instead one message is in flight at a
 * time, the calls made meanwhile wait here and then go out together in one message (each call's commands kept
 * together and in order), and a message's timer starts when it is sent and allows for its size.
 */
class DynsecChannel {
  /** Correlation id → where its response goes, for the message in flight only. */
  private readonly pending = new Map<string, (response: DynsecResponse) => void>();
  private readonly queue: Call[] = [];
  private inFlight: Call[] | undefined;
  /** Ends the message in flight early (close). */
  private abortInFlight: ((err: Error) => void) | undefined;
  private readonly prefix = randomUUID();
  private seq = 0;
  private subscribed: Promise<void> | undefined;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly perCommandMs: number;
  private readonly maxBatchCommands: number;
  /** The broker's recent pace (ms per command of the last messages, decaying): it slows as its file grows. */
  private observedPerCommandMs = 0;
  private readonly onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (!isRecord(parsed) || !Array.isArray(parsed.responses)) return;
    for (const item of parsed.responses as unknown[]) {
      if (!isRecord(item) || typeof item.correlationData !== 'string' || typeof item.command !== 'string') continue;
      const deliver = this.pending.get(item.correlationData);
      if (!deliver) continue; // another admin's answer, or one that came after our timeout
      this.pending.delete(item.correlationData);
      const response: DynsecResponse = { command: item.command, correlationData: item.correlationData };
      if (typeof item.error === 'string') response.error = item.error;
      if ('data' in item) response.data = item.data;
      deliver(response);
    }
  };

  constructor(
    private readonly client: MqttClient,
    options: MosquittoDynsecOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.perCommandMs = options.perCommandMs ?? DEFAULT_PER_COMMAND_MS;
    this.maxBatchCommands = Math.max(1, options.maxBatchCommands ?? DEFAULT_MAX_BATCH_COMMANDS);
    client.on('message', this.onMessage);
  }

  private get username(): string {
    return this.client.options.username ?? '(anonymous)';
  }

  private timeoutError(command: string, ms: number, commands: number): Error {
    return new DynsecTimeoutError(
      `Mosquitto did not answer the dynamic-security command ${command} within ${ms} ms` +
        `${commands > 1 ? ` (one message of ${commands} commands)` : ''}: ` +
        `is the dynamic-security plugin loaded and is ${this.username} allowed on $CONTROL/dynamic-security/#?`,
    );
  }

  private closedError(commands: readonly DynsecCommand[]): Error {
    return new Error(
      `the Mosquitto dynamic-security admin was closed before Mosquitto answered ${commands.map((c) => c.command).join(', ')}`,
    );
  }

  private ensureSubscribed(command: string): Promise<void> {
    if (!this.subscribed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(this.timeoutError(command, this.timeoutMs, 1)), this.timeoutMs);
      });
      const attempt = Promise.race([this.client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 0 }), timeout])
        .finally(() => clearTimeout(timer))
        .then(
          () => undefined,
          (err: unknown) => {
            this.subscribed = undefined; // let a later call try again
            if (err instanceof DynsecTimeoutError) throw err;
            throw new Error(
              `cannot subscribe to ${DYNSEC_RESPONSE_TOPIC} as ${this.username} (${errorText(err)}): ` +
                `is ${this.username} allowed on $CONTROL/dynamic-security/#?`,
            );
          },
        );
      this.subscribed = attempt;
    }
    return this.subscribed;
  }

  /**
   * Sends the commands in one message (possibly together with other calls' commands); resolves with their
   * responses in order (errors included, not thrown). Rejects, for this call only, on a timeout, a refused
   * publish or close().
   */
  execute(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    if (this.closed) return Promise.reject(new Error('the Mosquitto dynamic-security admin is closed'));
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ commands, resolve, reject });
      this.sendNext();
    });
  }

  /** Starts the next message if none is in flight: the queued calls, up to maxBatchCommands (at least one call). */
  private sendNext(): void {
    if (this.inFlight || this.closed || this.queue.length === 0) return;
    const calls: Call[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Call;
      if (calls.length > 0 && size + next.commands.length > this.maxBatchCommands) break;
      calls.push(next);
      size += next.commands.length;
      this.queue.shift();
    }
    this.inFlight = calls;
    void this.send(calls).finally(() => {
      this.inFlight = undefined;
      this.sendNext();
    });
  }

  /** Never rejects: every outcome goes to the calls. */
  private async send(calls: Call[]): Promise<void> {
    const commands = calls.flatMap((call) => call.commands);
    try {
      await this.ensureSubscribed((commands[0] as DynsecCommand).command);
      const responses = await this.roundTrip(commands);
      let at = 0;
      for (const call of calls) {
        call.resolve(responses.slice(at, at + call.commands.length));
        at += call.commands.length;
      }
    } catch (err) {
      for (const call of calls) call.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private roundTrip(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    if (this.closed) return Promise.reject(this.closedError(commands));
    return new Promise((resolve, reject) => {
      const ids = commands.map(() => `${this.prefix}:${++this.seq}`);
      const responses: Array<DynsecResponse | undefined> = new Array(commands.length);
      let unanswered = commands.length;
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.abortInFlight = undefined;
        for (const id of ids) this.pending.delete(id);
        if (err) reject(err);
        else resolve(responses as DynsecResponse[]);
      };
      // Allow for the message's size, at the configured pace or at four times the pace the broker has shown
      // lately, whichever is slower: each changing command costs more as the broker's file grows.
      const budget = Math.round(this.timeoutMs + commands.length * Math.max(this.perCommandMs, 4 * this.observedPerCommandMs));
      const sentAt = performance.now();
      const timer = setTimeout(() => {
        const first = Math.max(0, responses.findIndex((r) => r === undefined));
        finish(this.timeoutError((commands[first] as DynsecCommand).command, budget, commands.length));
      }, budget);
      this.abortInFlight = finish;
      ids.forEach((id, i) =>
        this.pending.set(id, (response) => {
          if (responses[i] !== undefined) return;
          responses[i] = response;
          if (--unanswered > 0) return;
          const pace = (performance.now() - sentAt) / commands.length;
          this.observedPerCommandMs = Math.max(pace, this.observedPerCommandMs * 0.9);
          finish();
        }),
      );
      const payload = JSON.stringify({ commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) });
      // QoS 1: with MQTT 5 a denied publish comes back as a PUBACK reason code instead of a silent drop. The
      // answer may arrive before or after the PUBACK; either order is fine.
      this.client.publishAsync(DYNSEC_REQUEST_TOPIC, payload, { qos: 1 }).catch((err: unknown) =>
        finish(
          new Error(
            `Mosquitto refused the dynamic-security command ${[...new Set(commands.map((c) => c.command))].join(', ')} ` +
              `from ${this.username} (${errorText(err)}): is it allowed on $CONTROL/dynamic-security/#?`,
          ),
        ),
      );
    });
  }

  /**
   * Stops listening and fails every call not yet answered, each with its own error; leaves the client connected
   * and subscribed (other users of the client may share the topic).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.off('message', this.onMessage);
    const waiting = [...(this.inFlight ?? []), ...this.queue.splice(0)];
    for (const call of waiting) call.reject(this.closedError(call.commands));
    this.abortInFlight?.(new Error('the Mosquitto dynamic-security admin was closed'));
    this.pending.clear();
  }
}

interface Step {
  command: DynsecCommand;
  /** A broker error text that means "already in the wanted state". */
  ignore?: string;
}

/**
 * Drives Mosquitto's dynamic-security plugin with the control plane's privileged client (already connected, not
 * owned: close() leaves it connected). The client's user needs the plugin's admin rights on
 * `$CONTROL/dynamic-security/#` (send, receive, subscribe).
 */
export class MosquittoDynsecAdmin implements BrokerAdmin {
  private readonly channel: DynsecChannel;

  constructor(client: MqttClient, options: MosquittoDynsecOptions = {}) {
    this.channel = new DynsecChannel(client, options);
  }

  /** Creates the agent's role and client, replacing (and kicking) any previous account of that id. */
  async upsertAgent(instanceId: string, password: string): Promise<void> {
    assertInstanceId(instanceId);
    if (typeof password !== 'string' || password.length === 0) throw new Error(`empty broker password for ${instanceId}`);
    const rolename = agentRoleName(instanceId);
    // One message: the plugin runs these in order without interleaving other admins' commands.
    await this.run(`agent ${instanceId}`, [
      { command: { command: 'deleteClient', username: instanceId }, ignore: 'Client not found' },
      { command: { command: 'deleteRole', rolename }, ignore: 'Role not found' },
      {
        command: {
          command: 'createRole',
          rolename,
          textname: `Tender agent ${instanceId}`,
          acls: agentRoleAcls(instanceId),
        },
      },
      {
        command: {
          command: 'createClient',
          username: instanceId,
          password,
          textname: `Tender agent ${instanceId}`,
          roles: [{ rolename, priority: 0 }],
        },
      },
    ]);
  }

  /** Deletes the agent's client (which kicks its live connections) and role; removing a missing agent is a no-op. */
  async removeAgent(instanceId: string): Promise<void> {
    assertInstanceId(instanceId);
    await this.run(`agent ${instanceId}`, [
      { command: { command: 'deleteClient', username: instanceId }, ignore: 'Client not found' },
      { command: { command: 'deleteRole', rolename: agentRoleName(instanceId) }, ignore: 'Role not found' },
    ]);
  }

  /** Sends raw dynamic-security commands in one message; throws if any of them reports an error. */
  async execute(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    return this.run('request', commands.map((command) => ({ command })));
  }

  async close(): Promise<void> {
    this.channel.close();
  }

  private async run(subject: string, steps: readonly Step[]): Promise<DynsecResponse[]> {
    const responses = await this.channel.execute(steps.map((s) => s.command));
    const failures: string[] = [];
    responses.forEach((response, i) => {
      const step = steps[i];
      if (response.error !== undefined && response.error !== step.ignore) {
        failures.push(`${step.command.command}: ${JSON.stringify(response.error)}`);
      }
    });
    if (failures.length > 0) {
      throw new Error(`Mosquitto dynamic-security refused the change to ${subject}: ${failures.join('; ')}`);
    }
    return responses;
  }
}

/**
 * Makes everything that no role grants denied: publishing, receiving and subscribing (unsubscribing stays allowed).
 * Mosquitto's own defaults leave receiving open; after this call a user receives only topics one of its roles grants
 * with publishClientReceive (the agent roles above do, and the `admin` role made by `mosquitto_ctrl dynsec init`
 * grants `#`). Does not kick anyone.
 */
export async function ensureDynsecDefaults(client: MqttClient, options: MosquittoDynsecOptions = {}): Promise<void> {
  const channel = new DynsecChannel(client, options);
  try {
    const [response] = await channel.execute([
      {
        command: 'setDefaultACLAccess',
        acls: [
          { acltype: 'publishClientSend', allow: false },
          { acltype: 'publishClientReceive', allow: false },
          { acltype: 'subscribe', allow: false },
          { acltype: 'unsubscribe', allow: true },
        ],
      },
    ]);
    if (response?.error !== undefined) {
      throw new Error(`Mosquitto dynamic-security refused setDefaultACLAccess: ${JSON.stringify(response.error)}`);
    }
  } finally {
    channel.close();
  }
}
