import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectAsync, ErrorWithReasonCode, ErrorWithSubackPacket, type IClientOptions, type MqttClient } from 'mqtt';
import { EmbeddedBroker, type AgentAccounts } from '../src/broker/embedded-broker.js';

const AGENT1 = 'mi-00000000000000001';
const AGENT2 = 'mi-00000000000000002';
const PASSWORDS: Record<string, string> = { [AGENT1]: 'agent-one-password', [AGENT2]: 'agent-two-password' };
const down = (id: string): string => `tender/v1/i/${id}/down`;
const up = (id: string): string => `tender/v1/i/${id}/up`;
const QUIET_MS = 500;

const accounts: AgentAccounts = {
  checkPassword: (id, password) => PASSWORDS[id] !== undefined && PASSWORDS[id] === password,
};

interface Denial {
  clientId: string;
  action: 'publish' | 'subscribe';
  topic: string;
}

interface Received {
  topic: string;
  payload: string;
}

/** Collects a client's messages and lets a test wait for one, or for silence. */
class Inbox {
  readonly messages: Received[] = [];
  private waiters: Array<() => void> = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.messages.push({ topic, payload: payload.toString('utf8') });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async next(match: (m: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async nothingFor(ms: number, match: (m: Received) => boolean): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    assert.deepEqual(this.messages.filter(match), [], 'received a message it must not');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('EmbeddedBroker', function () {
  this.timeout(20000);
  let broker: EmbeddedBroker;
  let url: string;
  const denials: Denial[] = [];
  const clients: MqttClient[] = [];

  async function connect(brokerUrl: string, options: IClientOptions): Promise<MqttClient> {
    const client = await connectAsync(brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, clean: true, ...options }, false);
    clients.push(client);
    return client;
  }
  const agent = (id: string, over: IClientOptions = {}) => connect(url, { clientId: id, username: id, password: PASSWORDS[id], ...over });
  const controlPlane = () =>
    connect(broker.internal.url, { clientId: `control-${Math.random().toString(16).slice(2)}`, username: broker.internal.username, password: broker.internal.password });

  async function refused(promise: Promise<MqttClient>): Promise<ErrorWithReasonCode> {
    try {
      const client = await promise;
      clients.push(client);
    } catch (error) {
      assert.ok(error instanceof ErrorWithReasonCode, `expected a CONNACK refusal, got ${String(error)}`);
      return error;
    }
    assert.fail('the connection was accepted');
  }

  before(async () => {
    broker = await EmbeddedBroker.start({ host: '127.0.0.1', port: 0, accounts, onDenied: (event) => denials.push(event) });
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker.close();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
    denials.length = 0;
  });

  it('listens on the port it was given (0: a free one) and offers a loopback URL for the control plane', () => {
    assert.ok(broker.port > 0);
    assert.equal(broker.internal.url, `mqtt://127.0.0.1:${broker.port}`);
    assert.equal(broker.internal.username, 'tender-control-plane');
    assert.ok(broker.internal.password.length >= 40, 'a strong, fresh password');
  });

  it('lets the control plane in, subscribe to every up topic and publish to any down topic', async () => {
    const cp = await controlPlane();
    const cpInbox = new Inbox(cp);
    const granted = await cp.subscribeAsync('tender/v1/i/+/up', { qos: 1 });
    assert.deepEqual(granted.map((g) => g.qos), [1]);

    const a1 = await agent(AGENT1);
    const a2 = await agent(AGENT2);
    const a1Inbox = new Inbox(a1);
    const a2Inbox = new Inbox(a2);
    assert.deepEqual((await a1.subscribeAsync(down(AGENT1), { qos: 1 })).map((g) => g.qos), [1]);
    assert.deepEqual((await a2.subscribeAsync(down(AGENT2), { qos: 1 })).map((g) => g.qos), [1]);

    await cp.publishAsync(down(AGENT1), 'to-one', { qos: 1 });
    await cp.publishAsync(down(AGENT2), 'to-two', { qos: 1 });
    assert.equal((await a1Inbox.next((m) => m.payload === 'to-one')).topic, down(AGENT1));
    assert.equal((await a2Inbox.next((m) => m.payload === 'to-two')).topic, down(AGENT2));

    await a1.publishAsync(up(AGENT1), 'hello-from-one', { qos: 1 });
    await a2.publishAsync(up(AGENT2), 'hello-from-two', { qos: 1 });
    assert.equal((await cpInbox.next((m) => m.payload === 'hello-from-one')).topic, up(AGENT1));
    assert.equal((await cpInbox.next((m) => m.payload === 'hello-from-two')).topic, up(AGENT2));

    assert.equal(a1Inbox.messages.some((m) => m.payload === 'to-two'), false, 'agent 1 never saw agent 2 traffic');
    assert.deepEqual(denials, []);
    assert.equal(broker.isConnected(AGENT1), true);
  });

  it('refuses the control-plane user name with a wrong password', async () => {
    const error = await refused(connect(broker.internal.url, { clientId: 'cp-guess', username: broker.internal.username, password: 'guess' }));
    assert.equal(error.code, 4);
  });

  it('refuses an agent subscribing to another agent\'s down topic (SUBACK 128) and delivers nothing to it', async () => {
    const cp = await controlPlane();
    const a1 = await agent(AGENT1);
    const inbox = new Inbox(a1);
    for (const topic of [down(AGENT2), 'tender/v1/i/+/down', '#', up(AGENT2)]) {
      await assert.rejects(a1.subscribeAsync(topic, { qos: 1 }), (error: Error) => {
        assert.ok(error instanceof ErrorWithSubackPacket, String(error));
        assert.deepEqual(error.packet.granted, [128]);
        return true;
      });
      assert.ok(denials.some((d) => d.clientId === AGENT1 && d.action === 'subscribe' && d.topic === topic), `onDenied for ${topic}`);
    }
    await cp.publishAsync(down(AGENT2), 'secret-for-two', { qos: 1 });
    await inbox.nothingFor(QUIET_MS, (m) => m.payload === 'secret-for-two');
    // The refusal does not cost the agent its own topic.
    await a1.subscribeAsync(down(AGENT1), { qos: 1 });
    await cp.publishAsync(down(AGENT1), 'mine', { qos: 1 });
    await inbox.next((m) => m.payload === 'mine');
  });

  it('drops an agent\'s publish to another agent\'s up topic and reports it', async () => {
    const cp = await controlPlane();
    const cpInbox = new Inbox(cp);
    await cp.subscribeAsync('tender/v1/i/+/up', { qos: 1 });
    const a1 = await agent(AGENT1);
    a1.on('error', () => undefined); // the broker may drop the connection over the refused publish
    a1.publish(up(AGENT2), 'forged', { qos: 0 });
    a1.publish(down(AGENT2), 'forged-down', { qos: 0 });
    await cpInbox.nothingFor(QUIET_MS, (m) => m.payload.startsWith('forged'));
    assert.ok(denials.some((d) => d.clientId === AGENT1 && d.action === 'publish' && d.topic === up(AGENT2)), JSON.stringify(denials));
  });

  it('does not let an agent\'s Last Will reach another agent', async () => {
    const cp = await controlPlane();
    const cpInbox = new Inbox(cp);
    await cp.subscribeAsync('tender/v1/i/+/up', { qos: 1 });
    const a2 = await agent(AGENT2);
    const a2Inbox = new Inbox(a2);
    await a2.subscribeAsync(down(AGENT2), { qos: 1 });

    const bad = await agent(AGENT1, { will: { topic: down(AGENT2), payload: Buffer.from('will-forged'), qos: 1, retain: false } });
    bad.stream.destroy(); // an unclean end: the broker publishes the will
    await a2Inbox.nothingFor(QUIET_MS, (m) => m.payload === 'will-forged');
    assert.ok(denials.some((d) => d.clientId === AGENT1 && d.action === 'publish' && d.topic === down(AGENT2)));

    const good = await agent(AGENT1, { will: { topic: up(AGENT1), payload: Buffer.from('will-own'), qos: 1, retain: false } });
    good.stream.destroy();
    assert.equal((await cpInbox.next((m) => m.payload === 'will-own')).topic, up(AGENT1));
  });

  it('refuses an agent whose user name is not its client id', async () => {
    // Right password for the user name, but it would take over another client id's session.
    const error = await refused(agent(AGENT2, { clientId: AGENT1, username: AGENT2, password: PASSWORDS[AGENT2] }));
    assert.equal(error.code, 4);
    await refused(agent(AGENT1, { clientId: 'something-else' }));
    assert.equal(broker.isConnected(AGENT1), false);
  });

  it('refuses a wrong password, an unknown agent and no password', async () => {
    assert.equal((await refused(agent(AGENT1, { password: 'wrong' }))).code, 4);
    assert.equal((await refused(agent(AGENT1, { password: PASSWORDS[AGENT2] }))).code, 4);
    const unknown = 'mi-0000000000000000f';
    assert.equal((await refused(connect(url, { clientId: unknown, username: unknown, password: 'x' }))).code, 4);
    await refused(connect(url, { clientId: AGENT1, username: AGENT1 }));
    await refused(connect(url, { clientId: AGENT1 }));
  });

  it('removeAgent closes the live connection and refuses reconnects until upsertAgent', async () => {
    const a1 = await agent(AGENT1);
    await waitFor(() => broker.isConnected(AGENT1), 'agent 1 to be connected');
    const closed = new Promise<void>((resolve) => a1.once('close', () => resolve()));
    await broker.removeAgent(AGENT1);
    await closed;
    assert.equal(broker.isConnected(AGENT1), false);
    assert.equal((await refused(agent(AGENT1))).code, 4, 'its still-valid password no longer works');

    // Agent 2 is not affected.
    const a2 = await agent(AGENT2);
    assert.equal(a2.connected, true);

    await broker.upsertAgent(AGENT1);
    const back = await agent(AGENT1);
    assert.equal(back.connected, true);
    await waitFor(() => broker.isConnected(AGENT1), 'agent 1 to be back');
    const cp = await controlPlane();
    const inbox = new Inbox(back);
    await back.subscribeAsync(down(AGENT1), { qos: 1 });
    await cp.publishAsync(down(AGENT1), 'welcome-back', { qos: 1 });
    await inbox.next((m) => m.payload === 'welcome-back');
  });
});

describe('EmbeddedBroker with TLS', function () {
  this.timeout(30000);
  let dir: string;
  let broker: EmbeddedBroker;
  let ca: string;
  const clients: MqttClient[] = [];

  const connect = async (brokerUrl: string, options: IClientOptions): Promise<MqttClient> => {
    const client = await connectAsync(brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options }, false);
    clients.push(client);
    return client;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-broker-tls-'));
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyFile, '-out', certFile,
    ]);
    ca = await readFile(certFile, 'utf8');
    broker = await EmbeddedBroker.start({ host: '127.0.0.1', port: 0, tls: { cert: ca, key: await readFile(keyFile, 'utf8') }, accounts });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves agents over TLS and the control plane over a separate loopback plain listener', async () => {
    const match = /^mqtt:\/\/127\.0\.0\.1:(\d+)$/.exec(broker.internal.url);
    assert.ok(match, `internal URL is loopback mqtt://: ${broker.internal.url}`);
    assert.notEqual(Number(match[1]), broker.port, 'the plain listener is not the TLS one');

    const cp = await connect(broker.internal.url, { clientId: 'cp', username: broker.internal.username, password: broker.internal.password });
    const cpInbox = new Inbox(cp);
    await cp.subscribeAsync('tender/v1/i/+/up', { qos: 1 });

    for (const host of ['localhost', '127.0.0.1']) {
      const a1 = await connect(`mqtts://${host}:${broker.port}`, { clientId: AGENT1, username: AGENT1, password: PASSWORDS[AGENT1], ca, rejectUnauthorized: true });
      const inbox = new Inbox(a1);
      await a1.subscribeAsync(down(AGENT1), { qos: 1 });
      await cp.publishAsync(down(AGENT1), `down-over-tls-${host}`, { qos: 1 });
      await inbox.next((m) => m.payload === `down-over-tls-${host}`);
      await a1.publishAsync(up(AGENT1), `up-over-tls-${host}`, { qos: 1 });
      await cpInbox.next((m) => m.payload === `up-over-tls-${host}`);
      await a1.endAsync();
    }
  });

  it('still checks agent credentials over TLS', async () => {
    await assert.rejects(
      connect(`mqtts://localhost:${broker.port}`, { clientId: AGENT1, username: AGENT1, password: 'wrong', ca }),
      (error: Error) => error instanceof ErrorWithReasonCode && error.code === 4,
    );
  });

  it('refuses a client that does not trust the certificate, and plain MQTT on the TLS port', async () => {
    await assert.rejects(
      connect(`mqtts://localhost:${broker.port}`, { clientId: AGENT1, username: AGENT1, password: PASSWORDS[AGENT1], rejectUnauthorized: true }),
      /self[- ]signed|certificate/i,
    );
    await assert.rejects(connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: AGENT1, username: AGENT1, password: PASSWORDS[AGENT1], connectTimeout: 2000 }));
  });
});
