/**
 * Parameter Store references in Run Command, end to end: a real control plane, a real agent process, the
 * embedded broker with a privileged subscriber recording every MQTT message, and @aws-sdk/client-ssm as the
 * client. A SecureString reaches the host's script and nothing else: not the wire in the clear, not the command
 * records, GetCommandInvocation, the audit trail, or either side's files.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateDocumentCommand,
  LabelParameterVersionCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { connectAsync, type MqttClient } from 'mqtt';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, LiveProcess } from '../support/processes.js';

// Letters and digits only, so the test can splice it into shell text without quoting worries.
const SECRET = `Pw${randomBytes(12).toString('hex')}`;

/** Every byte of every file under a folder (a file renamed away meanwhile, an atomic write's temporary, is skipped). */
async function allBytes(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const bytes = await fs.readFile(path.join(entry.parentPath, entry.name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

describe('Parameter Store references in SendCommand, end to end', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let work: string;
  let out: string;
  let stateDir: string;
  let instanceId: string;
  let agent: LiveProcess;
  let recorder: MqttClient;
  const traffic: Buffer[] = [];

  const finished = (commandId: string) => cp.finished(commandId, instanceId);
  const send = async (input: Omit<ConstructorParameters<typeof SendCommandCommand>[0], 'InstanceIds'>) =>
    (await cp.ssm.send(new SendCommandCommand({ ...input, InstanceIds: [instanceId] }))).Command?.CommandId ?? '';

  before(async () => {
    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-paramrefs-e2e-'));
    out = path.join(work, 'out');
    await fs.mkdir(out);
    // Every message on the broker, from before the agent first connects until the end.
    const conn = cp.running.brokerConnection;
    recorder = await connectAsync(conn.url, { username: conn.username, password: conn.password, protocolVersion: 4, clientId: `test-recorder-${process.pid}`, reconnectPeriod: 0 });
    recorder.on('message', (_topic, payload) => traffic.push(Buffer.from(payload)));
    await recorder.subscribeAsync('#', { qos: 1 });

    stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
    await cp.untilOnline(instanceId, 'agent Online');

    await cp.ssm.send(new PutParameterCommand({ Name: '/db/password', Type: 'SecureString', Value: SECRET }));
    for (const value of ['one', 'two', 'three']) await cp.ssm.send(new PutParameterCommand({ Name: '/app/greeting', Type: 'String', Value: value, Overwrite: true }));
    await cp.ssm.send(new LabelParameterVersionCommand({ Name: '/app/greeting', ParameterVersion: 1, Labels: ['blue'] }));
  });
  after(async () => {
    await recorder?.endAsync(true).catch(() => undefined);
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('{{ssm-secure:...}} reaches the script, spliced and through ENV_VAR, and nothing else ever shows the value', async () => {
    const spliced = await send({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: [`printf '%s' '{{ssm-secure:/db/password}}' > ${out}/spliced.txt`] } });

    // A document whose ENV_VAR parameter defaults to the reference: the value reaches the script as SSM_password.
    const viaEnvironment = {
      schemaVersion: '2.2',
      description: 'connects with the database password from Parameter Store',
      parameters: { password: { type: 'String', default: '{{ssm-secure:/db/password}}', interpolationType: 'ENV_VAR' } },
      mainSteps: [{ action: 'aws:runShellScript', name: 'connect', inputs: { runCommand: [`printf '%s' "$SSM_password" > ${out}/env.txt`, 'echo connected'] } }],
    };
    await cp.ssm.send(new CreateDocumentCommand({ Name: 'Connect-WithSecret', Content: JSON.stringify(viaEnvironment), DocumentType: 'Command' }));
    const environment = await send({ DocumentName: 'Connect-WithSecret' });

    const results = [await finished(spliced), await finished(environment)];
    for (const invocation of results) assert.equal(invocation.Status, 'Success', invocation.StandardErrorContent);
    assert.equal(await fs.readFile(path.join(out, 'spliced.txt'), 'utf8'), SECRET, 'the host\'s script received the value');
    assert.equal(await fs.readFile(path.join(out, 'env.txt'), 'utf8'), SECRET);
    assert.equal(results[1]!.StandardOutputContent, 'connected\n');

    // The API shows the references as written, never the value.
    const { Commands } = await cp.ssm.send(new ListCommandsCommand({ CommandId: spliced }));
    assert.deepEqual(Commands?.[0]?.Parameters, { commands: [`printf '%s' '{{ssm-secure:/db/password}}' > ${out}/spliced.txt`] });
    const listed = await cp.ssm.send(new ListCommandInvocationsCommand({ InstanceId: instanceId, Details: true }));
    for (const shown of [JSON.stringify(results), JSON.stringify(listed), JSON.stringify(Commands)]) assert.equal(shown.includes(SECRET), false);

    // The wire: the `command` messages went by this recorder (with their sealed secrets), the value did not.
    await recorder.endAsync(true);
    const wire = Buffer.concat(traffic);
    assert.ok(wire.includes(spliced) && wire.includes(environment), 'the recorder saw both commands');
    assert.ok(wire.includes('secrets') && wire.includes('ssm-secure:/db/password'), 'the commands carried sealed secrets');
    assert.equal(wire.indexOf(SECRET), -1, 'no MQTT message held the value');
    assert.equal(wire.indexOf(Buffer.from(SECRET).toString('base64')), -1);

    // The audit trail and both sides' files: no trace of the value.
    const audit = await fs.readFile(path.join(cp.dataDir, 'audit.log'), 'utf8');
    assert.match(audit, /AmazonSSM\.SendCommand/);
    assert.equal(audit.includes(SECRET), false, 'the audit trail never holds the value');
    const reads = audit.split('\n').filter((line) => line.includes('"ssm:GetParameters"') && line.includes(spliced));
    assert.equal(reads.length, 1, 'the Parameter Store read of the command is audited');
    assert.match(reads[0]!, /parameter\/db\/password/);
    assert.match(reads[0]!, /\{\{ssm-secure:\/db\/password\}\} = \/db\/password version 1; SecureString values sealed to 1 instance/);
    assert.equal((await allBytes(cp.dataDir)).indexOf(SECRET), -1, 'the control plane\'s data directory holds no plaintext');
    assert.equal((await allBytes(stateDir)).indexOf(SECRET), -1, 'the agent\'s state directory holds no plaintext');
  });

  it('{{ssm:name}}, {{ssm:name:2}} and {{ssm:name:label}} resolve to the right versions', async () => {
    const id = await send({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo {{ssm:/app/greeting}} {{ssm:/app/greeting:2}} {{ ssm:/app/greeting:blue }}'] } });
    const invocation = await finished(id);
    assert.equal(invocation.Status, 'Success', invocation.StandardErrorContent);
    assert.equal(invocation.StandardOutputContent, 'three two one\n');
    const { Commands } = await cp.ssm.send(new ListCommandsCommand({ CommandId: id }));
    assert.deepEqual(Commands?.[0]?.Parameters, { commands: ['echo {{ssm:/app/greeting}} {{ssm:/app/greeting:2}} {{ ssm:/app/greeting:blue }}'] });
  });

  it('the caller\'s policy decides: ssm:GetParameters on the parameter, and kms:Decrypt for {{ssm-secure:...}}', async () => {
    const { region, accountId } = cp.running;
    const createKey = async (userName: string, allowedParameters: string[]): Promise<SSMClient> => {
      const policy = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ssm:SendCommand', 'ssm:ListCommands', 'ssm:GetCommandInvocation'], Resource: '*' },
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: allowedParameters.map((name) => `arn:aws:ssm:${region}:${accountId}:parameter/${name}`) },
        ],
      };
      const body = JSON.stringify({ UserName: userName, Policy: policy });
      const url = new URL(cp.running.endpoint);
      const signer = new SignatureV4({ credentials: cp.admin, region, service: 'ssm', sha256: class extends Hash { constructor(secret?: ConstructorParameters<typeof Hash>[1]) { super('sha256', secret); } } });
      const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Tender.CreateAccessKey' }, body });
      const response = await fetch(`${cp.running.endpoint}/`, { method: 'POST', headers: signed.headers, body });
      assert.equal(response.status, 200);
      const { AccessKey } = (await response.json()) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
      return new SSMClient({ region, endpoint: cp.running.endpoint, credentials: { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey }, maxAttempts: 1 });
    };
    const appOnly = await createKey('app-reader', ['app/*']);
    const noDecrypt = await createKey('db-reader-without-kms', ['app/*', 'db/*']);
    const sendAs = (client: SSMClient, command: string) => client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands: [command] } }));
    try {
      const allowed = await sendAs(appOnly, 'echo {{ssm:/app/greeting:blue}}');
      assert.equal((await finished(allowed.Command?.CommandId ?? '')).StandardOutputContent, 'one\n');
      await assert.rejects(sendAs(appOnly, `printf '%s' '{{ssm-secure:/db/password}}'`), (error: Error) => error.name === 'AccessDeniedException' && /ssm:GetParameters/.test(error.message) && !error.message.includes(SECRET));
      await assert.rejects(sendAs(noDecrypt, `printf '%s' '{{ssm-secure:/db/password}}'`), (error: Error) => error.name === 'AccessDeniedException' && /kms:Decrypt/.test(error.message) && !error.message.includes(SECRET));
    } finally {
      appOnly.destroy();
      noDecrypt.destroy();
    }
    const denied = (await fs.readFile(path.join(cp.dataDir, 'audit.log'), 'utf8')).split('\n').filter((line) => line.includes('"AmazonSSM.SendCommand"') && line.includes('"denied"'));
    assert.equal(denied.length, 2, 'both refusals are in the audit trail');
  });

  it('misuse gets SSM errors at SendCommand and nothing runs', async () => {
    const cases: Array<[string, RegExp]> = [
      ['echo {{ssm:/db/password}}', /Parameters \[\/db\/password\] of type SecureString are not supported/],
      ['echo {{ssm-secure:/app/greeting}}', /\{\{ssm-secure:\.\.\.\}\} is for SecureString parameters/],
      ['echo {{ssm:/app/nothing}}', /Input contains invalid parameters \[\/app\/nothing\]/],
      ['echo {{ssm:/app/greeting:9}}', /ParameterVersionNotFound/],
      ['echo {{ssm:app/greeting}}', /fully qualified/],
    ];
    const before = (await cp.ssm.send(new ListCommandsCommand({}))).Commands?.length ?? 0;
    for (const [command, message] of cases) {
      await assert.rejects(send({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: [command] } }), (error: Error) => {
        assert.equal(error.name, 'InvalidParameters', error.message);
        assert.match(error.message, message);
        assert.equal(error.message.includes(SECRET), false);
        return true;
      });
    }
    assert.equal((await cp.ssm.send(new ListCommandsCommand({}))).Commands?.length ?? 0, before, 'no command was created');
  });
});
