import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import type { Aedes, AedesPublishPacket, AuthenticateError, Client, ConnectPacket, PublishPacket } from 'aedes';
import type { Logger, TransportContext, TransportStatus } from '@tender/plugin-api';
import { topics } from '@tender/protocol';
import { MqttTransport, parseSettings } from '../src/index.js';

const INSTANCE = 'mi-0123456789abcdef0';
const PASSWORD = 'broker-password-for-mi-0123456789abcdef0';
const UP = topics.up(INSTANCE);
const DOWN = topics.down(INSTANCE);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([promise.then(() => true, () => true), new Promise<symbol>((resolve) => setImmediate(() => resolve(marker)))])) === true;
}

interface BrokerOptions {
  /** What authenticate answers; by default: this instance with PASSWORD, else "bad user name or password". */
  authenticate?: (username: string | undefined, password: string | undefined) => { ok: true } | { ok: false; returnCode: number };
  /** Answer CONNECTs this much later (a slow broker). */
  authenticateDelayMs?: number;
  /** Called for each publish the broker receives from a client; return false to hold it (no PUBACK, not delivered). */
  authorizePublish?: (packet: PublishPacket) => boolean;
}

/** A real aedes broker on a real TCP port, with the hooks the tests look through. */
class TestBroker {
  broker!: Aedes;
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  authenticateCalls = 0;
  readonly connects: ConnectPacket[] = [];
  /** Everything published on this instance's up topic (by the agent, or by the broker as its Last Will). */
  readonly up: AedesPublishPacket[] = [];
  readonly subscriptions: Array<{ clientId: string; topic: string; qos: number }> = [];

  constructor(private readonly options: BrokerOptions = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const { Aedes } = await import('aedes');
    this.broker = await Aedes.createBroker({
      preConnect: (_client, packet, callback) => {
        this.connects.push(packet);
        callback(null, true);
      },
      authenticate: (_client, username, password, done) => {
        this.authenticateCalls += 1;
        const verdict = this.options.authenticate
          ? this.options.authenticate(username, password?.toString())
          : username === INSTANCE && password?.toString() === PASSWORD
            ? ({ ok: true } as const)
            : ({ ok: false, returnCode: 4 } as const);
        const answer = () => {
          if (verdict.ok) return done(null, true);
          done(Object.assign(new Error('refused by the test broker'), { returnCode: verdict.returnCode }) as AuthenticateError, false);
        };
        if (this.options.authenticateDelayMs) setTimeout(answer, this.options.authenticateDelayMs);
        else answer();
      },
      authorizePublish: (client, packet, callback) => {
        if (client && this.options.authorizePublish && !this.options.authorizePublish(packet)) return; // held
        callback(null);
      },
    });
    this.broker.on('subscribe', (subscriptions, client) => {
      for (const s of subscriptions) this.subscriptions.push({ clientId: client.id, topic: s.topic, qos: s.qos });
    });
    await new Promise<void>((resolve) => this.broker.subscribe(UP, (packet, callback) => {
      this.up.push(packet);
      callback();
    }, resolve));
    await this.listen();
    return this;
  }

  /** Accept connections (again, on the same port after takeDown()). */
  async listen(): Promise<void> {
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The broker's view of the agent's connection, if it has one. */
  client(id = INSTANCE): Client | undefined {
    const client = (this.broker as unknown as { clients: Record<string, Client | undefined> }).clients[id];
    return client && client.connected ? client : undefined;
  }

  /** Kill the agent's connection from the broker side without a word (as a dead network would). */
  dropClient(id = INSTANCE): void {
    const client = this.client(id);
    assert.ok(client, `the broker has a connection from ${id}`);
    client.conn.destroy();
  }

  /** Stop accepting connections and drop every open one; the broker's state (sessions) survives. */
  async takeDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  publishDown(payload: Buffer, topic = DOWN): Promise<void> {
    return new Promise((resolve, reject) =>
      this.broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (error) => (error ? reject(error) : resolve())),
    );
  }

