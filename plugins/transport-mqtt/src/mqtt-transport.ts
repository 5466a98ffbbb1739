import type { Transport, TransportContext, TransportStatus } from '@tender/plugin-api';
import { topics } from '@tender/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import { Backoff } from './backoff.js';

export interface MqttSettings {
  url: string;
  username: string;
  password: string;
  /** PEM of the CA that signed the broker's certificate, for mqtts:// with a private CA. */
  ca?: string;
  keepaliveSeconds?: number;
  /** stableMs: how long a connection must last before a drop starts the backoff over (see STABLE_CONNECTION_MS). */
  backoff?: { baseMs?: number; capMs?: number; stableMs?: number };
}

export function parseSettings(settings: Readonly<Record<string, unknown>>): MqttSettings {
  const { url, username, password, ca, keepaliveSeconds, backoff } = settings;
  if (typeof url !== 'string' || !/^(mqtts?|wss?|tcp|ssl):\/\//.test(url)) {
    throw new Error(`transport mqtt: settings.url must be an mqtt://, mqtts://, ws:// or wss:// URL, got ${JSON.stringify(url)}`);
  }
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new Error('transport mqtt: settings.username and settings.password are required');
  }
  return {
    url,
    username,
    password,
    ca: typeof ca === 'string' ? ca : undefined,
    keepaliveSeconds: typeof keepaliveSeconds === 'number' ? keepaliveSeconds : 30,
    backoff: typeof backoff === 'object' && backoff !== null ? (backoff as MqttSettings['backoff']) : undefined,
  };
}

/** CONNACK codes that mean "these credentials will never work": retrying would only hammer the broker. */
const REFUSED_CODES = new Map<number, string>([
  [4, 'bad user name or password'],
  [5, 'not authorized'],
  [134, 'bad user name or password'],
  [135, 'not authorized'],
  [138, 'banned'],
]);

/**
 * A connection that lasts this long starts the backoff over when it drops. One that the broker closes sooner
 * (another host with this agent's identity taking the session over, again and again; a broker that kicks the agent
 * straight after CONNACK) counts as one more failed attempt, so such a loop slows down to one attempt per `capMs`
 * instead of reconnecting, and re-sending its hello and spooled reports, several times a second.
 */
const STABLE_CONNECTION_MS = 30_000;
/** How many brief connections in a row make the disconnected status say what may cause them. */
const BRIEF_CONNECTIONS_TO_WARN = 3;

/** How long stop() waits for a clean goodbye before dropping the socket (a broker that went silent never answers). */
const CLOSE_GRACE_MS = 2000;

/**
 * Agent side of the MQTT transport: one connection, QoS 1 both ways, subscribed to the agent's own `down`
 * topic, publishing to its own `up` topic, with a fresh Last Will per connection and reconnection by
 * exponential backoff with jitter. mqtt.js is imported lazily so an agent that never connects stays small.
 */
