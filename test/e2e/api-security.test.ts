import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateActivationCommand, DescribeActivationsCommand, DescribeInstanceInformationCommand, GetConnectionStatusCommand, GetOpsSummaryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readAudit } from '../support/audit-file.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { runCli, TENDER_BIN } from '../support/processes.js';

/** The error an SDK call failed with (its name is the AWS error code). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded, but it should have been refused');
}

describe('API authentication, authorisation and audit, end to end', function () {
  this.timeout(60000);
  let cp: TestControlPlane;
  let work: string;
  const clients: SSMClient[] = [];
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const ssm = new SSMClient({ region: cp.running.region, endpoint: cp.running.endpoint, credentials, maxAttempts: 1 });
    clients.push(ssm);
    return ssm;
  };
  const tender = (...args: string[]) => runCli(TENDER_BIN, [...args, '--data-dir', cp.dataDir]);

  before(async () => {
    cp = await startTestControlPlane();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-api-'));
  });
  after(async () => {
    for (const ssm of clients) ssm.destroy();
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('refuses a bad signature and an unknown key with AWS\'s errors, and audits both', async () => {
    const wrongSecret = await failure(client({ accessKeyId: cp.admin.accessKeyId, secretAccessKey: 'not-the-secret' }).send(new DescribeInstanceInformationCommand({})));
    assert.equal(wrongSecret.name, 'InvalidSignatureException');
    const unknownKey = await failure(client({ accessKeyId: 'TKIAUNKNOWNUNKNOWN00', secretAccessKey: 'whatever' }).send(new DescribeInstanceInformationCommand({})));
    assert.equal(unknownKey.name, 'UnrecognizedClientException');
    assert.match(unknownKey.message, /security token included in the request is invalid/);

    const listed = await tender('audit', '--outcome', 'denied', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const denied = JSON.parse(listed.stdout) as Array<{ operation: string; errorCode: string; caller: string; source: string }>;
    assert.ok(denied.some((r) => r.operation === 'AmazonSSM.DescribeInstanceInformation' && r.errorCode === 'InvalidSignatureException'));
    assert.ok(denied.some((r) => r.operation === 'AmazonSSM.DescribeInstanceInformation' && r.errorCode === 'UnrecognizedClientException'));
    assert.ok(denied.every((r) => r.source === '127.0.0.1' || r.source === '::ffff:127.0.0.1'), 'the source address is recorded');
  });

  it('holds a key to its IAM-style policy: wildcards allow, an explicit deny wins, anything else is denied; refusals are audited', async () => {
    const policyFile = path.join(work, 'readonly.json');
    await fs.writeFile(
      policyFile,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ssm:Describe*', 'ssm:GetConnectionStatus'], Resource: '*' },
          { Effect: 'Deny', Action: 'ssm:DescribeActivations', Resource: '*' },
        ],
      }),
    );
    const created = await tender('access-keys', 'create', '--user-name', 'readonly', '--policy', policyFile, '--json');
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string }; Arn: string };
    assert.match(key.Arn, /^arn:aws:iam::\d{12}:user\/readonly$/);
    const readonly = client({ accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey });

    const allowed = await readonly.send(new DescribeInstanceInformationCommand({}));
    assert.deepEqual(allowed.InstanceInformationList, []);
    const explicitDeny = await failure(readonly.send(new DescribeActivationsCommand({})));
    assert.equal(explicitDeny.name, 'AccessDeniedException');
    assert.match(explicitDeny.message, /user\/readonly is not authorized to perform: ssm:DescribeActivations .* explicit deny/);
    const noAllow = await failure(readonly.send(new CreateActivationCommand({ IamRole: 'x' })));
    assert.equal(noAllow.name, 'AccessDeniedException');
    assert.match(noAllow.message, /no identity-based policy allows the ssm:CreateActivation action/);
    const status = await readonly.send(new GetConnectionStatusCommand({ Target: 'mi-00000000000000000' }));
    assert.equal(status.Status, 'notconnected', 'an action allowed by name (not by wildcard) works too');

    const audit = await readAudit(cp.dataDir);
    const mine = audit.filter((r) => r.caller === key.Arn);
    assert.ok(mine.some((r) => r.operation === 'AmazonSSM.DescribeInstanceInformation' && r.outcome === 'success'));
    assert.ok(mine.some((r) => r.operation === 'AmazonSSM.DescribeActivations' && r.outcome === 'denied' && r.errorCode === 'AccessDeniedException'));
    assert.ok(mine.some((r) => r.operation === 'AmazonSSM.CreateActivation' && r.outcome === 'denied'));
  });

  it('names an SSM operation Tender does not implement yet', async () => {
    const error = await failure(cp.ssm.send(new GetOpsSummaryCommand({})));
    assert.equal(error.name, 'UnknownOperationException');
    assert.match(error.message, /does not implement AmazonSSM\.GetOpsSummary/);
  });

  it('tender audit --verify finds the trail intact, then detects an edited record', async () => {
    const intact = await tender('audit', '--verify');
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /audit trail intact: \d+ records/);

    // Someone turns a denied call into a success after the fact.
    const file = path.join(cp.dataDir, 'audit.log');
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    const index = lines.findIndex((line) => line.includes('"outcome":"denied"'));
    assert.ok(index >= 0);
    const seq = (JSON.parse(lines[index] ?? '{}') as { seq: number }).seq;
    lines[index] = (lines[index] ?? '').replace('"outcome":"denied"', '"outcome":"success"');
    await fs.writeFile(file, lines.join('\n'));

    const tampered = await tender('audit', '--verify');
    assert.equal(tampered.code, 5);
    assert.match(tampered.message, new RegExp(`audit trail TAMPERED: record ${seq} \\(line ${index + 1}\\)`));
  });
});
