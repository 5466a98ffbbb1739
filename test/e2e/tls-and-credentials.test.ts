import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_DEFAULTS, startControlPlane, type RunningControlPlane } from '@tender/server';
import { pino } from 'pino';
import { readAdminKey } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess, REPO_ROOT, runCli } from '../support/processes.js';

/** What an operator's script does: the AWS SDK with nothing but the shared files Tender wrote, in its own process. */
const SDK_SCRIPT = `
import { SSMClient, DescribeInstanceInformationCommand, CreateActivationCommand } from '@aws-sdk/client-ssm';
const client = new SSMClient({ endpoint: process.env.ENDPOINT });
const op = process.env.OP;
const result = op === 'create'
  ? await client.send(new CreateActivationCommand({ IamRole: 'TlsRole', RegistrationLimit: 1 }))
  : await client.send(new DescribeInstanceInformationCommand({}));
console.log(JSON.stringify({ region: await client.config.region(), result }));
`;

function sdk(env: Record<string, string>): Promise<{ region: string; result: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    void import('node:child_process').then(({ execFile }) =>
      execFile(process.execPath, ['--input-type=module', '-e', SDK_SCRIPT], { cwd: REPO_ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as { region: string; result: Record<string, unknown> }),
      ),
    );
  });
}

describe('TLS for the API and the embedded broker, and the AWS shared credential files, end to end', function () {
  this.timeout(60000);
  let work: string;
  let running: RunningControlPlane;
  let certFile: string;
  const processes: LiveProcess[] = [];

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-tls-'));
    certFile = path.join(work, 'server.crt');
    const keyFile = path.join(work, 'server.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    running = await startControlPlane(
      { ...SERVER_DEFAULTS, dataDir: path.join(work, 'cp'), region: 'eu-west-3', httpPort: 0, mqttPort: 0, heartbeatSeconds: 2, tlsCertFile: certFile, tlsKeyFile: keyFile },
      { logger: pino({ level: 'silent' }) },
    );
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await running?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('serves HTTPS and MQTTS: an agent registers over https with the CA and connects over mqtts', async () => {
    assert.match(running.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(running.agentBrokerUrl, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const files = { AWS_SHARED_CREDENTIALS_FILE: running.credentialsFile, AWS_CONFIG_FILE: path.join(running.dataDir, 'config'), AWS_PROFILE: 'tender', NODE_EXTRA_CA_CERTS: certFile, ENDPOINT: running.endpoint };
    const created = await sdk({ ...files, OP: 'create' });
    assert.equal(created.region, 'eu-west-3', 'the region comes from the profile Tender wrote');
    const { ActivationId, ActivationCode } = created.result as { ActivationId: string; ActivationCode: string };

    const stateDir = path.join(work, 'agent');
    const withoutCa = await runCli(AGENT_BIN, ['register', '--endpoint', running.endpoint, '--id', ActivationId, '--code', ActivationCode, '--state-dir', stateDir]);
    assert.equal(withoutCa.code, 1, 'a certificate nobody vouched for is refused');
    assert.match(withoutCa.message, /self-signed certificate|unable to verify|certificate/i);
    const registered = await runCli(AGENT_BIN, ['register', '--endpoint', running.endpoint, '--id', ActivationId, '--code', ActivationCode, '--state-dir', stateDir, '--ca', certFile, '--json']);
    assert.equal(registered.code, 0, registered.stderr);
    const { instanceId } = JSON.parse(registered.stdout) as { instanceId: string };
    const agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
    processes.push(agent);
    await eventually(async () => running.registry.get(instanceId)?.PingStatus === 'Online', 'the agent Online over mqtts');

    const described = await sdk({ ...files, OP: 'describe' });
    const list = (described.result as { InstanceInformationList: Array<{ InstanceId: string; PingStatus: string }> }).InstanceInformationList;
    assert.deepEqual(list.map((i) => [i.InstanceId, i.PingStatus]), [[instanceId, 'Online']]);
  });

  it('writes the credential files readable by their owner only, with no other secret in them', async () => {
    const key = await readAdminKey(running.credentialsFile);
    assert.match(key.accessKeyId, /^TKIA/);
    const storeFiles = ['store.json', 'store.journal'].map((name) => path.join(running.dataDir, name));
    for (const file of [running.credentialsFile, path.join(running.dataDir, 'identity.json'), ...storeFiles, path.join(running.dataDir, 'audit.log')]) {
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600, `${file} is 0600`);
    }
    for (const file of storeFiles) {
      const store = await fs.readFile(file, 'utf8');
      assert.ok(!store.includes(key.secretAccessKey), `the secret access key is sealed in the store, not in plaintext in ${file}`);
    }
  });
});