export class MqttTransport implements Transport {
  private client: MqttClient | undefined;
  private readonly settings: MqttSettings;
  private readonly backoff: Backoff;
  private readonly messageHandlers: Array<(payload: Uint8Array) => void> = [];
  private readonly statusHandlers: Array<(status: TransportStatus) => void> = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private refused = false;
  private connected = false;
  /** When the current connection got its CONNACK. */
  private connectedAt = 0;
  /** Connections in a row that the broker closed before they were stable. */
  private briefConnections = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly context: TransportContext) {
    this.settings = parseSettings(context.settings);
    this.backoff = new Backoff(this.settings.backoff);
  }

  start(): void {
    void this.connect().catch((error: unknown) => {
      this.emit({ state: 'disconnected', error: String(error) });
    });
  }

  private async connect(): Promise<void> {
    const { connect } = await import('mqtt');
    if (this.stopped) return; // stop() came while mqtt.js was loading
    const { instanceId } = this.context;
    const options: IClientOptions = {
      clientId: instanceId,
      username: this.settings.username,
      password: this.settings.password,
      protocolVersion: 4,
      clean: false, // keep the broker-side session so QoS 1 messages sent while we were away are delivered
      keepalive: this.settings.keepaliveSeconds,
      reconnectPeriod: 0, // we reconnect ourselves, with backoff
      connectTimeout: 10_000,
      // mqtt-packet otherwise pre-builds a 2-byte Buffer for every number up to 65535 (about 6 MB of heap, a
      // tenth of the idle agent's memory) to save an allocation per packet; an agent sends a few packets a minute.
      writeCache: false,
      will: this.willOption(),
      ...(this.settings.ca ? { ca: this.settings.ca } : {}),
    };
    const client = connect(this.settings.url, options);
    this.client = client;

    client.on('connect', () => {
      // Nagle's algorithm held a small publish (command-ack, command-result) until the broker acknowledged the
      // previous small packet, up to the peer's 40 ms delayed ACK: a command's messages are small and come in
      // quick succession, so send each at once. Each (re)connection has a new socket.
      (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
      this.connected = true;
      this.connectedAt = Date.now();
      client.subscribe(topics.down(instanceId), { qos: 1 }, (error, granted) => {
        if (this.stopped) return;
        const failed = error ?? (granted?.some((g) => g.qos === 128) ? new Error('subscription refused by the broker') : undefined);
        if (failed) {
          this.context.logger.error('could not subscribe to this agent\'s down topic', { error: String(failed) });
          return;
        }
        this.emit({ state: 'connected' });
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      });
    });
    client.on('message', (_topic, payload) => {
      for (const handler of this.messageHandlers) handler(payload);
    });
    client.on('error', (error: Error & { code?: number }) => {
      const refusal = typeof error.code === 'number' ? REFUSED_CODES.get(error.code) : undefined;
      if (refusal) {
        this.refused = true;
        this.emit({ state: 'refused', reason: `the broker at ${this.settings.url} refused this agent: ${refusal}` });
        void this.close();
        return;
      }
      this.context.logger.debug('mqtt error', { error: error.message });
    });
    client.on('close', () => {
      const wasConnected = this.connected;
      const lastedMs = wasConnected ? Date.now() - this.connectedAt : 0;
      this.connected = false;
      if (this.stopped || this.refused) return;
      if (wasConnected) {
        const stable = lastedMs >= (this.settings.backoff?.stableMs ?? STABLE_CONNECTION_MS);
        if (stable) this.backoff.reset();
        this.briefConnections = stable ? 0 : this.briefConnections + 1;
      }
      const delay = this.backoff.next();
      this.emit({ state: 'disconnected', retryInMs: delay, attempt: this.backoff.attempts, ...this.closeReason(wasConnected, lastedMs) });
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => {
        if (this.stopped || this.refused) return;
        // A fresh Last Will for the new connection: it names this connection, not the dead one.
        client.options.will = this.willOption();
        // Keep the stores: a QoS 1 publish that was in flight when the connection died is sent again (and its
        // send() resolves) instead of being dropped with a fresh store and leaving its send() pending forever.
        client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
      }, delay);
    });
  }

  /** What to tell the operator about a closed connection (nothing for a drop after a connection that lasted). */
  private closeReason(wasConnected: boolean, lastedMs: number): { error?: string } {
    if (!wasConnected) return { error: `cannot connect to ${this.settings.url}` };
    // One brief connection is a network blip; several in a row are a pattern worth naming.
    if (this.briefConnections < BRIEF_CONNECTIONS_TO_WARN) return {};
    return {
      error:
        `the broker at ${this.settings.url} closed the connection ${lastedMs} ms after accepting it, ${this.briefConnections} times in a row. ` +
        'Is another host running with this agent\'s identity (a cloned disk or image)? Each one takes the other\'s session over.',
    };
  }

  private willOption(): IClientOptions['will'] {
    const will = this.context.lastWill?.();
    if (!will) return undefined;
    return { topic: topics.up(this.context.instanceId), payload: Buffer.from(will), qos: 1, retain: false };
  }

  async send(payload: Uint8Array): Promise<void> {
    while (!this.connected || !this.client) {
      if (this.stopped || this.refused) throw new Error('transport mqtt is stopped');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const client = this.client;
    // A view, not a copy: an inventory upload is a few hundred kilobytes, and each copy of it grows the heap the idle
    // agent keeps. The caller's bytes are not changed afterwards (a signed envelope is never touched again).
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    await new Promise<void>((resolve, reject) => {
      client.publish(topics.up(this.context.instanceId), bytes, { qos: 1 }, (error) => {
        if (error) reject(this.stopped ? new Error('transport mqtt is stopped before the broker acknowledged the message') : error);
        else resolve();
      });
    });
  }

  onMessage(handler: (payload: Uint8Array) => void): void {
    this.messageHandlers.push(handler);
  }

  onStatus(handler: (status: TransportStatus) => void): void {
    this.statusHandlers.push(handler);
  }

  private emit(status: TransportStatus): void {
    for (const handler of this.statusHandlers) handler(status);
  }

  private async close(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    // Give up on what the broker has not acknowledged (those send()s reject): mqtt.js would otherwise hold the
    // goodbye back until acknowledgements that may never come.
    for (const messageId of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(messageId));
    await new Promise<void>((resolve) => {
      // Not connected (retrying, or an attempt awaiting its CONNACK): nobody to say goodbye to, drop the socket.
      // Connected: DISCONNECT, then wait for the socket to close, but not forever.
      const grace = setTimeout(() => client.stream?.destroy(), CLOSE_GRACE_MS);
      client.end(!client.connected, {}, () => {
        clearTimeout(grace);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    await this.close();
  }
}
