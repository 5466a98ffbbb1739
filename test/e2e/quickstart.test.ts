import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readAdminKey } from '../support/control-plane.js';
import { runCli, TENDER_BIN } from '../support/processes.js';

/** Occupy a port on loopback, as another program would. */
async function occupy(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the README\'s first command: tender up on embedded defaults', function () {
  this.timeout(90000);
  let work: string;

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-up-'));
  });
  after(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('starts a control plane, registers a local agent, shows it Online, says which ports it took when the defaults are busy, and stops cleanly', async () => {
    const [busyHttp, busyMqtt] = [await occupy(), await occupy()];
    try {
      const dataDir = path.join(work, 'state');
      const first = await runCli(TENDER_BIN, ['up', '--once', '--data-dir', dataDir, '--http-port', String(busyHttp.port), '--mqtt-port', String(busyMqtt.port)], { timeoutMs: 60000 });
      assert.equal(first.code, 0, first.stderr + first.stdout);
      assert.match(first.stdout, new RegExp(`Port ${busyHttp.port} is taken; the API uses \\d+`));
      assert.match(first.stdout, new RegExp(`Port ${busyMqtt.port} is taken; the broker uses \\d+`));
      const instanceId = /Registered as (mi-[0-9a-f]{17})/.exec(first.stdout)?.[1];
      assert.ok(instanceId, first.stdout);
      assert.match(first.stdout, new RegExp(`${instanceId}\\s+local\\s+Online\\s+Linux`));
      assert.match(first.stdout, /First command \(SendCommand AWS-RunShellScript, [0-9a-f-]{36}\): Success, exit code 0/);
      assert.match(first.stdout, new RegExp(`\\| Hello from .*, instance ${instanceId}`));
      assert.match(first.stdout, /aws ssm describe-instance-information --endpoint-url http:\/\/127\.0\.0\.1:\d+/);
      assert.match(first.stdout, /AWS_SHARED_CREDENTIALS_FILE=/);

      // A second run reuses the agent's identity, and --json gives scripts the same facts.
      const second = await runCli(TENDER_BIN, ['up', '--once', '--json', '--data-dir', dataDir, '--http-port', String(busyHttp.port), '--mqtt-port', String(busyMqtt.port)], { timeoutMs: 60000 });
      assert.equal(second.code, 0, second.stderr);
      const result = JSON.parse(second.stdout) as { endpoint: string; credentialsFile: string; instance: { InstanceId: string; PingStatus: string }; firstCommand: { Status: string; StandardOutputContent: string } };
      assert.equal(result.firstCommand.Status, 'Success');
      assert.match(result.firstCommand.StandardOutputContent, new RegExp(`instance ${instanceId}`));
      assert.equal(result.instance.InstanceId, instanceId);
      assert.equal(result.instance.PingStatus, 'Online');

      // Nothing is left running: the ports it used are free again and the data dir is unlocked.
      await assert.rejects(fs.access(path.join(dataDir, 'server.lock')));
      await assert.rejects(fs.access(path.join(dataDir, 'agent', 'agent.lock')));
      // Without the default ports taken it uses them or, if something else holds them here, says so.
      const again = await runCli(TENDER_BIN, ['up', '--once', '--json', '--data-dir', dataDir], { timeoutMs: 60000 });
      const endpoint = (JSON.parse(again.stdout) as { endpoint: string }).endpoint;
      assert.ok(endpoint.startsWith('http://127.0.0.1:'));
      const credentials = await readAdminKey(result.credentialsFile);
      assert.match(credentials.accessKeyId, /^TKIA[A-Z2-7]{16}$/);
      assert.equal((await fs.stat(result.credentialsFile)).mode & 0o777, 0o600);
      // --once stopped the control plane: its endpoint no longer answers.
      const ssm = new SSMClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
      await assert.rejects(ssm.send(new DescribeInstanceInformationCommand({})), /ECONNREFUSED|connect/);
      ssm.destroy();
    } finally {
      await busyHttp.close();
      await busyMqtt.close();
    }
  });
});
