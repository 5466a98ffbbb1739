import { randomUUID } from 'node:crypto';
import type { Logger, Transport, TransportFactory } from '@tender/plugin-api';
import { createMessage, MAX_AGENT_UPLOAD_ENVELOPE_BYTES, openEnvelope, ReplayGuard, signEnvelope, type Message, type MessageType, type RejectReason } from '@tender/protocol';
import type { AgentIdentity } from '../identity/agent-identity.js';
import { gatherPlatformInfo, type PlatformInfo } from '../platform/platform-info.js';

export interface AgentOptions {
  identity: AgentIdentity;
  transport: TransportFactory;
  logger: Logger;
  /** Overrides the heartbeat period the control plane gave at registration (tests). */
  heartbeatSeconds?: number;
  gatherInfo?: () => Promise<PlatformInfo>;
}

/** Why the agent stopped by itself: the process exits with this. */
export interface AgentExit {
  code: number;
  reason: string;
}

/**
 * The largest message the agent takes from its control plane (4 MiB, as the control plane takes from an agent:
 * MAX_AGENT_UPLOAD_ENVELOPE_BYTES). An `associations` set carries every association's document: 50 associations of
 * AWS-GatherSoftwareInventory are about 170 KiB, beyond the protocol's 128 KiB default. The bound still matters
 * (messages are buffered whole), but only the control plane and broker-privileged clients can publish on an agent's
 * `down` topic, and nothing unsigned by the pinned key is acted on.
 */
const MAX_DOWN_ENVELOPE_BYTES = MAX_AGENT_UPLOAD_ENVELOPE_BYTES;

/** Agent-side rejections are reported to the control plane (for its audit trail), at most this often. */
const MAX_REPORTS_PER_MINUTE = 20;

/**
 * The running agent: connects through its transport, says hello with its platform facts, keeps a heartbeat,
 * and obeys only messages that pass verification against the control plane's pinned key. It knows no
 * transport: it is handed one.
 */
export class Agent {
  private transport: Transport | undefined;
  private readonly guard = new ReplayGuard();
  private sessionId = '';
  private pendingSessionId = '';
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  private exitResolve!: (exit: AgentExit) => void;
  /** Resolves when the agent stops by itself (deregistered, refused) or by stop(). */
  readonly exited: Promise<AgentExit> = new Promise((resolve) => (this.exitResolve = resolve));
  readonly rejected = new Map<RejectReason, number>();
  private reportWindow = { start: 0, count: 0 };
  private readonly handlers = new Map<string, (message: Message) => Promise<void> | void>();
  private readonly connectedListeners: Array<() => void> = [];
  private isConnected = false;

  constructor(private readonly options: AgentOptions) {
    this.handlers.set('deregistered', (message) => {
      const reason = String((message.body as { reason?: string })?.reason ?? 'deregistered');
      this.options.logger.error(`the control plane says: ${reason}. Stopping; register again to rejoin.`, { instanceId: this.instanceId });
      void this.stop({ code: 3, reason: `deregistered: ${reason}` });
    });
  }

  get instanceId(): string {
    return this.options.identity.file.instanceId;
  }

  /** Handle a verified message type (later capabilities: commands, associations, ...). */
  on(type: MessageType, handler: (message: Message) => Promise<void> | void): void {
    this.handlers.set(type, handler);
  }

  /** Whether the transport is connected now (a send() made while it is not waits for the connection). */
  get connected(): boolean {
    return this.isConnected;
  }

  /** Called after every (re)connection, once the hello is on its way. */
  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  private sign<B>(type: MessageType, body: B): Buffer {
    const { identity } = this.options;
    const message = createMessage({ type, from: this.instanceId, to: identity.file.controlPlane.id, body });
    return signEnvelope(message, this.instanceId, identity.signing.secretKey);
  }

  async send<B>(type: MessageType, body: B): Promise<void> {
    if (!this.transport) throw new Error('the agent is not started');
    await this.transport.send(this.sign(type, body));
  }

