/**
 * "Bad input", end to end: malformed config or flags, an unreachable endpoint, a broker that is down when the
 * agent starts, a corrupt or unreadable state file, a typo in the activation code, a second agent on the same
 * state dir. Each gets a clear message (matched after undoing oclif's wrapping) and the right exit code, and
 * nothing already on disk is lost. Real processes throughout: bin/tender.js and bin/tender-agent.js.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brokerFor } from '../support/brokers.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import type { MosquittoInstance } from '../support/mosquitto.js';
import { AGENT_BIN, eventually, LiveProcess, runCli, TENDER_BIN, type RunResult } from '../support/processes.js';
import { freePort } from '../support/ports.js';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Settings a developer's shell may carry that would change what a client command talks to or signs with. */
const CLEAN_CLIENT_ENV: NodeJS.ProcessEnv = {
  TENDER_ENDPOINT: undefined,
  TENDER_DATA_DIR: undefined,
  TENDER_PROFILE: undefined,
  TENDER_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
};

/** Variables of `tender server start` (flags have them): none may leak in from the shell running the tests. */
const CLEAN_SERVER_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  [
    'CONFIG', 'DATA_DIR', 'HTTP_HOST', 'HTTP_PORT', 'MQTT_HOST', 'MQTT_PORT', 'MQTT_URL', 'MQTT_USERNAME', 'MQTT_PASSWORD', 'MQTT_CA',
    'AGENT_MQTT_URL', 'TLS_CERT', 'TLS_KEY', 'REGION', 'LOG_LEVEL', 'HEARTBEAT_SECONDS', 'SHARE_GROUP',
  ].map((name) => [`TENDER_${name}`, undefined]),
);