  private stopped = false;

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
  }
}

/** A TCP relay to the broker that can go silent: it then swallows everything and closes nothing (a dead network). */
class SilentableRelay {
  private server!: net.Server;
  private readonly pairs: Array<[net.Socket, net.Socket]> = [];
  port = 0;

  constructor(private readonly target: number) {}

  async start(): Promise<this> {
    this.server = net.createServer({ allowHalfOpen: true }, (agentSide) => {
      const brokerSide = net.connect({ port: this.target, host: '127.0.0.1', allowHalfOpen: true });
      agentSide.pipe(brokerSide);
      brokerSide.pipe(agentSide);
      agentSide.on('error', () => undefined);
      brokerSide.on('error', () => undefined);
      this.pairs.push([agentSide, brokerSide]);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  goSilent(): void {
    for (const [agentSide, brokerSide] of this.pairs) {
      agentSide.unpipe(brokerSide);
      brokerSide.unpipe(agentSide);
      agentSide.pause();
      brokerSide.pause();
    }
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) for (const socket of pair) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A transport for INSTANCE with a recording lastWill and fast backoff, and what it reports. */
function makeTransport(url: string, overrides: Partial<TransportContext['settings']> = {}) {
  const wills: string[] = [];
  const statuses: TransportStatus[] = [];
  const messages: Buffer[] = [];
  const transport = new MqttTransport({
    instanceId: INSTANCE,
    settings: { url, username: INSTANCE, password: PASSWORD, keepaliveSeconds: 5, backoff: { baseMs: 50, capMs: 200 }, ...overrides },
    logger: silent,
    lastWill: () => {
      const will = `will-${wills.length + 1}`;
      wills.push(will);
      return new TextEncoder().encode(will);
    },
  });
  transport.onStatus((status) => statuses.push(status));
  transport.onMessage((payload) => messages.push(Buffer.from(payload)));
  const connectedCount = () => statuses.filter((s) => s.state === 'connected').length;
  return { transport, wills, statuses, messages, connectedCount };
}

const text = (packet: { payload: Buffer | string }) => packet.payload.toString();

describe('transport-mqtt: MqttTransport against a real broker (aedes)', function () {
  this.timeout(20_000);
  const brokers: TestBroker[] = [];
  const transports: MqttTransport[] = [];
  const startBroker = async (options?: BrokerOptions): Promise<TestBroker> => {
    const started = await new TestBroker(options).start();
    brokers.push(started);
    return started;
  };
  const track = <T extends { transport: MqttTransport }>(made: T): T => {
    transports.push(made.transport);
    return made;
  };

  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.stop().catch(() => undefined);
    for (const broker of brokers.splice(0)) await broker.stop();
  });

  it('connects, subscribes (QoS 1) to its own down topic only, and hands over what arrives there', async () => {
    const broker = await startBroker();
    const t = track(makeTransport(broker.url));
    t.transport.start();
    await waitFor('connected', () => t.connectedCount() === 1);
    assert.deepEqual(broker.subscriptions.filter((s) => s.clientId === INSTANCE), [{ clientId: INSTANCE, topic: DOWN, qos: 1 }]);

    await broker.publishDown(Buffer.from('not for this agent'), topics.down('mi-fffffffffffffffff'));
    await broker.publishDown(Buffer.from([0, 1, 2, 254, 255]));
    await waitFor('a message', () => t.messages.length >= 1);
    await sleep(50);
    assert.deepEqual(t.messages, [Buffer.from([0, 1, 2, 254, 255])]);
  });

  it('send() publishes to tender/v1/i/<id>/up with QoS 1 and resolves once the broker has it', async () => {
    const broker = await startBroker();
    const published: AedesPublishPacket[] = [];
    broker.broker.on('publish', (packet, client) => {
      if (client?.id === INSTANCE) published.push(packet);
    });
    const t = track(makeTransport(broker.url));
    t.transport.start();
    await t.transport.send(new TextEncoder().encode('{"m":"hello"}'));
    assert.deepEqual(broker.up.map(text), ['{"m":"hello"}']);
    assert.equal(published.length, 1);
    assert.equal(published[0]?.topic, UP);
    assert.equal(published[0]?.qos, 1);
  });

  it('asks for a fresh Last Will at each connection attempt; the broker publishes it when the connection dies; it reconnects by itself', async () => {
    const broker = await startBroker();
    const t = track(makeTransport(broker.url));
    t.transport.start();
    await waitFor('connected', () => t.connectedCount() === 1);
    assert.deepEqual(t.wills, ['will-1']);
    assert.equal(broker.connects.length, 1);
    const firstWill = broker.connects[0]?.will;
    assert.ok(firstWill, 'the CONNECT carries a will');
    assert.equal(firstWill.topic, UP);
    assert.equal(firstWill.qos, 1);
    assert.equal(firstWill.retain, false);
    assert.equal(firstWill.payload.toString(), 'will-1');
    assert.equal(broker.up.length, 0, 'no will while the connection lives');

    broker.dropClient();
    await waitFor('the will of the dead connection', () => broker.up.length === 1);
    assert.equal(text(broker.up[0] as AedesPublishPacket), 'will-1');
    await waitFor('reconnected', () => t.connectedCount() === 2);
    assert.ok(t.statuses.some((s) => s.state === 'disconnected'), 'the drop was reported');
    assert.deepEqual(t.wills, ['will-1', 'will-2']);
    assert.equal(broker.connects.at(-1)?.will?.payload.toString(), 'will-2', 'the new connection carries the new will');

    // The new connection works both ways, and its own will is the one published when it dies.
    await t.transport.send(new TextEncoder().encode('after reconnect'));
    await broker.publishDown(Buffer.from('down after reconnect'));
    await waitFor('a message', () => t.messages.length === 1);
    broker.dropClient();
    await waitFor('the second will', () => broker.up.some((p) => text(p) === 'will-2'));
    await waitFor('reconnected again', () => t.connectedCount() === 3);
    assert.deepEqual(broker.up.map(text), ['will-1', 'after reconnect', 'will-2']);
  });

  it('while the broker is down, send() waits; it delivers once the broker is back on the same port', async () => {
    const broker = await startBroker();
    const t = track(makeTransport(broker.url));
    t.transport.start();
    await waitFor('connected', () => t.connectedCount() === 1);

    await broker.takeDown();
    await waitFor('a failed reconnection attempt', () => t.statuses.some((s) => s.state === 'disconnected' && /cannot connect/.test(s.error ?? '')));
    const disconnected = t.statuses.filter((s) => s.state === 'disconnected');
    assert.ok(disconnected.every((s) => s.state === 'disconnected' && typeof s.retryInMs === 'number' && s.retryInMs <= 200), 'it says when it retries, within the cap');

    const sending = t.transport.send(new TextEncoder().encode('queued while down'));
    await sleep(400);
    assert.equal(await settled(sending), false, 'send() waits while disconnected');

    await broker.listen();
    await sending;
    assert.ok(t.connectedCount() >= 2);
    assert.deepEqual(broker.up.map(text).filter((p) => !p.startsWith('will-')), ['queued while down']);
  });

  it('two hosts with one identity (a cloned disk) take each other\'s session over: the backoff keeps growing, and the status says what may cause it', async () => {
    const broker = await startBroker();
    const settings = { backoff: { baseMs: 20, capMs: 400 } };
    const first = track(makeTransport(broker.url, settings));
    const clone = track(makeTransport(broker.url, settings));
    first.transport.start();
    await waitFor('the first host connected', () => first.connectedCount() === 1);
    clone.transport.start();
    const attempts = () => [...first.statuses, ...clone.statuses].map((s) => (s.state === 'disconnected' ? (s.attempt ?? 0) : 0));
    // Each CONNACK used to start the backoff over: every drop was attempt 1, and the two reconnected within
    // 2–20 ms of each other for ever, each time sending a hello and whatever it had spooled.
    await waitFor('a drop counted as the fifth failed attempt in a row', () => Math.max(...attempts()) >= 5);
    const warned = [...first.statuses, ...clone.statuses].find((s) => s.state === 'disconnected' && s.error?.includes('after accepting it'));
    assert.ok(warned?.state === 'disconnected', 'a status names the brief connections');
    assert.match(warned.error ?? '', new RegExp(`the broker at ${broker.url.replace(/\./g, '\\.')} closed the connection \\d+ ms after accepting it, \\d+ times in a row\\. Is another host running with this agent's identity \\(a cloned disk or image\\)\\?`));

    // The clone goes away: the first host gets its session back and keeps it.
    await clone.transport.stop();
    const connected = first.connectedCount();
    await waitFor('the first host connected again', () => broker.client() !== undefined && first.connectedCount() > connected, 5000);
    await first.transport.send(new TextEncoder().encode('still here'));
    assert.ok(broker.up.map(text).includes('still here'));
  });

  it('a connection that lasted starts the backoff over when it drops; a brief one does not', async () => {
    const broker = await startBroker();
    const t = track(makeTransport(broker.url, { backoff: { baseMs: 20, capMs: 400, stableMs: 1000 } }));
    const drops = () => t.statuses.filter((s) => s.state === 'disconnected') as Array<{ state: 'disconnected'; attempt?: number; error?: string }>;
    /** Drops the agent's connection and returns the status that reports it (the reconnection may follow within ms). */
    const drop = async (what: string) => {
      const before = drops().length;
      broker.dropClient();
      await waitFor(what, () => drops().length > before);
      return drops()[before]!;
    };
    t.transport.start();
    await waitFor('connected', () => t.connectedCount() === 1);
    await broker.takeDown();
    await waitFor('three failed attempts', () => (drops().at(-1)?.attempt ?? 0) >= 3);
    await broker.listen();
    await waitFor('connected again', () => t.connectedCount() === 2);
    const beforeBrief = drops().at(-1)?.attempt ?? 0;

    const brief = await drop('the brief connection\'s drop reported'); // well within stableMs of its CONNACK
    assert.equal(brief.attempt, beforeBrief + 1, 'a brief connection counts as one more failed attempt');
    await waitFor('connected a third time', () => t.connectedCount() === 3);

    await sleep(1300); // past stableMs
    const lasting = await drop('the lasting connection\'s drop reported');
    assert.equal(lasting.attempt, 1, 'the backoff started over');
    assert.equal(lasting.error, undefined, 'one drop after a lasting connection is not an error');
    await waitFor('connected a fourth time', () => t.connectedCount() === 4);
  });

  it('a send in flight when the connection dies is delivered after the reconnection, and send() resolves', async () => {
    let hold = true;
    const broker = await startBroker({ authorizePublish: (packet) => !(hold && packet.payload.toString() === 'in flight') });
    const t = track(makeTransport(broker.url));
    t.transport.start();
    await waitFor('connected', () => t.connectedCount() === 1);
    const sending = t.transport.send(new TextEncoder().encode('in flight'));
    await sleep(200);
    assert.equal(await settled(sending), false, 'not acknowledged yet');
    hold = false;
    broker.dropClient();
    await waitFor('reconnected', () => t.connectedCount() === 2);
    await Promise.race([sending, sleep(3000).then(() => assert.fail('send() never settled after the reconnection'))]);
    assert.ok(broker.up.map(text).includes('in flight'));
  });

  it('a broker that refuses the password: status refused with a reason, and no further attempts', async () => {
    const broker = await startBroker();
    const t = track(makeTransport(broker.url, { password: 'wrong' }));
    t.transport.start();
    await waitFor('refused', () => t.statuses.some((s) => s.state === 'refused'));
    const refused = t.statuses.find((s) => s.state === 'refused');
    assert.ok(refused?.state === 'refused');
    assert.match(refused.reason, new RegExp(`the broker at ${broker.url.replace(/\./g, '\\.')} refused this agent: bad user name or password`));
    await sleep(1500);
    assert.equal(broker.authenticateCalls, 1, 'it did not try again');
    assert.equal(t.connectedCount(), 0);
    assert.ok(!t.statuses.some((s) => s.state === 'disconnected'), 'no retry was announced');
    await assert.rejects(t.transport.send(new Uint8Array([1])), /stopped/);
  });

  it('"not authorized" is a refusal too; "server unavailable" is retried', async () => {
    const broker = await startBroker({ authenticate: () => ({ ok: false, returnCode: 5 }) });
    const refused = track(makeTransport(broker.url));
    refused.transport.start();
    await waitFor('refused', () => refused.statuses.some((s) => s.state === 'refused'));
    assert.match((refused.statuses.find((s) => s.state === 'refused') as { reason: string }).reason, /not authorized/);
    await refused.transport.stop();
    await broker.stop();

    let unavailable = 2;
    const second = await startBroker({ authenticate: () => (unavailable-- > 0 ? { ok: false, returnCode: 3 } : { ok: true }) });
    const retried = track(makeTransport(second.url));
    retried.transport.start();
    await waitFor('connected after two "server unavailable" answers', () => retried.connectedCount() === 1);
    assert.equal(second.authenticateCalls, 3);
    assert.ok(!retried.statuses.some((s) => s.state === 'refused'));
  });

  describe('stop()', () => {
    it('disconnects cleanly: no Last Will, no reconnection', async () => {
      const broker = await startBroker();
      const t = track(makeTransport(broker.url));
      t.transport.start();
      await waitFor('connected', () => t.connectedCount() === 1);
      await t.transport.stop();
      await waitFor('the broker to see the disconnection', () => broker.client() === undefined);
      await sleep(500);
      assert.deepEqual(broker.up.map(text), [], 'no will was published');
      assert.equal(broker.authenticateCalls, 1);
      assert.equal(t.connectedCount(), 1);
      await assert.rejects(t.transport.send(new Uint8Array([1])), /stopped/);
    });

    it('stops the reconnection attempts against an unreachable broker, and wakes a waiting send()', async () => {
      // A TCP server that hangs up on every connection: each attempt fails, so the transport keeps retrying.
      let attempts = 0;
      const hangUp = net.createServer((socket) => {
        attempts += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
      try {
        const t = track(makeTransport(`mqtt://127.0.0.1:${(hangUp.address() as AddressInfo).port}`));
        t.transport.start();
        await waitFor('a few attempts', () => attempts >= 3);
        const sending = t.transport.send(new Uint8Array([1]));
        await Promise.race([t.transport.stop(), sleep(3000).then(() => assert.fail('stop() did not resolve'))]);
        await assert.rejects(sending, /stopped/);
        const after = attempts;
        const statusesAfter = t.statuses.length;
        await sleep(800);
        assert.equal(attempts, after, 'no attempt after stop()');
        assert.equal(t.statuses.length, statusesAfter, 'no status after stop()');
      } finally {
        await new Promise<void>((resolve) => hangUp.close(() => resolve()));
      }
    });

    it('stop() right after start() leaves no connection behind', async () => {
      const broker = await startBroker();
      const t = track(makeTransport(broker.url));
      t.transport.start();
      await t.transport.stop();
      await sleep(500);
      assert.ok(broker.client() === undefined, 'the broker has no connection from the agent');
      assert.equal(broker.authenticateCalls, 0, 'it did not even try');
      assert.equal(t.connectedCount(), 0);
    });

    it('stop() while a connection attempt awaits its CONNACK leaves no connection behind', async () => {
      const broker = await startBroker({ authenticateDelayMs: 300 });
      const t = track(makeTransport(broker.url));
      t.transport.start();
      await waitFor('the CONNECT to reach the broker', () => broker.authenticateCalls === 1);
      await Promise.race([t.transport.stop(), sleep(3000).then(() => assert.fail('stop() did not resolve'))]);
      await sleep(700);
      assert.ok(broker.client() === undefined, 'the broker has no connection from the agent');
      assert.equal(t.connectedCount(), 0, 'no connected status after stop()');
    });

    it('stop() does not wait forever for a publish the broker never acknowledges; that send() rejects', async () => {
      const broker = await startBroker({ authorizePublish: (packet) => packet.payload.toString() !== 'never acknowledged' });
      const t = track(makeTransport(broker.url));
      t.transport.start();
      await waitFor('connected', () => t.connectedCount() === 1);
      const sending = t.transport.send(new TextEncoder().encode('never acknowledged'));
      sending.catch(() => undefined);
      await sleep(100);
      await Promise.race([t.transport.stop(), sleep(5000).then(() => assert.fail('stop() did not resolve'))]);
      await assert.rejects(sending, /stopped/);
      await waitFor('the broker to see the disconnection', () => broker.client() === undefined);
      await sleep(200);
      assert.deepEqual(broker.up.map(text), [], 'a clean disconnection: no will');
    });
  });

  it('stop() returns promptly even when the broker has gone silent (a dead network)', async () => {
    const broker = await startBroker();
    const relay = await new SilentableRelay(broker.port).start();
    try {
      const t = track(makeTransport(`mqtt://127.0.0.1:${relay.port}`));
      t.transport.start();
      await waitFor('connected', () => t.connectedCount() === 1);
      relay.goSilent();
      const started = Date.now();
      await Promise.race([t.transport.stop(), sleep(8000).then(() => assert.fail('stop() did not resolve'))]);
      assert.ok(Date.now() - started < 8000);
    } finally {
      await relay.stop();
    }
  });

  describe('parseSettings', () => {
    const good = { url: 'mqtt://broker.example:1883', username: INSTANCE, password: PASSWORD };

    it('takes mqtt, mqtts, ws, wss, tcp and ssl URLs, with defaults', () => {
      for (const url of ['mqtt://b:1883', 'mqtts://b:8883', 'ws://b/mqtt', 'wss://b/mqtt', 'tcp://b:1883', 'ssl://b:8883']) {
        assert.equal(parseSettings({ ...good, url }).url, url);
      }
      assert.deepEqual(parseSettings(good), { ...good, ca: undefined, keepaliveSeconds: 30, backoff: undefined });
      const full = parseSettings({ ...good, ca: '-----BEGIN CERTIFICATE-----', keepaliveSeconds: 10, backoff: { baseMs: 1, capMs: 2 } });
      assert.equal(full.ca, '-----BEGIN CERTIFICATE-----');
      assert.equal(full.keepaliveSeconds, 10);
      assert.deepEqual(full.backoff, { baseMs: 1, capMs: 2 });
    });

    it('rejects a missing or bad url, saying what it expects and what it got', () => {
      for (const url of [undefined, 42, '', 'broker.example:1883', 'http://broker.example', 'mqtt:/broker']) {
        assert.throws(() => parseSettings({ ...good, url }), (error: Error) => {
          assert.match(error.message, /^transport mqtt: settings\.url must be an mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\/ URL/);
          assert.ok(error.message.endsWith(`got ${JSON.stringify(url)}`), error.message);
          return true;
        });
      }
    });

    it('rejects a missing username or password', () => {
      for (const settings of [{ url: good.url, password: PASSWORD }, { url: good.url, username: INSTANCE }, { ...good, password: 7 }]) {
        assert.throws(() => parseSettings(settings), /transport mqtt: settings\.username and settings\.password are required/);
      }
    });

    it('the transport checks its settings when it is created', () => {
      assert.throws(() => new MqttTransport({ instanceId: INSTANCE, settings: { url: 'http://x' }, logger: silent }), /settings\.url/);
    });
  });
});