  start(): void {
    // A SIGTERM while the agent was still starting stopped it before it had a transport: connecting now would
    // leave a connection nobody closes, and the process would never exit.
    if (this.stopping) return;
    const { identity, logger } = this.options;
    const transport = this.options.transport.create({
      instanceId: this.instanceId,
      settings: identity.file.transport.settings,
      logger,
      lastWill: () => {
        // Each connection gets its own session id; the will names it so the control plane can tell a will
        // of the current connection from one of a connection long gone.
        this.pendingSessionId = randomUUID();
        return this.sign('will', { sid: this.pendingSessionId });
      },
    });
    this.transport = transport;
    let lastDisconnectLog = 0;
    let lastDisconnectKind: string | undefined;
    transport.onStatus((status) => {
      switch (status.state) {
        case 'connected':
          this.sessionId = this.pendingSessionId || randomUUID();
          this.isConnected = true;
          logger.info('connected to the control plane', { instanceId: this.instanceId });
          void this.sayHello();
          this.startHeartbeat();
          for (const listener of this.connectedListeners) listener();
          break;
        case 'disconnected': {
          this.isConnected = false;
          clearInterval(this.heartbeat);
          // Once every 30 s while it lasts, and at once when the reason changes (its figures aside).
          const kind = status.error?.replace(/\d+/g, 'N') ?? '';
          if (Date.now() - lastDisconnectLog > 30_000 || kind !== lastDisconnectKind) {
            lastDisconnectLog = Date.now();
            lastDisconnectKind = kind;
            logger.warn('not connected to the control plane; retrying', { error: status.error, retryInMs: status.retryInMs, attempt: status.attempt });
          }
          break;
        }
        case 'refused':
          this.isConnected = false;
          logger.error('the control plane refused this agent (was it deregistered?). Stopping; register again to rejoin.', { reason: status.reason });
          void this.stop({ code: 3, reason: status.reason });
          break;
      }
    });
    transport.onMessage((payload) => void this.receive(payload));
    transport.start();
  }

  private async sayHello(): Promise<void> {
    try {
      const info = await (this.options.gatherInfo ?? gatherPlatformInfo)();
      await this.send('hello', { sid: this.sessionId, info });
    } catch (error) {
      this.options.logger.warn('could not send hello', { err: (error as Error).message });
    }
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    // A connection that completes while stop() waits to say goodbye gets no heartbeat: its timer would keep the
    // process from ever exiting.
    if (this.stopping) return;
    const seconds = this.options.heartbeatSeconds ?? this.options.identity.file.heartbeatSeconds ?? 60;
    this.heartbeat = setInterval(() => {
      void (async () => {
        const info = await (this.options.gatherInfo ?? gatherPlatformInfo)();
        await this.send('heartbeat', { sid: this.sessionId, info });
      })().catch((error: unknown) => this.options.logger.debug('heartbeat not sent', { err: String(error) }));
    }, seconds * 1000);
  }

  private async receive(payload: Uint8Array): Promise<void> {
    const { identity, logger } = this.options;
    const result = openEnvelope(payload, {
      me: this.instanceId,
      guard: this.guard,
      maxBytes: MAX_DOWN_ENVELOPE_BYTES,
      keys: (keyId) => (keyId === identity.file.controlPlane.id ? { publicKey: identity.controlPlaneKey, owner: identity.file.controlPlane.id } : undefined),
    });
    if (!result.ok) {
      this.rejected.set(result.reason, (this.rejected.get(result.reason) ?? 0) + 1);
      logger.warn('refused a message: not acted on', { reason: result.reason, detail: result.detail, messageId: result.messageId });
      this.report(result.reason, result.detail, result.messageId);
      return;
    }
    const handler = this.handlers.get(result.message.type);
    if (!handler) {
      logger.warn('no handler for this message type; ignored', { type: result.message.type });
      return;
    }
    try {
      await handler(result.message);
    } catch (error) {
      logger.error('handling a message failed', { type: result.message.type, err: (error as Error).message });
    }
  }

  /**
   * A verified message whose content the agent refuses (a capability's own checks, e.g. an invalid associations
   * set): reported like a refused envelope, for the control plane's audit trail.
   */
  reportRejection(reason: RejectReason, detail: string, messageId?: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    this.report(reason, detail, messageId);
  }

  /** Tell the control plane (signed, rate-limited) that a message addressed to us was refused. */
  private report(reason: RejectReason, detail: string, messageId?: string): void {
    const now = Date.now();
    if (now - this.reportWindow.start > 60_000) this.reportWindow = { start: now, count: 0 };
    if (++this.reportWindow.count > MAX_REPORTS_PER_MINUTE) return;
    void this.send('rejection', { reason, detail, ...(messageId ? { messageId } : {}) }).catch(() => undefined);
  }

  async stop(exit: AgentExit = { code: 0, reason: 'stopped' }): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeat);
    const transport = this.transport;
    if (transport && exit.code === 0) {
      // A clean stop says goodbye so the control plane shows ConnectionLost at once (no will is sent on a
      // clean disconnect). Bounded: a dead broker must not keep the agent from stopping.
      await Promise.race([this.send('goodbye', { sid: this.sessionId }), new Promise((resolve) => setTimeout(resolve, 2000).unref())]).catch(() => undefined);
    }
    await transport?.stop().catch(() => undefined);
    this.exitResolve(exit);
  }
}