/** Fail with the whole output when a command did something else than expected. */
function explain(result: RunResult): string {
  return `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

describe('bad input, end to end', function () {
  this.timeout(60000);
  let work: string;
  const processes: LiveProcess[] = [];
  const controlPlanes: TestControlPlane[] = [];

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-bad-input-'));
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    for (const cp of controlPlanes) await cp.stop().catch(() => undefined);
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  /** A control plane in this process, stopped (and its temp dir removed) after the suite. */
  async function controlPlane(options: Parameters<typeof startTestControlPlane>[0] = {}): Promise<TestControlPlane> {
    const cp = await startTestControlPlane(options);
    controlPlanes.push(cp);
    return cp;
  }

  function live(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): LiveProcess {
    const child = new LiveProcess(bin, args, env);
    processes.push(child);
    return child;
  }

  async function register(cp: TestControlPlane, stateDir: string): Promise<string> {
    const activation = await cp.createActivation();
    const result = await runCli(AGENT_BIN, ['register', '--endpoint', cp.running.endpoint, '--id', activation.id, '--code', activation.code, '--state-dir', stateDir, '--json']);
    assert.equal(result.code, 0, explain(result));
    return (JSON.parse(result.stdout) as { instanceId: string }).instanceId;
  }

  describe('tender server start: malformed config and flags', () => {
    const server = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(TENDER_BIN, ['server', 'start', ...args], { env: { ...CLEAN_SERVER_ENV, ...env } });

    it('a config file that is not JSON: exit 1 naming the file; nothing is created', async () => {
      const config = path.join(work, 'broken.json');
      await fs.writeFile(config, '{"httpPort": 8700,\n');
      const dataDir = path.join(work, 'data-broken');
      const result = await server(['--config', config, '--data-dir', dataDir]);
      assert.equal(result.code, 1, explain(result));
      assert.match(result.message, new RegExp(`config file ${config} is not valid JSON`));
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(await exists(dataDir), false, 'no data dir made for a start that was refused');
    });

    it('an unknown key in the config file: the message names it and lists the known ones', async () => {
      const config = path.join(work, 'typo.json');
      await fs.writeFile(config, JSON.stringify({ httpPort: 8700, mqttPrt: 1883 }));
      const result = await server(['--config', config, '--data-dir', path.join(work, 'data-typo')]);
      assert.equal(result.code, 1, explain(result));
      assert.match(result.message, /has unknown setting mqttPrt; known settings: .*\bhttpPort\b.*\bmqttPort\b/);
    });

    it('--http-port notanumber: a usage error (exit 2) naming the flag', async () => {
      const result = await server(['--http-port', 'notanumber', '--data-dir', path.join(work, 'data-nan')]);
      assert.equal(result.code, 2, explain(result));
      assert.match(result.message, /--http-port/);
      assert.match(result.message, /Expected an integer but received: notanumber/);
    });

    it('an invalid region from the environment (TENDER_REGION=mars): the message names the region', async () => {
      const dataDir = path.join(work, 'data-mars');
      const result = await server(['--data-dir', dataDir], { TENDER_REGION: 'mars' });
      assert.equal(result.code, 1, explain(result));
      assert.match(result.message, /invalid configuration: - region "mars" does not look like an AWS region/);
      assert.equal(await exists(dataDir), false);
    });

    it('--tls-cert without --tls-key, and --mqtt-url without credentials: each says what is missing', async () => {
      const tls = await server(['--tls-cert', path.join(work, 'server.crt'), '--data-dir', path.join(work, 'data-tls')]);
      assert.equal(tls.code, 1, explain(tls));
      assert.match(tls.message, /tls-cert and tls-key go together: give both or neither/);

      const mqtt = await server(['--mqtt-url', 'mqtt://127.0.0.1:1883', '--data-dir', path.join(work, 'data-mqtt')]);
      assert.equal(mqtt.code, 1, explain(mqtt));
      assert.match(mqtt.message, /an external broker \(mqtt-url\) needs mqtt-username and mqtt-password/);
    });

    it('a port already in use: exit 1 saying so and which setting to change; the data dir is not left locked', async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as net.AddressInfo;
      try {
        const dataDir = path.join(work, 'data-busy');
        const http = await server(['--data-dir', dataDir, '--http-port', String(port), '--mqtt-port', '0']);
        assert.equal(http.code, 1, explain(http));
        assert.match(http.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use: choose another with http-port`));
        assert.equal(await exists(path.join(dataDir, 'server.lock')), false, 'the lock is released');

        const mqtt = await server(['--data-dir', dataDir, '--http-port', '0', '--mqtt-port', String(port)]);
        assert.equal(mqtt.code, 1, explain(mqtt));
        assert.match(mqtt.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use: choose another with mqtt-port`));
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    it('layers settings: a flag beats the environment, which beats the config file', async () => {
      const filePort = await freePort();
      const envPort = await freePort();
      const config = path.join(work, 'layers.json');
      // region comes from all three, httpPort from the file and the environment, mqttHost from the file alone.
      await fs.writeFile(config, JSON.stringify({ httpPort: filePort, region: 'eu-west-1', mqttHost: 'localhost' }));
      const dataDir = path.join(work, 'data-layers');
      const cp = live(TENDER_BIN, ['server', 'start', '--config', config, '--data-dir', dataDir, '--mqtt-port', '0', '--region', 'eu-north-1'], {
        ...CLEAN_SERVER_ENV,
        TENDER_HTTP_PORT: String(envPort),
        TENDER_REGION: 'eu-west-2',
      });
      const [, endpoint, broker] = await cp.waitFor(/ready at (\S+) \(agents connect to (\S+)\)/);
      assert.equal(endpoint, `http://127.0.0.1:${envPort}`, 'the environment beats the file');
      assert.match(broker ?? '', /^mqtt:\/\/localhost:\d+$/, 'the file beats the defaults');
      const server = JSON.parse(await fs.readFile(path.join(dataDir, 'server.json'), 'utf8')) as { endpoint: string; region: string };
      assert.equal(server.endpoint, endpoint);
      assert.equal(server.region, 'eu-north-1', 'the flag beats the environment and the file');
      assert.equal(await cp.kill('SIGTERM'), 0);
    });
  });

  describe('tender-agent register: unreachable endpoint, bad URL, typo in the code', () => {
    it('a closed port: exit 1, "cannot reach the control plane ... connection refused", nothing written', async () => {
      const port = await freePort();
      const stateDir = path.join(work, 'reg-closed');
      const result = await runCli(AGENT_BIN, ['register', '--endpoint', `http://127.0.0.1:${port}`, '--id', 'some-id', '--code', 'some-code', '--state-dir', stateDir]);
      assert.equal(result.code, 1, explain(result));
      assert.match(result.message, new RegExp(`registration failed: cannot reach the control plane at http://127\\.0\\.0\\.1:${port}: connection refused`));
      assert.equal(await exists(path.join(stateDir, 'identity.json')), false);
    });

    it('an endpoint that is not a URL: exit 1 saying what an endpoint must be', async () => {
      for (const endpoint of ['tender.example:8700', 'http://[::1']) {
        const result = await runCli(AGENT_BIN, ['register', '--endpoint', endpoint, '--id', 'some-id', '--code', 'some-code', '--state-dir', path.join(work, 'reg-url')]);
        assert.equal(result.code, 1, explain(result));
        assert.match(result.message, /--endpoint must be an http:\/\/ or https:\/\/ URL, got /);
        assert.ok(result.message.includes(endpoint), `the message quotes ${endpoint}: ${result.message}`);
      }
    });

    it('a typo in the activation code: "activation code does not match", no identity written, the activation still usable', async () => {
      const cp = await controlPlane();
      const activation = await cp.createActivation({ limit: 1 });
      const stateDir = path.join(work, 'reg-typo');
      const args = ['register', '--endpoint', cp.running.endpoint, '--id', activation.id, '--state-dir', stateDir];
      const typo = `${activation.code.slice(0, -1)}${activation.code.endsWith('x') ? 'y' : 'x'}`;
      const refused = await runCli(AGENT_BIN, [...args, '--code', typo]);
      assert.equal(refused.code, 1, explain(refused));
      assert.match(refused.message, /registration failed: .*activation code does not match/);
      assert.equal(await exists(path.join(stateDir, 'identity.json')), false, 'no identity for a refused registration');
      // The typo did not use up the activation (limit 1): the right code still works.
      const accepted = await runCli(AGENT_BIN, [...args, '--code', activation.code]);
      assert.equal(accepted.code, 0, explain(accepted));
    });
  });

  describe('a broker that is down when the agent starts', () => {
    it('Mosquitto down: the agent keeps running, logging that it is not connected and retrying', async function () {
      const mosquitto: MosquittoInstance | undefined = await brokerFor('mosquitto', this);
      assert.ok(mosquitto);
      const stateDir = path.join(work, 'down-mosquitto');
      try {
        const cp = await controlPlane({ mosquitto });
        await register(cp, stateDir);
        await cp.stop();
      } finally {
        await mosquitto.stop();
      }
      const agent = live(AGENT_BIN, ['start', '--state-dir', stateDir]);
      await agent.waitFor(/"msg":"not connected to the control plane; retrying"/);
      await delay(3000);
      assert.equal(agent.child.exitCode, null, `still running after 3 s:\n${agent.output}`);
      assert.doesNotMatch(agent.output, /"level":"(error|fatal)"/, 'a broker that is down is not an error that stops it');
      assert.equal(await agent.kill('SIGTERM'), 0, 'a clean stop, even while disconnected');
    });

    it('control plane (embedded broker) down: the agent retries, and comes Online once it is back, without a restart', async () => {
      const dataDir = path.join(work, 'down-cp-data');
      const stateDir = path.join(work, 'down-cp-agent');
      const first = await controlPlane({ dataDir });
      const instanceId = await register(first, stateDir);
      const httpPort = Number(new URL(first.running.endpoint).port);
      const mqttPort = Number(new URL(first.running.agentBrokerUrl).port);
      await first.stop();

      // The default backoff grows to a minute; a shorter cap (the transport's own setting) keeps this test short.
      const identityFile = path.join(stateDir, 'identity.json');
      const identity = JSON.parse(await fs.readFile(identityFile, 'utf8')) as { transport: { settings: Record<string, unknown> } };
      identity.transport.settings.backoff = { baseMs: 200, capMs: 1000 };
      await fs.writeFile(identityFile, JSON.stringify(identity));

      const agent = live(AGENT_BIN, ['start', '--state-dir', stateDir]);
      await agent.waitFor(/"msg":"not connected to the control plane; retrying"/);
      await delay(3000);
      assert.equal(agent.child.exitCode, null, `still running after 3 s:\n${agent.output}`);

      const again = await controlPlane({ dataDir, httpPort, mqttPort });
      const online = await again.untilOnline(instanceId, 'the agent to come Online once the control plane is back', 20000);
      assert.equal(online.InstanceId, instanceId);
      assert.equal(agent.child.exitCode, null, 'the same process, never restarted');
      assert.match(agent.output, /"msg":"connected to the control plane"/);
      assert.equal(await agent.kill('SIGTERM'), 0);
    });
  });

  describe('a corrupt or unreadable identity', () => {
    it('truncated identity.json: start exits 1 naming the file; register without --force refuses; the file is byte-for-byte unchanged', async () => {
      const stateDir = path.join(work, 'corrupt');
      await fs.mkdir(stateDir, { mode: 0o700 });
      const file = path.join(stateDir, 'identity.json');
      const corrupt = Buffer.from('{"format":1,"instanceId":"mi-0123456789abcdef0","keys":{"signingSecretKey":"AAAA');
      await fs.writeFile(file, corrupt, { mode: 0o600 });

      const start = await runCli(AGENT_BIN, ['start', '--state-dir', stateDir]);
      assert.equal(start.code, 1, explain(start));
      assert.match(start.message, new RegExp(`${file} is corrupt \\(.+\\); it was left untouched`));
      assert.doesNotMatch(start.stderr, /^\s+at /m, 'no stack trace');
      assert.deepEqual(await fs.readFile(file), corrupt);
      assert.deepEqual(await fs.readdir(stateDir), ['identity.json'], 'no lock or temp file left behind');

      const port = await freePort();
      const reg = await runCli(AGENT_BIN, ['register', '--endpoint', `http://127.0.0.1:${port}`, '--id', 'some-id', '--code', 'some-code', '--state-dir', stateDir]);
      assert.equal(reg.code, 1, explain(reg));
      assert.match(reg.message, /identity\.json is corrupt .* Refusing to register over it; use --force/);
      assert.deepEqual(await fs.readFile(file), corrupt, 'the keys are never overwritten');
      assert.deepEqual(await fs.readdir(stateDir), ['identity.json']);
    });

    it('an unreadable identity.json: a clear error naming the file', async () => {
      const stateDir = path.join(work, 'unreadable');
      await fs.mkdir(stateDir, { mode: 0o700 });
      const file = path.join(stateDir, 'identity.json');
      const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      if (asRoot) {
        await fs.mkdir(file); // root reads a mode-000 file anyway; a directory in its place cannot be read by anyone
      } else {
        await fs.writeFile(file, '{}', { mode: 0o600 });
        await fs.chmod(file, 0o000);
      }
      const start = await runCli(AGENT_BIN, ['start', '--state-dir', stateDir]);
      assert.equal(start.code, 1, explain(start));
      assert.match(start.message, new RegExp(`cannot read ${file}: ${asRoot ? 'EISDIR' : 'EACCES'}`));
      assert.doesNotMatch(start.stderr, /^\s+at /m, 'no stack trace');

      const status = await runCli(AGENT_BIN, ['status', '--state-dir', stateDir]);
      assert.equal(status.code, 1, explain(status));
      assert.match(status.message, new RegExp(`cannot read ${file}`));
    });

    it('a state dir that does not exist: start says the agent is not registered', async () => {
      const stateDir = path.join(work, 'never-registered');
      const start = await runCli(AGENT_BIN, ['start', '--state-dir', stateDir]);
      assert.equal(start.code, 1, explain(start));
      assert.match(start.message, /this agent is not registered \(no .*identity\.json\): run tender-agent register/);
      assert.equal(await exists(stateDir), false, 'start creates nothing');
    });
  });

  describe('one agent per state dir', () => {
    let cp: TestControlPlane;
    let stateDir: string;
    let instanceId: string;

    before(async () => {
      cp = await controlPlane();
      stateDir = path.join(work, 'shared-state');
      instanceId = await register(cp, stateDir);
    });

    it('a second agent on the same state dir exits 1 at once naming the first; the first stays Online', async () => {
      const first = live(AGENT_BIN, ['start', '--state-dir', stateDir]);
      await cp.untilOnline(instanceId, 'the first agent Online');
      const second = await runCli(AGENT_BIN, ['start', '--state-dir', stateDir], { timeoutMs: 15000 });
      assert.equal(second.code, 1, explain(second));
      assert.ok(second.message.includes(`another process (pid ${first.pid}) is already using ${stateDir}`), second.message);
      // The second never connected, so it could not take over the first's session: the first is still there.
      await delay(500);
      assert.equal(first.child.exitCode, null, `the first agent keeps running:\n${first.output}`);
      assert.equal((await cp.describe(instanceId))?.PingStatus, 'Online');
      assert.equal((await fs.readFile(path.join(stateDir, 'agent.lock'), 'utf8')).trim(), String(first.pid), 'the lock is still the first agent\'s');
      assert.equal(await first.kill('SIGTERM'), 0);
      assert.equal(await exists(path.join(stateDir, 'agent.lock')), false, 'a clean stop releases the lock');
    });

    it('an agent killed with SIGKILL leaves its lock behind; the next start takes it over and comes Online', async () => {
      const killed = live(AGENT_BIN, ['start', '--state-dir', stateDir]);
      await cp.untilOnline(instanceId, 'Online');
      await killed.kill('SIGKILL');
      assert.equal((await fs.readFile(path.join(stateDir, 'agent.lock'), 'utf8')).trim(), String(killed.pid), 'the stale lock is still there');
      await eventually(async () => (await cp.describe(instanceId))?.PingStatus === 'ConnectionLost', 'ConnectionLost after kill -9');

      const next = live(AGENT_BIN, ['start', '--state-dir', stateDir]);
      await cp.untilOnline(instanceId, 'Online again after the stale lock was taken over');
      assert.equal(next.child.exitCode, null);
      assert.equal((await fs.readFile(path.join(stateDir, 'agent.lock'), 'utf8')).trim(), String(next.pid));
      assert.equal(await next.kill('SIGTERM'), 0);
    });

    it('a cloned host (the state dir copied to another one): both agents say the broker keeps closing their connection and name the likely cause; they back off', async () => {
      const cloneDir = path.join(work, 'cloned-state');
      // A short cap (the transport's own setting) keeps this test short; the default grows to a minute.
      const identityFile = path.join(stateDir, 'identity.json');
      const identity = JSON.parse(await fs.readFile(identityFile, 'utf8')) as { transport: { settings: Record<string, unknown> } };
      identity.transport.settings.backoff = { baseMs: 100, capMs: 800 };
      await fs.writeFile(identityFile, JSON.stringify(identity));
      await fs.cp(stateDir, cloneDir, { recursive: true });
      await fs.rm(path.join(cloneDir, 'agent.lock'), { force: true });

      const original = live(AGENT_BIN, ['start', '--state-dir', stateDir]);
      await cp.untilOnline(instanceId, 'the original Online');
      const clone = live(AGENT_BIN, ['start', '--state-dir', cloneDir]);
      const hint = /"msg":"not connected to the control plane; retrying".*closed the connection \d+ ms after accepting it, \d+ times in a row\. Is another host running with this agent's identity \(a cloned disk or image\)\?/;
      await original.waitFor(hint, 20000);
      await clone.waitFor(hint, 20000);
      // Each connection makes a hello; without the backoff the two made dozens a second between them.
      const connections = (output: string) => output.match(/"msg":"connected to the control plane"/g)?.length ?? 0;
      const before = connections(original.output) + connections(clone.output);
      await delay(3000);
      const during = connections(original.output) + connections(clone.output) - before;
      assert.ok(during <= 20, `at most 20 connections between the two in 3 s (their delays grow to 800 ms), not dozens: ${during}`);
      assert.equal(original.child.exitCode, null);
      assert.equal(clone.child.exitCode, null);
      // The control plane says it too, where the operator looks (its log, and this counter).
      const churnWarnings = async () => Number(/^tender_instance_session_churn_total (\d+)$/m.exec(await (await fetch(new URL('/metrics', cp.running.endpoint))).text())?.[1] ?? 0);
      assert.ok(await eventually(async () => (await churnWarnings()) >= 1 || undefined, 'the control plane\'s churn warning', 20000));

      // The clone goes away: the original keeps its session.
      assert.equal(await clone.kill('SIGTERM'), 0);
      await cp.untilOnline(instanceId, 'the original Online again once the clone is gone', 20000);
      assert.equal(await original.kill('SIGTERM'), 0);
    });
  });

  describe('tender client commands: no control plane, unreachable, wrong credentials', () => {
    const client = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(TENDER_BIN, args, { env: { ...CLEAN_CLIENT_ENV, ...env } });

    it('no control plane on the data dir: exit 1 saying how to start one', async () => {
      const empty = path.join(work, 'client-empty');
      await fs.mkdir(empty);
      const result = await client(['instances', 'list', '--data-dir', empty]);
      assert.equal(result.code, 1, explain(result));
      assert.match(result.message, /no control plane to talk to: none is running on .*client-empty.*Give --endpoint URL .* or start one with: tender server start --data-dir/);
    });

    it('--endpoint at a closed port: exit 4 and "cannot reach", for SSM operations and Tender\'s own alike', async () => {
      const port = await freePort();
      const empty = path.join(work, 'client-empty-2');
      const env = { AWS_ACCESS_KEY_ID: 'TKIAAAAAAAAAAAAAAAAA', AWS_SECRET_ACCESS_KEY: 'not-a-secret' };
      for (const command of [['instances', 'list'], ['activations', 'list'], ['access-keys', 'list']]) {
        const result = await client([...command, '--endpoint', `http://127.0.0.1:${port}`, '--data-dir', empty], env);
        assert.equal(result.code, 4, `${command.join(' ')}: ${explain(result)}`);
        assert.match(result.message, new RegExp(`cannot reach the control plane at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`), command.join(' '));
      }
      const notUrl = await client(['instances', 'list', '--endpoint', 'tender.example', '--data-dir', empty], env);
      assert.equal(notUrl.code, 1, explain(notUrl));
      assert.match(notUrl.message, /the endpoint must be an http:\/\/ or https:\/\/ URL, got tender\.example/);
    });

    it('a wrong secret: exit 3 InvalidSignatureException; an unknown access key: exit 3 UnrecognizedClientException', async () => {
      const cp = await controlPlane();
      const empty = path.join(work, 'client-empty-3');
      const base = ['instances', 'list', '--endpoint', cp.running.endpoint, '--data-dir', empty];
      const wrongSecret = await client(base, { AWS_ACCESS_KEY_ID: cp.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: `${cp.admin.secretAccessKey}x` });
      assert.equal(wrongSecret.code, 3, explain(wrongSecret));
      assert.match(wrongSecret.message, /InvalidSignatureException/);

      const unknownKey = await client(base, { AWS_ACCESS_KEY_ID: 'TKIAUNKNOWNUNKNOWN00', AWS_SECRET_ACCESS_KEY: cp.admin.secretAccessKey });
      assert.equal(unknownKey.code, 3, explain(unknownKey));
      assert.match(unknownKey.message, /UnrecognizedClientException/);

      // Tender's own operations (signed by the CLI itself) answer the same way.
      const ownOperation = await client(['access-keys', 'list', '--endpoint', cp.running.endpoint, '--data-dir', empty], { AWS_ACCESS_KEY_ID: cp.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: 'wrong' });
      assert.equal(ownOperation.code, 3, explain(ownOperation));
      assert.match(ownOperation.message, /InvalidSignatureException/);
    });
  });
});
