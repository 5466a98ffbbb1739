import { createMessage, MAX_AGENT_UPLOAD_ENVELOPE_BYTES, openEnvelope, ReplayGuard, signEnvelope, topics, type KnownKey, type Message, type MessageType, type RejectReason } from '@tender/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { ServerIdentity } from '../identity/server-identity.js';
import type { Logger } from 'pino';

export interface GatewayOptions {
  /** Where the control plane's privileged client connects. */
  url: string;
  username: string;
  password: string;
  ca?: string;
  identity: ServerIdentity;
  /** The public key of an instance's signatures; the key id of an agent is its instance id. */
  agentKey(keyId: string): KnownKey | undefined;
  /** Shared subscription group when several replicas share a broker that has them (Mosquitto 2). */
  shareGroup?: string;
  logger: Logger;
  onRejected(rejection: GatewayRejection): void;
  skewMs?: number;
}

export interface GatewayRejection {
  reason: RejectReason;
  detail: string;
  topic: string;
  claimedFrom?: string;
  keyId?: string;
  messageId?: string;
}

export type MessageHandler = (message: Message, instanceId: string) => Promise<void> | void;

/**
 * The MQTT side of the control plane: one privileged client that reads every agent's `up` topic, verifies
 * each envelope (size, shape, key, signature, sender, recipient, time, replay — see @tender/protocol), and
 * hands only verified messages to the handler registered for their type. Anything that fails is dropped,
 * counted and reported, never acted on. It also signs and sends messages down to agents.
 */
export class Gateway {
  private client: MqttClient | undefined;
  private readonly guard: ReplayGuard;
  private readonly handlers = new Map<string, MessageHandler>();

  constructor(private readonly options: GatewayOptions) {
    this.guard = new ReplayGuard({ windowMs: options.skewMs });
  }

  on(type: MessageType, handler: MessageHandler): void {
    this.handlers.set(type, handler);
  }

  async start(): Promise<void> {
    const { connect } = await import('mqtt');
    const clientOptions: IClientOptions = {
      clientId: `tender-cp-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      username: this.options.username,
      password: this.options.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    };
    const client = connect(this.options.url, clientOptions);
    this.client = client;
    // Without TCP_NODELAY, a result-ack published just after the PUBACK of the command-result it answers waited
    // for the broker's delayed ACK (up to 40 ms) on every command. Each (re)connection has a new socket.
    client.on('connect', () => (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true));
    client.on('message', (topic, payload) => void this.receive(topic, payload));
    client.on('error', (error) => this.options.logger.warn({ err: error.message }, 'broker connection error'));
    client.on('offline', () => this.options.logger.warn({ url: this.options.url }, 'lost the broker; reconnecting'));
    const subscription = this.options.shareGroup ? topics.sharedAllUp(this.options.shareGroup) : topics.allUp;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => reject(new Error(`cannot connect to the MQTT broker at ${this.options.url}: ${error.message}`));
      client.once('error', fail);
      client.once('connect', () => {
        client.off('error', fail);
        client.subscribe(subscription, { qos: 1 }, (error, granted) => {
          if (error) return reject(error);
          if (granted?.some((g) => g.qos === 128)) return reject(new Error(`the broker refused the control plane's subscription to ${subscription}: check its ACL`));
          resolve();
        });
      });
    });
    // Re-subscribe after a reconnect with a clean session.
    client.on('connect', (connack) => {
      if (!connack.sessionPresent) client.subscribe(subscription, { qos: 1 });
    });
  }

  /** The privileged client itself, for broker administration over MQTT (Mosquitto's dynamic security). */
  get mqttClient(): MqttClient {
    if (!this.client) throw new Error('the gateway is not started');
    return this.client;
  }

  get connected(): boolean {
    return Boolean(this.client?.connected);
  }

  private async receive(topic: string, payload: Buffer): Promise<void> {
    const where = topics.parse(topic);
    if (!where || where.direction !== 'up') return;
    const result = openEnvelope(payload, {
      me: this.options.identity.id,
      keys: this.options.agentKey,
      guard: this.guard,
      skewMs: this.options.skewMs,
      // Agents' uploads (a full inventory) outgrow the default 128 KiB; the broker authenticated the publisher.
      maxBytes: MAX_AGENT_UPLOAD_ENVELOPE_BYTES,
      // A Last Will is signed when its connection opens and published when it dies; its session id (checked
      // by the handler against the session the agent announced) is what keeps an old one from counting.
      acceptStale: (message) => message.type === 'will',
    });
    if (!result.ok) {
      this.options.onRejected({ reason: result.reason, detail: result.detail, topic, claimedFrom: result.from, keyId: result.keyId, messageId: result.messageId });
      return;
    }
    const { message } = result;
    if (message.from !== where.instanceId) {
      // Signed by a real agent, but arriving on another agent's topic: not to be trusted as either.
      this.options.onRejected({ reason: 'wrong_sender', detail: `message from ${message.from} arrived on ${topic}`, topic, claimedFrom: message.from, keyId: result.keyId, messageId: message.id });
      return;
    }
    const handler = this.handlers.get(message.type);
    if (!handler) {
      this.options.logger.warn({ type: message.type, from: message.from }, 'no handler for message type; ignored');
      return;
    }
    try {
      await handler(message, where.instanceId);
    } catch (error) {
      this.options.logger.error({ err: (error as Error).message, type: message.type, from: message.from }, 'handling a message failed');
    }
  }

  /** Sign and send a message to one agent (QoS 1); resolves once the broker has taken it. */
  async send<B>(instanceId: string, type: MessageType, body: B): Promise<Message<B>> {
    const client = this.client;
    if (!client) throw new Error('the gateway is not started');
    const message = createMessage({ type, from: this.options.identity.id, to: instanceId, body });
    const bytes = signEnvelope(message, this.options.identity.id, this.options.identity.signing.secretKey);
    await new Promise<void>((resolve, reject) => client.publish(topics.down(instanceId), bytes, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
    return message;
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (client) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
}
