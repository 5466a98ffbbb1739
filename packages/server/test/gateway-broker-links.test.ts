import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { createMessage, generateBoxKeyPair, generateSigningKeyPair, openEnvelope, ReplayGuard, signEnvelope, topics, type Message, type SigningKeyPair } from '@tender/protocol';
import { EmbeddedBroker } from '../src/broker/embedded-broker.js';
import type { BrokerLink } from '../src/gateway/broker-link.js';
import { Gateway, type GatewayRejection } from '../src/gateway/gateway.js';
import { MqttClientLink } from '../src/gateway/mqtt-client-link.js';
import type { ServerIdentity } from '../src/identity/server-identity.js';

const AGENT = 'mi-0000000000000000a';
const AGENT_PASSWORD = 'agent-password';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * The gateway over each of its two broker links, against the real embedded broker and real mqtt.js agents: the
 * same behaviour either way (QoS 1 down, verified messages up in the agent's order, Last Wills), and only the
 * MQTT client link makes the gateway a client of the broker.
 */
const LINKS: Array<{ name: string; open: (broker: EmbeddedBroker) => BrokerLink; isBrokerClient: boolean }> = [
  { name: 'in-process link to the embedded broker', open: (broker) => broker.inProcessLink(), isBrokerClient: false },
  { name: 'MQTT client link (as used with an external broker)', open: (broker) => new MqttClientLink({ ...broker.internal, logger: pino({ level: 'silent' }) }), isBrokerClient: true },
];

for (const kind of LINKS) {
  describe(`Gateway over the ${kind.name}`, function () {
    this.timeout(20000);
    let broker: EmbeddedBroker;
    let gateway: Gateway;
    let agentKeys: SigningKeyPair;
    let identity: ServerIdentity;
    const rejections: GatewayRejection[] = [];
    const handled: Message[] = [];
    const clients: MqttClient[] = [];
    /** Client ids the broker announced on `$SYS/<id>/new/clients` from before the gateway started. */
    const brokerClients: string[] = [];

    /** An agent's connection, with every message it receives from the moment it connects. */
    const connectAgent = async (over: IClientOptions = {}): Promise<{ client: MqttClient; inbox: Array<{ topic: string; payload: Buffer; qos: number }> }> => {
      const client = connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: AGENT, username: AGENT, password: AGENT_PASSWORD, protocolVersion: 4, clean: true, reconnectPeriod: 0, ...over });
      clients.push(client);
      const inbox: Array<{ topic: string; payload: Buffer; qos: number }> = [];
      client.on('message', (topic, payload, packet) => inbox.push({ topic, payload, qos: packet.qos }));
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      return { client, inbox };
    };
    const signedByAgent = (type: string, body: unknown, keys: SigningKeyPair = agentKeys): Buffer =>
      signEnvelope(createMessage({ type, from: AGENT, to: identity.id, body }), AGENT, keys.secretKey);

    before(async () => {
      agentKeys = generateSigningKeyPair();
      identity = { accountId: '123456789012', id: 'tender-test-cp', signing: generateSigningKeyPair(), box: generateBoxKeyPair(), masterKey: randomBytes(32) };
      broker = await EmbeddedBroker.start({ host: '127.0.0.1', port: 0, accounts: { checkPassword: (id, password) => id === AGENT && password === AGENT_PASSWORD } });

      // An observer with the privileged account (as tests and benchmarks use brokerConnection) notes every client
      // that connects from now on: the gateway's own, if it has one, comes before the agents'.
      const observer = await connectAsync(broker.internal.url, { clientId: 'observer', username: broker.internal.username, password: broker.internal.password, protocolVersion: 4, reconnectPeriod: 0 });
      clients.push(observer);
      observer.on('message', (topic, payload) => {
        if (topic.endsWith('/new/clients')) brokerClients.push(payload.toString('utf8'));
      });
      await observer.subscribeAsync('$SYS/+/new/clients', { qos: 0 });

      gateway = new Gateway({
        link: kind.open(broker),
        identity,
        agentKey: (keyId) => (keyId === AGENT ? { publicKey: agentKeys.publicKey, owner: AGENT } : undefined),
        logger: pino({ level: 'silent' }),
        onRejected: (rejection) => rejections.push(rejection),
      });
      for (const type of ['report', 'will']) gateway.on(type, (message) => void handled.push(message));
      await gateway.start();
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
      await gateway.stop();
      await broker.close();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(1).map((client) => client.endAsync(true).catch(() => undefined)));
      handled.length = 0;
      rejections.length = 0;
    });

    it(kind.isBrokerClient ? 'is a client of the broker, connected before any agent' : 'is no client of the broker: the first client after it starts is the agent', async () => {
      assert.equal(gateway.connected, true, 'the gateway reports itself connected (what /healthz reads)');
      await connectAgent();
      await waitFor(() => brokerClients.includes(AGENT), "the agent's connection");
      const before = brokerClients.slice(0, brokerClients.indexOf(AGENT));
      if (kind.isBrokerClient) assert.match(before.join(','), /^tender-cp-[^,]+$/, 'the MQTT client link connects as a client');
      else assert.deepEqual(before, [], 'no client connected for the gateway');
    });

    it("sends signed messages down to the agent's session with QoS 1", async () => {
      const agent = await connectAgent();
      await agent.client.subscribeAsync(topics.down(AGENT), { qos: 1 });
      const sent = await gateway.send(AGENT, 'command', { commandId: 'c-1' });
      await waitFor(() => agent.inbox.length === 1, 'the message at the agent');
      const delivery = agent.inbox[0]!;
      assert.equal(delivery.topic, topics.down(AGENT));
      assert.equal(delivery.qos, 1, 'QoS 1 to the agent');
      const opened = openEnvelope(delivery.payload, { me: AGENT, keys: (keyId) => (keyId === identity.id ? { publicKey: identity.signing.publicKey, owner: identity.id } : undefined), guard: new ReplayGuard() });
      assert.ok(opened.ok, `the agent can verify it: ${opened.ok ? '' : opened.detail}`);
      assert.equal(opened.message.id, sent.id);
      assert.deepEqual(opened.message.body, { commandId: 'c-1' });
    });

    it("queues QoS 1 messages for an agent's persistent session while it is away", async () => {
      const first = await connectAgent({ clean: false });
      await first.client.subscribeAsync(topics.down(AGENT), { qos: 1 });
      await first.client.endAsync();
      await gateway.send(AGENT, 'command', { commandId: 'while-away' });
      const back = await connectAgent({ clean: false });
      await waitFor(() => back.inbox.length === 1, 'the queued message at the agent');
      assert.equal(back.inbox[0]?.qos, 1);
      assert.match(back.inbox[0]!.payload.toString('utf8'), /while-away/);
      await back.client.endAsync();
      // Leave no session behind for the next test.
      await (await connectAgent({ clean: true })).client.endAsync();
    });

    it("hands the agent's verified messages to their handler in the order the agent published them", async () => {
      const agent = await connectAgent();
      const count = 50;
      await Promise.all(Array.from({ length: count }, (_, n) => agent.client.publishAsync(topics.up(AGENT), signedByAgent('report', { n }), { qos: 1 })));
      await waitFor(() => handled.length === count, `${count} messages handled (got ${handled.length})`);
      assert.deepEqual(
        handled.map((message) => (message.body as { n: number }).n),
        Array.from({ length: count }, (_, n) => n),
      );
      assert.deepEqual(rejections, []);
    });

    it('refuses, and does not handle, a message the agent did not sign', async () => {
      const agent = await connectAgent();
      await agent.client.publishAsync(topics.up(AGENT), signedByAgent('report', { n: 'forged' }, generateSigningKeyPair()), { qos: 1 });
      await agent.client.publishAsync(topics.up(AGENT), signedByAgent('report', { n: 'genuine' }), { qos: 1 });
      await waitFor(() => handled.length === 1 && rejections.length === 1, 'one message handled and one refused');
      assert.deepEqual(handled[0]?.body, { n: 'genuine' });
      assert.equal(rejections[0]?.reason, 'bad_signature');
      assert.equal(rejections[0]?.topic, topics.up(AGENT));
    });

    it("receives the agent's Last Will, which the broker publishes itself, when its connection dies", async () => {
      const will = signedByAgent('will', { sid: 'session-1' });
      const agent = await connectAgent({ will: { topic: topics.up(AGENT), payload: will, qos: 1, retain: false } });
      agent.client.stream.destroy(); // no DISCONNECT: the broker must publish the will
      await waitFor(() => handled.length === 1, 'the will handled');
      assert.equal(handled[0]?.type, 'will');
      assert.deepEqual(handled[0]?.body, { sid: 'session-1' });
    });

    // Last: it stops the gateway.
    it('on stop, waits for the handling of the messages it has taken (a control plane stopping mid-write)', async () => {
      let started = false;
      let finished = false;
      gateway.on('slow', async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      const agent = await connectAgent();
      await agent.client.publishAsync(topics.up(AGENT), signedByAgent('slow', {}), { qos: 1 });
      await waitFor(() => started, 'the slow handler started');
      await gateway.stop();
      assert.equal(finished, true, 'stop() returned only after the handler ended');
    });
  });
}

describe('Gateway over the in-process link', function () {
  this.timeout(20000);

  it('reports itself disconnected once stopped or once the broker is closed, and refuses to send', async () => {
    const broker = await EmbeddedBroker.start({ host: '127.0.0.1', port: 0, accounts: { checkPassword: () => false } });
    const identity: ServerIdentity = { accountId: '123456789012', id: 'tender-test-cp', signing: generateSigningKeyPair(), box: generateBoxKeyPair(), masterKey: randomBytes(32) };
    const open = () => new Gateway({ link: broker.inProcessLink(), identity, agentKey: () => undefined, logger: pino({ level: 'silent' }), onRejected: () => undefined });
    try {
      const stopped = open();
      assert.equal(stopped.connected, false, 'not connected before start');
      await stopped.start();
      assert.equal(stopped.connected, true);
      await stopped.stop();
      assert.equal(stopped.connected, false, 'not connected after stop');
      await assert.rejects(stopped.send(AGENT, 'command', {}), /the gateway is not started/);

      const orphaned = open();
      await orphaned.start();
      await broker.close();
      assert.equal(orphaned.connected, false, 'not connected once the broker is gone');
      await orphaned.stop();
    } finally {
      await broker.close();
    }
  });
});
