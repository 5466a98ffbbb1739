import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateAssociationCommand, DeleteAssociationCommand, DescribeAssociationCommand, InvalidSchedule, ListAssociationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane, type RunningControlPlane } from '../src/control-plane.js';

async function adminKey(credentialsFile: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const text = await readFile(credentialsFile, 'utf8');
  const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return { accessKeyId: get('aws_access_key_id'), secretAccessKey: get('aws_secret_access_key') };
}

describe('Associations on a running control plane', function () {
  this.timeout(30000);
  let dataDir: string;

  async function start(): Promise<{ running: RunningControlPlane; ssm: SSMClient }> {
    const running = await startControlPlane({ ...SERVER_DEFAULTS, dataDir, httpPort: 0, mqttPort: 0, logLevel: 'warn' }, { logger: pino({ level: 'silent' }) });
    const ssm = new SSMClient({ region: running.region, endpoint: running.endpoint, credentials: await adminKey(running.credentialsFile), maxAttempts: 1 });
    return { running, ssm };
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tender-associations-cp-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the Associations API and keeps associations across a restart', async () => {
    const first = await start();
    let id: string;
    try {
      const created = await first.ssm.send(
        new CreateAssociationCommand({ Name: 'AWS-RunShellScript', AssociationName: 'uptime-everywhere', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], Parameters: { commands: ['uptime'] }, ScheduleExpression: 'rate(1 hour)' }),
      );
      id = created.AssociationDescription!.AssociationId!;
      await assert.rejects(first.ssm.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], Parameters: { commands: ['uptime'] }, ScheduleExpression: 'cron(0 2 ? * SUN)' })), InvalidSchedule);
    } finally {
      first.ssm.destroy();
      await first.running.stop();
    }
    const second = await start();
    try {
      const described = (await second.ssm.send(new DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription!;
      assert.equal(described.AssociationName, 'uptime-everywhere');
      assert.equal(described.ScheduleExpression, 'rate(1 hour)');
      const listed = (await second.ssm.send(new ListAssociationsCommand({}))).Associations ?? [];
      assert.deepEqual(listed.filter((a) => a.AssociationName !== 'tender-default-inventory').map((a) => a.AssociationId), [id]);
    } finally {
      second.ssm.destroy();
      await second.running.stop();
    }
  });

  it('creates the default inventory association once: on the first start, and not again after the operator deletes it', async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'tender-associations-default-'));
    const startOn = async () => {
      const running = await startControlPlane({ ...SERVER_DEFAULTS, dataDir: fresh, httpPort: 0, mqttPort: 0, logLevel: 'warn' }, { logger: pino({ level: 'silent' }) });
      const ssm = new SSMClient({ region: running.region, endpoint: running.endpoint, credentials: await adminKey(running.credentialsFile), maxAttempts: 1 });
      return { running, ssm, stop: async () => (ssm.destroy(), await running.stop()) };
    };
    try {
      const first = await startOn();
      try {
        const listed = (await first.ssm.send(new ListAssociationsCommand({}))).Associations ?? [];
        assert.deepEqual(listed.map((a) => [a.Name, a.AssociationName, a.ScheduleExpression, a.Targets]), [['AWS-GatherSoftwareInventory', 'tender-default-inventory', 'rate(30 minutes)', [{ Key: 'InstanceIds', Values: ['*'] }]]]);
        await first.ssm.send(new DeleteAssociationCommand({ AssociationId: listed[0]!.AssociationId }));
      } finally {
        await first.stop();
      }
      const second = await startOn();
      try {
        assert.deepEqual((await second.ssm.send(new ListAssociationsCommand({}))).Associations, [], 'deleted by the operator: not made again');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
