import assert from 'node:assert/strict';
import type { Transport, TransportFactory, TransportStatus } from '@tender/plugin-api';
import { generateSigningKeyPair } from '@tender/protocol';
import { Agent, type AgentIdentity, type PlatformInfo } from '../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function identity(): AgentIdentity {
  return {
    file: { instanceId: 'mi-0123456789abcdef0', controlPlane: { id: 'cp-test' }, transport: { name: 'manual', settings: {} } },
    signing: generateSigningKeyPair(),
  } as unknown as AgentIdentity;
}

/** A transport the test connects by hand; it records every send the agent tries. */
function manualTransport() {
  const sent: Uint8Array[] = [];
  const statusHandlers: Array<(status: TransportStatus) => void> = [];
  let connected = false;
  let wake: Array<() => void> = [];
  let stopped = false;
  const transport: Transport = {
    start() {},
    async send(payload) {
      sent.push(payload);
      while (!connected) {
        if (stopped) throw new Error('stopped');
        await new Promise<void>((resolve) => wake.push(resolve));
      }
      if (stopped) throw new Error('stopped');
    },
    onMessage() {},
    onStatus(handler) {
      statusHandlers.push(handler);
    },
    async stop() {
      stopped = true;
      for (const resolve of wake) resolve();
      wake = [];
    },
  };
  return {
    sent,
    factory: { create: () => transport } satisfies TransportFactory,
    connect() {
      connected = true;
      for (const handler of statusHandlers) handler({ state: 'connected' });
      for (const resolve of wake) resolve();
      wake = [];
    },
  };
}

describe('agent: stopped while still starting (SIGTERM during start-up must end the process)', () => {
  it('a stop() before start() ends the agent, and start() then connects nothing', async () => {
    let created = 0;
    const transport: TransportFactory = {
      create() {
        created++;
        throw new Error('no transport may be created after stop()');
      },
    };
    const agent = new Agent({ identity: identity(), transport, logger: silent });
    await agent.stop();
    agent.start();
    assert.equal(created, 0);
    assert.deepEqual(await agent.exited, { code: 0, reason: 'stopped' });
  });

  it('a connection that completes while stop() waits to say goodbye starts no heartbeat (its timer would keep the process alive)', async () => {
    const manual = manualTransport();
    const info = { PlatformName: 'Test' } as unknown as PlatformInfo;
    const agent = new Agent({ identity: identity(), transport: manual.factory, logger: silent, heartbeatSeconds: 0.02, gatherInfo: async () => info });
    agent.start();
    const stopping = agent.stop(); // waits for the connection to send its goodbye
    manual.connect();
    await stopping;
    const sentAtStop = manual.sent.length;
    // Several heartbeat periods: a leaked heartbeat would have tried to send by now.
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(manual.sent.length, sentAtStop);
    assert.deepEqual(await agent.exited, { code: 0, reason: 'stopped' });
  });
});
