import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { topics } from '@tender/protocol';
import type { Client, PublishPacket, Subscription } from 'aedes';
import type { BrokerLink } from '../gateway/broker-link.js';
import { InProcessBrokerLink } from '../gateway/in-process-link.js';
import type { BrokerAdmin } from './broker-admin.js';

/** The broker's view of agent accounts: the instance registry answers whether a password is right. */
export interface AgentAccounts {
  checkPassword(instanceId: string, password: string): boolean;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  accounts: AgentAccounts;
  /** Called when a publish or subscribe is refused by the ACL (for counters and the audit trail). */
  onDenied?: (event: { clientId: string; action: 'publish' | 'subscribe'; topic: string }) => void;
}

const CONTROL_PLANE_USER = 'tender-control-plane';

/**
 * The embedded MQTT broker (aedes) for small fleets. It authenticates each agent with the credentials
 * issued at registration and enforces the topic ACL of the design itself: agent <id> may subscribe only to
 * its own `down` topic and publish only to its own `up` topic; only the control plane's own client (with a
 * password made fresh at every start and never written anywhere) may do anything else.
 *
 * The control plane's gateway lives in this process and talks to aedes through its in-process API
 * (inProcessLink()), not as a client over a socket. The privileged account is still there for the control
 * plane's other MQTT clients (operators' tooling, tests, benchmarks: `internal`); with TLS, the agents' listener
 * uses TLS and those clients use a second, loopback-only plain listener.
 */
export class EmbeddedBroker implements BrokerAdmin {
  private constructor(
    private readonly broker: import('aedes').Aedes,
    /** Agents removed while connected are refused at once, before the registry forgets them. */
    private readonly revoked: Set<string>,
    private readonly servers: net.Server[],
    readonly port: number,
    /** mqtt:// URL and credentials for the control plane's own MQTT clients (the gateway needs none). */
    readonly internal: { url: string; username: string; password: string },
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const { Aedes } = await import('aedes');
    const controlPassword = randomBytes(32).toString('base64url');
    const isControlPlane = (client: Client | null): boolean => client === null || (client as Client & { tenderRole?: string }).tenderRole === 'control-plane';
    const revoked = new Set<string>();

    const broker = await Aedes.createBroker({
      // How many messages aedes delivers at once before it queues the rest. Its queue is an array it shift()s, which costs
      // O(length) once long: with the default 100, a fan-out to 9,000 agents spent a fifth of its CPU there.
      concurrency: 10_000,
      authenticate(client, username, password, done) {
        const secret = password?.toString('utf8') ?? '';
        if (username === CONTROL_PLANE_USER && safeEqual(secret, controlPassword)) {
          (client as Client & { tenderRole?: string }).tenderRole = 'control-plane';
          return done(null, true);
        }
        // An agent must connect with its instance id as both user name and client id, so it cannot take over
        // another agent's session (and its queued messages) by choosing that agent's client id.
        const ok = typeof username === 'string' && username === client.id && !revoked.has(username) && options.accounts.checkPassword(username, secret);
        if (ok) return done(null, true);
        const error = Object.assign(new Error('bad user name or password'), { returnCode: 4 as const });
        return done(error, false);
      },
      authorizePublish(client, packet: PublishPacket, callback) {
        if (isControlPlane(client)) return callback(null);
        if (client && packet.topic === topics.up(client.id)) return callback(null);
        options.onDenied?.({ clientId: client?.id ?? '?', action: 'publish', topic: packet.topic });
        return callback(new Error(`client ${client?.id} may not publish to ${packet.topic}`));
      },
      authorizeSubscribe(client, subscription: Subscription, callback) {
        if (isControlPlane(client)) return callback(null, subscription);
        if (subscription.topic === topics.down(client.id)) return callback(null, subscription);
        options.onDenied?.({ clientId: client.id, action: 'subscribe', topic: subscription.topic });
        return callback(null, null); // a refused subscription: SUBACK 0x80 for that topic
      },
    });

    const servers: net.Server[] = [];
    const listen = (server: net.Server, port: number, host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const fail = (error: NodeJS.ErrnoException) =>
          reject(error.code === 'EADDRINUSE' ? new Error(`the broker's port ${port} on ${host} is already in use: choose another with mqtt-port, or 0 for any free port`) : error);
        server.once('error', fail);
        server.listen(port, host, () => {
          server.off('error', fail);
          resolve((server.address() as net.AddressInfo).port);
        });
      });

    // noDelay: each small message (a command, its ack, its result) goes at once, not after the client's delayed
    // ACK (Nagle's algorithm, up to 40 ms a hop); the clients set it on their side too.
    const agentServer = options.tls
      ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, noDelay: true }, broker.handle)
      : net.createServer({ noDelay: true }, broker.handle);
    let port: number;
    let internalPort: number;
    let internalHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
    try {
      port = await listen(agentServer, options.port, options.host);
      servers.push(agentServer);
      internalPort = port;
      if (options.tls) {
        const loopback = net.createServer({ noDelay: true }, broker.handle);
        internalPort = await listen(loopback, 0, '127.0.0.1');
        internalHost = '127.0.0.1';
        servers.push(loopback);
      }
    } catch (error) {
      // Nothing half-started is left behind (aedes keeps timers that would hold the process open).
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      throw error;
    }
    return new EmbeddedBroker(broker, revoked, servers, port, {
      url: `mqtt://${internalHost.includes(':') ? `[${internalHost}]` : internalHost}:${internalPort}`,
      username: CONTROL_PLANE_USER,
      password: controlPassword,
    });
  }

  /** The gateway's link to this broker through aedes' own API: no socket, no MQTT client of its own. */
  inProcessLink(): BrokerLink {
    return new InProcessBrokerLink(this.broker);
  }

  /** The registry already holds the password hash; nothing to do but forget an earlier revocation. */
  async upsertAgent(instanceId: string): Promise<void> {
    this.revoked.delete(instanceId);
  }

  async removeAgent(instanceId: string): Promise<void> {
    this.revoked.add(instanceId);
    const clients = (this.broker as unknown as { clients: Record<string, Client> }).clients;
    const live = clients[instanceId];
    if (live) await new Promise<void>((resolve) => live.close(() => resolve()));
  }

  isConnected(instanceId: string): boolean {
    const clients = (this.broker as unknown as { clients: Record<string, Client> }).clients;
    return Boolean(clients[instanceId]?.connected);
  }

  async close(): Promise<void> {
    // The broker first: it closes its clients' connections, which the servers' close waits for.
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
