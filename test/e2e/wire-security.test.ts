import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadIdentity, registerAgent, type AgentIdentity } from '@tender/agent';
import { createMessage, generateSigningKeyPair, signEnvelope, topics } from '@tender/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { readAudit } from '../support/audit-file.js';
import { BROKERS, brokerFor } from '../support/brokers.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import type { MosquittoInstance } from '../support/mosquitto.js';
import { AGENT_BIN, eventually, LiveProcess } from '../support/processes.js';

const QUIET_MS = 700;

async function connectAs(url: string, identity: AgentIdentity): Promise<MqttClient> {
  const settings = identity.file.transport.settings as { username: string; password: string };
  return connectAsync(url, { clientId: identity.file.instanceId, username: settings.username, password: settings.password, protocolVersion: 4, reconnectPeriod: 0 });
}

/** Collect what a client receives on a topic for a while. */
async function receivedOn(client: MqttClient, topic: string, publish: () => Promise<void>): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const onMessage = (t: string, payload: Buffer) => {
    if (t === topic) got.push(payload);
  };
  client.on('message', onMessage);
  await publish();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  client.off('message', onMessage);
  return got;
}

for (const kind of BROKERS) {
  describe(`signed wire protocol and broker ACLs, end to end (${kind} broker)`, function () {
    this.timeout(60000);
    let mosquitto: MosquittoInstance | undefined;
    let cp: TestControlPlane;
    let work: string;
    let a: AgentIdentity;
    let b: AgentIdentity;
    let c: AgentIdentity;
    let agentA: LiveProcess;
    let privileged: MqttClient;
    const clients: MqttClient[] = [];
    const rejected = (reason: string) => cp.running.counters.get('tender_gateway_rejected_total', { reason });

    before(async function () {
      mosquitto = await brokerFor(kind, this);
      cp = await startTestControlPlane({ mosquitto, heartbeatSeconds: 30 });
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-wire-'));
      const activation = await cp.createActivation({ limit: 3 });
      const register = async (name: string) => {
        const stateDir = path.join(work, name);
        await registerAgent({ endpoint: cp.running.endpoint, activationId: activation.id, activationCode: activation.code, stateDir, name });
        return loadIdentity(stateDir);
      };
      [a, b, c] = [await register('a'), await register('b'), await register('c')];
      agentA = new LiveProcess(AGENT_BIN, ['start', '--state-dir', path.join(work, 'a')]);
      await cp.untilOnline(a.file.instanceId, 'agent A Online');
      const conn = cp.running.brokerConnection;
      privileged = await connectAsync(conn.url, { username: conn.username, password: conn.password, protocolVersion: 4, clientId: `test-privileged-${process.pid}`, reconnectPeriod: 0 });
      clients.push(privileged);
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
      await agentA?.kill('SIGKILL');
      await cp?.stop();
      await mosquitto?.stop();
      if (work) await fs.rm(work, { recursive: true, force: true });
    });

    it('an agent cannot read another agent\'s down topic', async () => {
      const asB = await connectAs(mosquitto?.url ?? (b.file.transport.settings.url as string), b);
      clients.push(asB);
      const granted = await asB.subscribeAsync(topics.down(a.file.instanceId), { qos: 1 }).catch((error: { packet?: { granted?: number[] } }) => error.packet?.granted?.map((qos) => ({ qos })) ?? []);
      assert.ok(granted.every((g) => g.qos === 128), `the subscription was refused (granted ${JSON.stringify(granted)})`);
      const got = await receivedOn(asB, topics.down(a.file.instanceId), () => privileged.publishAsync(topics.down(a.file.instanceId), 'for A only', { qos: 1 }).then(() => undefined));
      assert.equal(got.length, 0, 'B received nothing meant for A');
    });

    it('an agent cannot write another agent\'s up topic', async () => {
      await privileged.subscribeAsync(topics.up(a.file.instanceId), { qos: 1 });
      const asC = await connectAs(mosquitto?.url ?? (c.file.transport.settings.url as string), c);
      clients.push(asC);
      const got = await receivedOn(privileged, topics.up(a.file.instanceId), async () => {
        // The embedded broker drops the connection of a client that publishes outside its ACL (MQTT 3.1.1 has
        // no other way to refuse); Mosquitto drops the message silently. Either way: do not wait for a PUBACK.
        asC.publish(topics.up(a.file.instanceId), 'forged by C', { qos: 1 });
      });
      assert.ok(!got.some((payload) => payload.toString() === 'forged by C'), 'C\'s publish to A\'s up topic was not delivered');
      await privileged.unsubscribeAsync(topics.up(a.file.instanceId));
    });

    it('rejects a message signed by agent C claiming to be agent B, counted and audited', async () => {
      const asC = await connectAs(mosquitto?.url ?? (c.file.transport.settings.url as string), c);
      clients.push(asC);
      const before = { sender: rejected('wrong_sender'), signature: rejected('bad_signature') };
      // C signs with its own key but says it is B.
      const claimB = createMessage({ type: 'heartbeat', from: b.file.instanceId, to: c.file.controlPlane.id, body: { sid: 'x' } });
      await asC.publishAsync(topics.up(c.file.instanceId), signEnvelope(claimB, c.file.instanceId, c.signing.secretKey), { qos: 1 });
      // C names B's key, but can only sign with its own.
      await asC.publishAsync(topics.up(c.file.instanceId), signEnvelope(claimB, b.file.instanceId, c.signing.secretKey), { qos: 1 });
      await eventually(async () => rejected('wrong_sender') > before.sender && rejected('bad_signature') > before.signature, 'both rejections counted');
      assert.notEqual((await cp.describe(b.file.instanceId))?.PingStatus, 'Online', 'B was not marked Online by C\'s forgery');
      const audit = await readAudit(cp.dataDir);
      assert.ok(audit.some((r) => r.outcome === 'rejected' && r.errorCode === 'wrong_sender' && r.operation === 'mqtt:message'));
      assert.ok(audit.some((r) => r.outcome === 'rejected' && r.errorCode === 'bad_signature' && r.operation === 'mqtt:message'));
    });

    it('accepts a valid message once and rejects it when published again (replay)', async () => {
      const asC = await connectAs(mosquitto?.url ?? (c.file.transport.settings.url as string), c);
      clients.push(asC);
      const beforeReplay = rejected('replay');
      const hello = createMessage({ type: 'hello', from: c.file.instanceId, to: c.file.controlPlane.id, body: { sid: 'replay-test' } });
      const captured = signEnvelope(hello, c.file.instanceId, c.signing.secretKey);
      await asC.publishAsync(topics.up(c.file.instanceId), captured, { qos: 1 });
      await cp.untilOnline(c.file.instanceId, 'the valid message was accepted');
      await asC.publishAsync(topics.up(c.file.instanceId), captured, { qos: 1 });
      await eventually(async () => rejected('replay') === beforeReplay + 1, 'the replay was counted');
      const audit = await readAudit(cp.dataDir);
      assert.ok(audit.some((r) => r.outcome === 'rejected' && r.errorCode === 'replay'));
    });

    it('an agent does not act on a forged message published straight to its down topic by a broker-privileged client', async () => {
      const forger = generateSigningKeyPair();
      const forged = createMessage({ type: 'deregistered', from: a.file.controlPlane.id, to: a.file.instanceId, body: { reason: 'forged' } });
      await privileged.publishAsync(topics.down(a.file.instanceId), signEnvelope(forged, a.file.controlPlane.id, forger.secretKey), { qos: 1 });
      // The agent refuses it and reports the refusal; the control plane counts and audits that report.
      await eventually(async () => cp.running.counters.get('tender_agent_rejected_total', { reason: 'bad_signature' }) >= 1, 'the agent reported the refusal');
      assert.equal(agentA.child.exitCode, null, 'agent A is still running: the forged deregistration was not obeyed');
      assert.equal((await cp.describe(a.file.instanceId))?.PingStatus, 'Online');
      assert.match(agentA.output, /refused a message/);
      const audit = await readAudit(cp.dataDir);
      assert.ok(audit.some((r) => r.caller === `agent:${a.file.instanceId}` && r.operation === 'agent:message-refused' && r.errorCode === 'bad_signature'));
    });
  });
}
