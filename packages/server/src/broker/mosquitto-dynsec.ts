/**
 * BrokerAdmin for an external Mosquitto (2.0+) through its dynamic-security plugin.
 *
 * Commands are JSON published to `$CONTROL/dynamic-security/v1` as `{"commands": [...]}`; the plugin handles every
 * command of a message in order, applies it (and saves its config file) before answering, and publishes ONE answer
 * message `{"responses": [...]}` to `$CONTROL/dynamic-security/v1/response`. That topic is shared by every admin
 * client of the broker, so each command carries a unique `correlationData` that the plugin echoes back.
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
  /** How long to wait for the broker's answer to one request (default 5000 ms). */
  timeoutMs?: number;
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

interface Pending {
  resolve(response: DynsecResponse): void;
  reject(err: Error): void;
}

/** Request/response over $CONTROL/dynamic-security/v1 on a client this class does not own. */
class DynsecChannel {
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = randomUUID();
  private seq = 0;
  private subscribed: Promise<void> | undefined;
  private closed = false;
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
      const waiter = this.pending.get(item.correlationData);
      if (!waiter) continue; // another admin's answer, or one that came after our timeout
      this.pending.delete(item.correlationData);
      const response: DynsecResponse = { command: item.command, correlationData: item.correlationData };
      if (typeof item.error === 'string') response.error = item.error;
      if ('data' in item) response.data = item.data;
      waiter.resolve(response);
    }
  };

  constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {
    client.on('message', this.onMessage);
  }

  private get username(): string {
    return this.client.options.username ?? '(anonymous)';
  }

  private timeoutError(command: string): Error {
    return new DynsecTimeoutError(
      `Mosquitto did not answer the dynamic-security command ${command} within ${this.timeoutMs} ms: ` +
        `is the dynamic-security plugin loaded and is ${this.username} allowed on $CONTROL/dynamic-security/#?`,
    );
  }

  private async withTimeout<T>(work: Promise<T>, command: () => string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(this.timeoutError(command())), this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private ensureSubscribed(command: string): Promise<void> {
    if (!this.subscribed) {
      const attempt = this.withTimeout(this.client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 0 }), () => command).then(
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

  /** Sends the commands in one message; resolves with their responses in order (errors included, not thrown). */
  async execute(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    if (this.closed) throw new Error('the Mosquitto dynamic-security admin is closed');
    if (commands.length === 0) return [];
    await this.ensureSubscribed(commands[0].command);
    const ids = commands.map(() => `${this.prefix}:${++this.seq}`);
    const waits = ids.map(
      (id) => new Promise<DynsecResponse>((resolve, reject) => this.pending.set(id, { resolve, reject })),
    );
    const firstUnanswered = (): string => commands[Math.max(0, ids.findIndex((id) => this.pending.has(id)))].command;
    const payload = JSON.stringify({ commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) });
    try {
      return await this.withTimeout(
        (async () => {
          try {
            // QoS 1: with MQTT 5 a denied publish comes back as a PUBACK reason code instead of a silent drop.
            await this.client.publishAsync(DYNSEC_REQUEST_TOPIC, payload, { qos: 1 });
          } catch (err) {
            throw new Error(
              `Mosquitto refused the dynamic-security command ${commands.map((c) => c.command).join(', ')} ` +
                `from ${this.username} (${errorText(err)}): is it allowed on $CONTROL/dynamic-security/#?`,
            );
          }
          return Promise.all(waits);
        })(),
        firstUnanswered,
      );
    } finally {
      for (const id of ids) this.pending.delete(id);
      // Every wait is settled or abandoned here; keep abandoned ones from surfacing as unhandled rejections.
      for (const wait of waits) wait.catch(() => undefined);
    }
  }

  /** Stops listening; leaves the client connected and subscribed (other users of the client may share the topic). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.off('message', this.onMessage);
    for (const waiter of this.pending.values()) waiter.reject(new Error('the Mosquitto dynamic-security admin was closed'));
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
    this.channel = new DynsecChannel(client, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
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
  const channel = new DynsecChannel(client, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
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
