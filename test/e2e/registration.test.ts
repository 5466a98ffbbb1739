import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DescribeActivationsCommand } from '@aws-sdk/client-ssm';
import { parseOsRelease } from '@tender/agent';
import { BROKERS, brokerFor } from '../support/brokers.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import type { MosquittoInstance } from '../support/mosquitto.js';
import { AGENT_BIN, eventually, LiveProcess, REPO_ROOT, runCli } from '../support/processes.js';

const agentVersion = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'packages/agent/package.json'), 'utf8')).version as string;
const osRelease = parseOsRelease(await fs.readFile('/etc/os-release', 'utf8').catch(() => ''));

for (const kind of BROKERS) {
  describe(`registration and presence, end to end (${kind} broker)`, function () {
    this.timeout(60000);
    let mosquitto: MosquittoInstance | undefined;
    let cp: TestControlPlane;
    let work: string;
    const agents: LiveProcess[] = [];

    before(async function () {
      mosquitto = await brokerFor(kind, this);
      cp = await startTestControlPlane({ mosquitto, heartbeatSeconds: 2 });
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-e2e-'));
    });
    after(async () => {
      await Promise.all(agents.map((a) => a.kill('SIGKILL')));
      await cp?.stop();
      await mosquitto?.stop();
      if (work) await fs.rm(work, { recursive: true, force: true });
    });

    it('CreateActivation → agent process registers → Online with its platform fields; kill -9 → ConnectionLost; restart → Online with the same id', async () => {
      const activation = await cp.createActivation({ limit: 2, name: 'web-1', tags: [{ Key: 'Env', Value: 'test' }] });
      const stateDir = path.join(work, 'agent-a');
      const registered = await runCli(AGENT_BIN, ['register', '--endpoint', cp.running.endpoint, '--id', activation.id, '--code', activation.code, '--state-dir', stateDir, '--json']);
      assert.equal(registered.code, 0, registered.stderr);
      const { instanceId } = JSON.parse(registered.stdout) as { instanceId: string };
      assert.match(instanceId, /^mi-[0-9a-f]{17}$/);
      assert.equal((await fs.stat(path.join(stateDir, 'identity.json'))).mode & 0o777, 0o600, 'identity readable by its owner only');

      const agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
      agents.push(agent);
      const online = await eventually(async () => {
        const info = await cp.describe(instanceId);
        return info?.PingStatus === 'Online' && info.PlatformName ? info : undefined;
      }, 'the agent to come Online');
      assert.equal(online.PlatformType, 'Linux');
      assert.equal(online.PlatformName, osRelease.NAME);
      assert.equal(online.PlatformVersion, osRelease.VERSION_ID);
      assert.equal(online.ComputerName, os.hostname());
      assert.equal(online.AgentVersion, agentVersion);
      assert.ok(net.isIP(online.IPAddress ?? ''), `IPAddress ${online.IPAddress} is an IP address`);
      assert.equal(online.ResourceType, 'ManagedInstance');
      assert.equal(online.Name, 'web-1');
      assert.equal(online.ActivationId, activation.id);
      assert.equal(online.IamRole, 'TestRole');
      assert.ok(online.RegistrationDate instanceof Date && online.LastPingDateTime instanceof Date);

      // Tags of the activation were copied onto the instance, and tag filters find it.
      const byTag = await cp.ssm.send(new (await import('@aws-sdk/client-ssm')).DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Env', Values: ['test'] }] }));
      assert.deepEqual(byTag.InstanceInformationList?.map((i) => i.InstanceId), [instanceId]);

      await agent.kill('SIGKILL');
      await eventually(async () => (await cp.describe(instanceId))?.PingStatus === 'ConnectionLost', 'ConnectionLost after kill -9');

      const again = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
      agents.push(again);
      await cp.untilOnline(instanceId, 'Online again after restart');
      const all = await cp.ssm.send(new (await import('@aws-sdk/client-ssm')).DescribeInstanceInformationCommand({}));
      assert.deepEqual(all.InstanceInformationList?.map((i) => i.InstanceId), [instanceId], 'the same instance, not a new one');

      // A clean stop says goodbye: ConnectionLost at once rather than after missed heartbeats.
      assert.equal(await again.kill('SIGTERM'), 0);
      await eventually(async () => (await cp.describe(instanceId))?.PingStatus === 'ConnectionLost', 'ConnectionLost after a clean stop', 3000);
    });

    it('marks an agent ConnectionLost when its heartbeats stop without a Last Will (SIGSTOP)', async () => {
      const activation = await cp.createActivation();
      const stateDir = path.join(work, 'agent-frozen');
      const registered = await runCli(AGENT_BIN, ['register', '--endpoint', cp.running.endpoint, '--id', activation.id, '--code', activation.code, '--state-dir', stateDir, '--json']);
      assert.equal(registered.code, 0, registered.stderr);
      const { instanceId } = JSON.parse(registered.stdout) as { instanceId: string };
      const agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
      agents.push(agent);
      await cp.untilOnline(instanceId, 'Online');
      agent.child.kill('SIGSTOP'); // the socket stays open: no will is published, only heartbeats stop
      try {
        await eventually(async () => (await cp.describe(instanceId))?.PingStatus === 'ConnectionLost', 'ConnectionLost from missed heartbeats', 20000);
      } finally {
        agent.child.kill('SIGCONT');
      }
      await cp.untilOnline(instanceId, 'Online again once it resumes', 20000);
    });

    it('deregistering an instance stops its agent with a clear message and refuses it afterwards', async () => {
      const activation = await cp.createActivation();
      const stateDir = path.join(work, 'agent-dereg');
      const registered = await runCli(AGENT_BIN, ['register', '--endpoint', cp.running.endpoint, '--id', activation.id, '--code', activation.code, '--state-dir', stateDir, '--json']);
      const { instanceId } = JSON.parse(registered.stdout) as { instanceId: string };
      const agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
      agents.push(agent);
      await cp.untilOnline(instanceId, 'Online');
      const { DeregisterManagedInstanceCommand } = await import('@aws-sdk/client-ssm');
      await cp.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: instanceId }));
      assert.equal(await agent.exited, 3, 'the agent stops with exit code 3');
      assert.match(agent.output, /deregistered/i);
      assert.equal(await cp.describe(instanceId), undefined);
      // Started again, it is refused by the broker and stops rather than retrying forever.
      const again = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
      agents.push(again);
      assert.equal(await again.exited, 3);
      assert.match(again.output, /refused this agent/);
    });

    it('refuses registration beyond RegistrationLimit, after ExpirationDate and with a wrong code, each with a clear error; DescribeActivations shows the counts', async () => {
      const limited = await cp.createActivation({ limit: 1 });
      const register = (id: string, code: string, dir: string) =>
        runCli(AGENT_BIN, ['register', '--endpoint', cp.running.endpoint, '--id', id, '--code', code, '--state-dir', path.join(work, dir)]);
      assert.equal((await register(limited.id, limited.code, 'lim-1')).code, 0);
      const over = await register(limited.id, limited.code, 'lim-2');
      assert.equal(over.code, 1);
      assert.match(over.message, /reached its registration limit of 1/);

      const typo = await register(limited.id, `${limited.code.slice(0, -1)}x`, 'typo');
      assert.equal(typo.code, 1);
      assert.match(typo.message, /activation code does not match/);
      await assert.rejects(fs.access(path.join(work, 'typo', 'identity.json')), 'no identity is written for a refused registration');

      const short = await cp.createActivation({ expiresInMs: 1500 });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const late = await register(short.id, short.code, 'late');
      assert.equal(late.code, 1);
      assert.match(late.message, /expired/);

      const unknown = await register('00000000-0000-4000-8000-000000000000', limited.code, 'unknown');
      assert.match(unknown.message, /does not exist/);

      const listed = await cp.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [limited.id, short.id] }] }));
      const byId = new Map(listed.ActivationList?.map((a) => [a.ActivationId, a]));
      assert.equal(byId.get(limited.id)?.RegistrationsCount, 1);
      assert.equal(byId.get(limited.id)?.Expired, false);
      assert.equal(byId.get(short.id)?.RegistrationsCount, 0);
      assert.equal(byId.get(short.id)?.Expired, true);
    });
  });
}
