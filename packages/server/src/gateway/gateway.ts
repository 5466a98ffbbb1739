import { createMessage, MAX_AGENT_UPLOAD_ENVELOPE_BYTES, openEnvelope, ReplayGuard, signEnvelope, topics, type KnownKey, type Message, type MessageType, type RejectReason } from '@tender/protocol';
import type { ServerIdentity } from '../identity/server-identity.js';
import type { Logger } from 'pino';
import type { BrokerLink } from './broker-link.js';

export interface GatewayOptions {
  /** What carries the bytes: an MQTT client of an external broker, or an in-process link to the embedded one. */
  link: BrokerLink;
  identity: ServerIdentity;
  /** The public key of an instance's signatures; the key id of an agent is its instance id. */
  agentKey(keyId: string): KnownKey | undefined;
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
 * The MQTT side of the control plane: through its broker link it reads every agent's `up` topic, verifies
 * each envelope (size, shape, key, signature, sender, recipient, time, replay — see @tender/protocol), and
 * hands only verified messages to the handler registered for their type. Anything that fails is dropped,
 * counted and reported, never acted on. It also signs and sends messages down to agents.
 */
export class Gateway {
  private started = false;
  /** Messages being handled (receive() never rejects: a handler's failure is logged there). */
  private readonly handling = new Set<Promise<void>>();
  private readonly guard: ReplayGuard;
  private readonly handlers = new Map<string, MessageHandler>();

  constructor(private readonly options: GatewayOptions) {
    this.guard = new ReplayGuard({ windowMs: options.skewMs });
  }

  on(type: MessageType, handler: MessageHandler): void {
    this.handlers.set(type, handler);
  }

  async start(): Promise<void> {
    await this.options.link.start((topic, payload) => {
      const handling = this.receive(topic, payload);
      this.handling.add(handling);
      void handling.finally(() => this.handling.delete(handling));
    });
    this.started = true;
  }

  get connected(): boolean {
    return this.options.link.connected;
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
    if (!this.started) throw new Error('the gateway is not started');
    const message = createMessage({ type, from: this.options.identity.id, to: instanceId, body });
    const bytes = signEnvelope(message, this.options.identity.id, this.options.identity.signing.secretKey);
    await this.options.link.publish(topics.down(instanceId), bytes);
    return message;
  }

  /** Stops taking messages, then waits for the handling of those already taken (their writes, say) to end. */
  async stop(): Promise<void> {
    this.started = false;
    await this.options.link.stop();
    await Promise.allSettled([...this.handling]);
  }
}
