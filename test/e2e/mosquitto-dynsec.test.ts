import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connectAsync, ErrorWithReasonCode, ErrorWithSubackPacket } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { MosquittoDynsecAdmin, ensureDynsecDefaults, type DynsecResponse } from '@tender/server';
import * as support from '../support/mosquitto.js';
import type { MosquittoInstance } from '../support/mosquitto.js';

const A = 'mi-00000000000000001';
const B = 'mi-00000000000000002';
const down = (id: string): string => `tender/v1/i/${id}/down`;
const up = (id: string): string => `tender/v1/i/${id}/up`;
const SILENCE_MS = 500;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records every message a client receives, so a test can wait for one or assert that one never came. */
class Inbox {
  readonly messages: Array<{ topic: string; payload: string }> = [];
  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => this.messages.push({ topic, payload: payload.toString('utf8') }));
  }
  has(topic: string, payload: string): boolean {
    return this.messages.some((m) => m.topic === topic && m.payload === payload);
  }
  hasPayload(payload: string): boolean {
    return this.messages.some((m) => m.payload === payload);
  }
  async waitFor(topic: string, payload: string, ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.has(topic, payload)) {
      if (Date.now() > deadline) return false;
      await delay(10);
    }
    return true;
  }
}

function waitClose(client: MqttClient, ms: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function subackCodes(err: unknown): number[] {
  assert.ok(err instanceof ErrorWithSubackPacket, `expected a SUBACK failure, got ${String(err)}`);
  return err.packet.granted as number[];
}

function connackCode(err: unknown): number {
  assert.ok(err instanceof ErrorWithReasonCode, `expected a CONNACK refusal, got ${String(err)}`);
  return err.code;
}

describe('MosquittoDynsecAdmin against a real Mosquitto', function () {
  let broker: MosquittoInstance | undefined;
  let admin: MqttClient;
  let adminInbox: Inbox;
  let dynsec: MosquittoDynsecAdmin;
  const clients: MqttClient[] = [];
  const passwords = { a1: `a1-${randomUUID()}`, a2: `a2-${randomUUID()}`, b1: `b1-${randomUUID()}`, b2: `b2-${randomUUID()}` };
  let failed = false;

  async function connectAs(username: string, password: string, protocolVersion: 4 | 5 = 4, extra: IClientOptions = {}): Promise<MqttClient> {
    assert.ok(broker);
    const client = await connectAsync(
      broker.url,
      {
        username,
        password,
        protocolVersion,
        clientId: `${username}-${randomUUID().slice(0, 8)}`,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...extra,
      },
      false,
    );
    clients.push(client);
    return client;
  }

  async function refusal(username: string, password: string, protocolVersion: 4 | 5): Promise<number> {
    try {
      const client = await connectAs(username, password, protocolVersion);
      client.end(true);
    } catch (err) {
      return connackCode(err);
    }
    assert.fail(`${username} connected with MQTT ${protocolVersion === 4 ? '3.1.1' : '5'}`);
  }

  before(async function () {
    if (!support.mosquittoAvailable()) {
      if (process.env.CI) throw new Error('Mosquitto with the dynamic-security plugin is required in CI (apt-get install mosquitto mosquitto-clients)');
      console.log('      (Mosquitto with mosquitto_ctrl and the dynamic-security plugin is not installed: skipping)');
      this.skip();
    }
    broker = await support.startMosquitto();
    admin = await connectAs(broker.adminUsername, broker.adminPassword, 5);
    adminInbox = new Inbox(admin);
    await ensureDynsecDefaults(admin);
    dynsec = new MosquittoDynsecAdmin(admin, { timeoutMs: 5000 });
    await admin.subscribeAsync(['tender/v1/i/+/up', 'tender/v1/i/+/down'], { qos: 1 });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async function () {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await dynsec?.close();
    if (broker && failed) {
      const log = await readFile(broker.logFile, 'utf8').catch(() => '');
      console.log(`--- tail of ${broker.logFile} ---\n${log.trimEnd().split('\n').slice(-60).join('\n')}`);
    }
    await broker?.stop();
  });

  it('denies by default whatever no role grants', async function () {
    const [response] = await dynsec.execute([{ command: 'getDefaultACLAccess' }]);
    const data = (response as DynsecResponse).data as { acls: Array<{ acltype: string; allow: boolean }> };
    const access = Object.fromEntries(data.acls.map((acl) => [acl.acltype, acl.allow]));
    assert.deepEqual(access, { publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: true });
  });

  it('creates two agent accounts', async function () {
    await dynsec.upsertAgent(A, passwords.a1);
    await dynsec.upsertAgent(B, passwords.b1);
  });

  for (const version of [4, 5] as const) {
    it(`delivers the control plane's message on the agent's own down topic (MQTT ${version === 4 ? '3.1.1' : '5'})`, async function () {
      const agent = await connectAs(A, passwords.a1, version);
      const inbox = new Inbox(agent);
      const granted = await agent.subscribeAsync(down(A), { qos: 1 });
      assert.deepEqual(granted.map((g) => g.qos), [1]);
      const payload = `hello-${randomUUID()}`;
      await admin.publishAsync(down(A), payload, { qos: 1 });
      assert.ok(await inbox.waitFor(down(A), payload), 'agent did not receive its own down message');
      await agent.endAsync();
    });
  }

  it("refuses an agent's subscription to another agent's down topic, and never delivers it", async function () {
    const intruder = await connectAs(A, passwords.a1, 4);
    const intruder5 = await connectAs(A, passwords.a1, 5);
    const victim = await connectAs(B, passwords.b1, 4);
    const intruderInbox = new Inbox(intruder);
    const intruder5Inbox = new Inbox(intruder5);
    const victimInbox = new Inbox(victim);
    await victim.subscribeAsync(down(B), { qos: 1 });

    for (const filter of [down(B), 'tender/v1/i/+/down', `tender/v1/i/${A}/#`, 'tender/#', '#']) {
      // MQTT 3.1.1 reports a refused subscription as granted QoS 0x80, MQTT 5 as reason code 0x87 (not authorized).
      await assert.rejects(intruder.subscribeAsync(filter, { qos: 1 }), (err) => {
        assert.deepEqual(subackCodes(err), [128], filter);
        return true;
      });
      await assert.rejects(intruder5.subscribeAsync(filter, { qos: 1 }), (err) => {
        assert.deepEqual(subackCodes(err), [135], filter);
        return true;
      });
    }

    const payload = `secret-${randomUUID()}`;
    await admin.publishAsync(down(B), payload, { qos: 1 });
    assert.ok(await victimInbox.waitFor(down(B), payload), 'agent B did not receive its own down message');
    await delay(SILENCE_MS);
    assert.equal(intruderInbox.hasPayload(payload), false, "agent A received agent B's down message");
    assert.equal(intruder5Inbox.hasPayload(payload), false, "agent A (MQTT 5) received agent B's down message");
    await Promise.all([intruder.endAsync(), intruder5.endAsync(), victim.endAsync()]);
  });

  it('accepts an agent publishing to its own up topic only', async function () {
    const agent = await connectAs(A, passwords.a1, 4);
    const forgedUp = `forged-up-${randomUUID()}`;
    const forgedDown = `forged-down-${randomUUID()}`;
    const other = `other-${randomUUID()}`;
    const genuine = `genuine-${randomUUID()}`;
    // MQTT 3.1.1 has no way to report a denied publish: the broker acknowledges and drops it.
    await agent.publishAsync(up(B), forgedUp, { qos: 1 });
    await agent.publishAsync(down(A), forgedDown, { qos: 1 });
    await agent.publishAsync('tender/v1/other', other, { qos: 1 });
    await agent.publishAsync(up(A), genuine, { qos: 1 });
    assert.ok(await adminInbox.waitFor(up(A), genuine), 'the control plane did not receive the agent up message');
    await delay(SILENCE_MS);
    assert.equal(adminInbox.hasPayload(forgedUp), false, "agent A published on agent B's up topic");
    assert.equal(adminInbox.hasPayload(forgedDown), false, 'agent A published on its own down topic');
    await agent.endAsync();

    // MQTT 5 reports it in the PUBACK.
    const agent5 = await connectAs(A, passwords.a1, 5);
    await assert.rejects(agent5.publishAsync(up(B), `forged5-${randomUUID()}`, { qos: 1 }), (err) => {
      assert.ok(err instanceof ErrorWithReasonCode);
      assert.equal(err.code, 135);
      return true;
    });
    const genuine5 = `genuine5-${randomUUID()}`;
    await agent5.publishAsync(up(A), genuine5, { qos: 1 });
    assert.ok(await adminInbox.waitFor(up(A), genuine5));
    await agent5.endAsync();
  });

  it("applies the same ACL to the agent's Last Will", async function () {
    const ownWill = `will-own-${randomUUID()}`;
    const forgedWill = `will-forged-${randomUUID()}`;
    const honest = await connectAs(A, passwords.a1, 4, { will: { topic: up(A), payload: Buffer.from(ownWill), qos: 1, retain: false } });
    const forger = await connectAs(A, passwords.a1, 4, { will: { topic: up(B), payload: Buffer.from(forgedWill), qos: 1, retain: false } });
    // Drop the sockets without DISCONNECT, so the broker sends the wills.
    honest.stream.destroy();
    forger.stream.destroy();
    assert.ok(await adminInbox.waitFor(up(A), ownWill), 'the will on its own up topic was not delivered');
    await delay(SILENCE_MS);
    assert.equal(adminInbox.hasPayload(forgedWill), false, "a will on another agent's up topic was delivered");
  });

  it('refuses a wrong password and an unknown user', async function () {
    // Mosquitto 2.0 answers 5 "not authorized" (3.1.1) / 0x87 (5); 4 / 0x86 "bad user name or password" would do too.
    assert.ok([4, 5].includes(await refusal(A, 'wrong', 4)));
    assert.ok([134, 135].includes(await refusal(A, 'wrong', 5)));
    assert.ok([4, 5].includes(await refusal('mi-0000000000000000f', passwords.a1, 4)));
    assert.ok([4, 5].includes(await refusal(A, passwords.b1, 4)));
  });

  it('removeAgent kicks a live connection, then refuses it', async function () {
    const agent = await connectAs(A, passwords.a1, 4);
    await agent.subscribeAsync(down(A), { qos: 1 });
    const closed = waitClose(agent, 3000);
    await dynsec.removeAgent(A);
    assert.ok(await closed, 'the live connection of the removed agent was not closed');
    assert.ok([4, 5].includes(await refusal(A, passwords.a1, 4)));
    await dynsec.removeAgent(A); // removing again is a no-op

    // Agent B is untouched.
    const other = await connectAs(B, passwords.b1, 4);
    const inbox = new Inbox(other);
    await other.subscribeAsync(down(B), { qos: 1 });
    const payload = `still-${randomUUID()}`;
    await admin.publishAsync(down(B), payload, { qos: 1 });
    assert.ok(await inbox.waitFor(down(B), payload));
    await other.endAsync();
  });

  it('re-creates an account with a new password, refusing the old one', async function () {
    await dynsec.upsertAgent(A, passwords.a2);
    assert.ok([4, 5].includes(await refusal(A, passwords.a1, 4)));
    const agent = await connectAs(A, passwords.a2, 4);
    const inbox = new Inbox(agent);
    await agent.subscribeAsync(down(A), { qos: 1 });
    const payload = `again-${randomUUID()}`;
    await admin.publishAsync(down(A), payload, { qos: 1 });
    assert.ok(await inbox.waitFor(down(A), payload));
    await agent.endAsync();
  });

  it('upsertAgent over a live account kicks the old connection', async function () {
    const agent = await connectAs(B, passwords.b1, 4);
    const closed = waitClose(agent, 3000);
    await dynsec.upsertAgent(B, passwords.b2);
    assert.ok(await closed, 'the connection made with the replaced password is still open');
    (await connectAs(B, passwords.b2, 4)).end(true);
  });

  it('lets the control plane use a shared subscription', async function () {
    assert.ok(broker);
    const replica = await connectAs(broker.adminUsername, broker.adminPassword, 5);
    const inbox = new Inbox(replica);
    const granted = await replica.subscribeAsync('$share/tender/tender/v1/i/+/up', { qos: 1 });
    assert.deepEqual(granted.map((g) => g.qos), [1]);
    const agent = await connectAs(A, passwords.a2, 4);
    const payload = `shared-${randomUUID()}`;
    await agent.publishAsync(up(A), payload, { qos: 1 });
    assert.ok(await inbox.waitFor(up(A), payload));
    await Promise.all([agent.endAsync(), replica.endAsync()]);
  });

  it('rejects ids that are not managed-instance ids', async function () {
    for (const id of ['mi-+', 'mi-#', `${A}/x`, 'mi-0000000000000001', 'mi-000000000000000001', 'i-00000000000000001', '']) {
      await assert.rejects(dynsec.upsertAgent(id, 'pw'), /invalid managed-instance id/);
      await assert.rejects(dynsec.removeAgent(id), /invalid managed-instance id/);
    }
  });

  it("quotes the broker's error text", async function () {
    await assert.rejects(dynsec.execute([{ command: 'deleteRole', rolename: 'no-such-role' }]), /deleteRole: "Role not found"/);
  });

  it('explains a client that may not use the dynamic-security topics', async function () {
    // An agent may not even subscribe to the response topic.
    const agent = await connectAs(B, passwords.b2, 4);
    const notAdmin = new MosquittoDynsecAdmin(agent, { timeoutMs: 1000 });
    await assert.rejects(notAdmin.upsertAgent(A, 'x'), /cannot subscribe to \$CONTROL\/dynamic-security\/v1\/response as mi-00000000000000002.*allowed on \$CONTROL\/dynamic-security\/#/);
    await notAdmin.close();

    // A user who may read the answers but not send commands (MQTT 3.1.1: dropped silently) times out.
    await dynsec.execute([
      {
        command: 'createRole',
        rolename: 'observer',
        acls: [
          { acltype: 'subscribePattern', topic: '$CONTROL/dynamic-security/#', allow: true },
          { acltype: 'publishClientReceive', topic: '$CONTROL/dynamic-security/#', allow: true },
        ],
      },
      { command: 'createClient', username: 'observer', password: 'observer-pw', roles: [{ rolename: 'observer' }] },
    ]);
    const observer = await connectAs('observer', 'observer-pw', 4);
    const slow = new MosquittoDynsecAdmin(observer, { timeoutMs: 300, perCommandMs: 50 });
    await assert.rejects(
      slow.upsertAgent(A, 'x'),
      (err: Error) => {
        assert.equal(
          err.message,
          'Mosquitto did not answer the dynamic-security command deleteClient within 500 ms (one message of 4 commands): ' +
            'is the dynamic-security plugin loaded and is observer allowed on $CONTROL/dynamic-security/#?',
        );
        return true;
      },
    );
    await slow.close();
    await assert.rejects(slow.removeAgent(A), /closed/);
    await Promise.all([agent.endAsync(), observer.endAsync()]);

    // The agent's account was not touched by either attempt.
    (await connectAs(A, passwords.a2, 4)).end(true);
  });

  it('sends the calls made while a message is in flight together, each answered on its own, none timing out', async function () {
    const bulk = new MosquittoDynsecAdmin(admin, { timeoutMs: 1000 });
    let messages = 0;
    const countRequests = (packet: { cmd: string; topic?: string }): void => {
      if (packet.cmd === 'publish' && packet.topic === '$CONTROL/dynamic-security/v1') messages++;
    };
    admin.on('packetsend', countRequests);
    try {
      const ids = Array.from({ length: 200 }, (_, i) => `mi-1${i.toString(16).padStart(16, '0')}`);
      const password = (id: string): string => `pw-${id}`;
      // One call in the middle of the batch fails: only that call rejects.
      const failing = Promise.all(ids.slice(0, 100).map((id) => bulk.upsertAgent(id, password(id))));
      const refused = bulk.execute([{ command: 'deleteRole', rolename: 'no-such-role' }]);
      const rest = Promise.all(ids.slice(100).map((id) => bulk.upsertAgent(id, password(id))));
      await failing;
      await assert.rejects(refused, /deleteRole: "Role not found"/);
      await rest;
      // The first call goes alone; the 200 made meanwhile (800 commands) fill messages of at most 256 commands.
      assert.ok(messages <= 5, `${messages} messages for 201 calls`);

      const [listed] = await dynsec.execute([{ command: 'listClients', verbose: false }]);
      const usernames = new Set(((listed as DynsecResponse).data as { clients: string[] }).clients);
      for (const id of ids) assert.ok(usernames.has(id), `${id} has no broker account`);
      // Each agent got its own password and role: the last one can connect and use its own down topic.
      const last = ids[199] as string;
      const agent = await connectAs(last, password(last), 5);
      assert.deepEqual((await agent.subscribeAsync(down(last), { qos: 1 })).map((g) => g.qos), [1]);
      await agent.endAsync();

      messages = 0;
      await Promise.all(ids.map((id) => bulk.removeAgent(id)));
      assert.ok(messages <= 3, `${messages} messages for 200 removals`);
      const [after] = await dynsec.execute([{ command: 'listClients', verbose: false }]);
      const left = ((after as DynsecResponse).data as { clients: string[] }).clients;
      assert.deepEqual(left.filter((u) => ids.includes(u)), []);
    } finally {
      admin.off('packetsend', countRequests);
      await bulk.close();
    }
  });

  it('close() fails each waiting call with its own error, and nothing rejects unhandled', async function () {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', record);
    try {
      const closing = new MosquittoDynsecAdmin(admin, { timeoutMs: 5000 });
      await closing.execute([{ command: 'getDefaultACLAccess' }]); // subscribed: the next call goes out at once
      const sent = closing.upsertAgent('mi-00000000000000003', 'pw');
      const queued = closing.removeAgent('mi-00000000000000004');
      for (let i = 0; i < 10; i++) await Promise.resolve(); // the first message is published, not yet answered
      await closing.close();
      const [sentOutcome, queuedOutcome] = await Promise.allSettled([sent, queued]);
      await delay(200); // the broker's late answer arrives and is ignored
      assert.deepEqual(unhandled.map(String), []);
      const reason = (outcome: PromiseSettledResult<void> | undefined): string =>
        outcome?.status === 'rejected' ? String(outcome.reason) : `not rejected: ${outcome?.status}`;
      assert.match(reason(sentOutcome), /closed before Mosquitto answered deleteClient, deleteRole, createRole, createClient$/);
      assert.match(reason(queuedOutcome), /closed before Mosquitto answered deleteClient, deleteRole$/);
      await assert.rejects(closing.execute([{ command: 'getDefaultACLAccess' }]), /admin is closed/);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
