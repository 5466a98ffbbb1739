import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateDocumentCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess, runCli, TENDER_BIN } from '../support/processes.js';

const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);

describe('Run Command end to end: SendCommand → agent process → result', function () {
  this.timeout(90000);
  let cp: TestControlPlane;
  let work: string;
  let instanceId: string;
  let stateDir: string;
  let agent: LiveProcess;

  const finished = (commandId: string) => cp.finished(commandId, instanceId);
  const shell = async (commands: string[]) =>
    (await cp.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands } }))).Command?.CommandId ?? '';

  before(async () => {
    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-run-'));
    stateDir = path.join(work, 'agent');
    ({ instanceId, agent } = await cp.startAgent(stateDir));
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('runs AWS-RunShellScript and returns its output and exit code', async () => {
    const id = await shell(['echo hello from $AWS_SSM_INSTANCE_ID', 'echo oops >&2', 'exit 3']);
    const invocation = await finished(id);
    assert.equal(invocation.Status, 'Failed');
    assert.equal(invocation.ResponseCode, 3);
    assert.equal(invocation.StandardOutputContent, `hello from ${instanceId}\n`);
    assert.match(invocation.StandardErrorContent ?? '', /oops/);
    const ok = await finished(await shell(['uname -s']));
    assert.equal(ok.Status, 'Success');
    assert.equal(ok.StandardOutputContent?.trim(), os.type());
  });

  it('keeps a 10 MB output byte for byte; GetCommandInvocation shows its first 24,000 characters', async () => {
    const id = await shell(['yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 10485760']);
    const invocation = await finished(id);
    assert.equal(invocation.Status, 'Success', invocation.StandardErrorContent);
    const expected = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz\n'.repeat(Math.ceil(10485760 / 37))).subarray(0, 10485760);
    assert.equal(invocation.StandardOutputContent?.length, 24000);
    assert.equal(invocation.StandardOutputContent, expected.subarray(0, 24000).toString('utf8'));
    const out = path.join(work, 'out.bin');
    const fetched = await runCli(TENDER_BIN, ['commands', 'output', id, '--instance-id', instanceId, '--endpoint', cp.running.endpoint, '--data-dir', cp.dataDir], { timeoutMs: 60000 });
    assert.equal(fetched.code, 0, fetched.stderr);
    await fs.writeFile(out, fetched.stdout, 'latin1');
    const got = await fs.readFile(out);
    assert.equal(got.length, expected.length);
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(expected).digest('hex'));

    // StandardOutputUrl serves the same bytes to a SigV4-signed GET, and nothing to an unsigned one.
    const url = new URL(invocation.StandardOutputUrl ?? '');
    assert.ok(url.pathname.startsWith('/tender/v1/outputs/'), invocation.StandardOutputUrl);
    assert.equal((await fetch(url)).status, 400);
    const signer = new SignatureV4({ credentials: cp.admin, region: cp.running.region, service: 'ssm', sha256: class extends Hash { constructor(secret?: ConstructorParameters<typeof Hash>[1]) { super('sha256', secret); } } });
    const signed = await signer.sign({ method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host } });
    const download = await fetch(url, { headers: signed.headers });
    assert.equal(download.status, 200);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(expected).digest('hex'));
  });

  it('rejects `x; touch /tmp/pwned` at SendCommand by allowedPattern, and with ENV_VAR passes it to the script as data', async () => {
    const marker = path.join(os.tmpdir(), `pwned-${randomBytes(4).toString('hex')}`);
    const hostile = `x; touch ${marker}`;
    const strict = {
      schemaVersion: '2.2',
      description: 'echo a name',
      parameters: { Name: { type: 'String', allowedPattern: '^[a-zA-Z0-9-]+$' } },
      mainSteps: [{ action: 'aws:runShellScript', name: 'echo', inputs: { runCommand: ['echo {{ Name }}'] } }],
    };
    await cp.ssm.send(new CreateDocumentCommand({ Name: 'Strict-Echo', Content: JSON.stringify(strict), DocumentType: 'Command' }));
    const refused = await cp.ssm.send(new SendCommandCommand({ DocumentName: 'Strict-Echo', InstanceIds: [instanceId], Parameters: { Name: [hostile] } })).catch((error: Error) => error);
    assert.ok(refused instanceof Error);
    assert.equal(refused.name, 'InvalidParameters');
    assert.match(refused.message, /does not match pattern/);

    const asData = { ...strict, parameters: { Name: { type: 'String', interpolationType: 'ENV_VAR' } } };
    await cp.ssm.send(new CreateDocumentCommand({ Name: 'EnvVar-Echo', Content: JSON.stringify(asData), DocumentType: 'Command' }));
    const sent = await cp.ssm.send(new SendCommandCommand({ DocumentName: 'EnvVar-Echo', InstanceIds: [instanceId], Parameters: { Name: [hostile] } }));
    const invocation = await finished(sent.Command?.CommandId ?? '');
    assert.equal(invocation.Status, 'Success', invocation.StandardErrorContent);
    assert.equal(invocation.StandardOutputContent, `${hostile}\n`);
    await assert.rejects(fs.access(marker), 'the injected command did not run');
  });

  it('runs AWS-RunRemoteScript: downloads a script over HTTP, checks its SHA-256, runs it', async () => {
    const http = await import('node:http');
    const script = Buffer.from('#!/bin/sh\necho "remote script ran with $1"\n');
    const server = http.createServer((_req, res) => res.end(script));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hello.sh`;
      const dir = await fs.mkdtemp(path.join(work, 'remote-'));
      const run = async (sha256: string) => {
        const sent = await cp.ssm.send(new SendCommandCommand({
          DocumentName: 'AWS-RunRemoteScript',
          InstanceIds: [instanceId],
          Parameters: { sourceType: ['HTTP'], sourceInfo: [JSON.stringify({ url, sha256, allowInsecureDownload: 'true' })], commandLine: ['sh hello.sh tender'], workingDirectory: [dir] },
        }));
        // A document of several steps is read per step (GetCommandInvocation would need a PluginName).
        return eventually(async () => {
          const listed = await cp.ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command?.CommandId, Details: true }));
          const invocation = listed.CommandInvocations?.[0];
          return invocation && FINAL.has(invocation.Status ?? '') ? invocation : undefined;
        }, 'AWS-RunRemoteScript to finish', 60000);
      };
      const ok = await run(createHash('sha256').update(script).digest('hex'));
      const outputs = (ok.CommandPlugins ?? []).map((p) => `${p.Name}: ${p.Status} ${p.Output}`).join('\n');
      assert.equal(ok.Status, 'Success', outputs);
      assert.match(outputs, /runShellScript: Success remote script ran with tender/);
      const tampered = await run('0'.repeat(64));
      assert.equal(tampered.Status, 'Failed');
      assert.match((tampered.CommandPlugins ?? []).map((p) => p.Output).join(' '), /sha256|SHA-256/i);
    } finally {
      server.close();
    }
  });

  it('kill -9 of the agent mid-step: after restart the invocation ends in a definite status with a reason, never stuck InProgress', async () => {
    const id = await shell(['echo started', 'sleep 300']);
    await eventually(async () => (await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: instanceId })).catch(() => undefined))?.Status === 'InProgress', 'InProgress');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await agent.kill('SIGKILL');
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
    const invocation = await finished(id);
    assert.equal(invocation.Status, 'Failed');
    assert.match(`${invocation.StandardErrorContent} ${invocation.StatusDetails}`, /interrupt|restart|terminat/i);
  });
});
