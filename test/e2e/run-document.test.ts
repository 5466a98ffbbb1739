import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateDocumentCommand, ListCommandInvocationsCommand, SendCommandCommand, UpdateDocumentCommand, type CommandInvocation } from '@aws-sdk/client-ssm';
import { readAudit } from '../support/audit-file.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess } from '../support/processes.js';

const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);

const greeter = (greeting: string) => ({
  schemaVersion: '2.2',
  description: 'greets someone',
  parameters: { who: { type: 'String', allowedPattern: '^[a-z]+$' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'greet', inputs: { runCommand: [`echo "${greeting} {{ who }} on $AWS_SSM_INSTANCE_ID"`] } }],
});

/**
 * Nested documents end to end: SendCommand → agent process → the agent fetches documents from the control plane
 * (signed GET /tender/v1/documents/<name>) → aws:downloadContent / aws:runDocument → result.
 */
describe('Run Command end to end: AWS-RunDocument, aws:runDocument and aws:downloadContent from the control plane', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let work: string;
  let instanceId: string;
  let agent: LiveProcess;

  /** Sends a command and waits for its invocation, with every step's output (CommandPlugins). */
  async function run(DocumentName: string, Parameters: Record<string, string[]> = {}): Promise<{ invocation: CommandInvocation; steps: Record<string, { status: string; output: string }> }> {
    const sent = await cp.ssm.send(new SendCommandCommand({ DocumentName, InstanceIds: [instanceId], Parameters }));
    const invocation = await eventually(async () => {
      const listed = await cp.ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command?.CommandId, Details: true }));
      const found = listed.CommandInvocations?.[0];
      return found && FINAL.has(found.Status ?? '') ? found : undefined;
    }, `${DocumentName} to finish`, 60_000, 100);
    const steps = Object.fromEntries((invocation.CommandPlugins ?? []).map((p) => [p.Name ?? '', { status: p.Status ?? '', output: p.Output ?? '' }]));
    return { invocation, steps };
  }
  const create = (Name: string, content: object) => cp.ssm.send(new CreateDocumentCommand({ Name, Content: JSON.stringify(content), DocumentType: 'Command' }));

  before(async () => {
    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-rundoc-'));
    const stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
    await cp.untilOnline(instanceId, 'agent Online');
    await create('Nested-Greeter', greeter('hello'));
    await cp.ssm.send(new UpdateDocumentCommand({ Name: 'Nested-Greeter', Content: JSON.stringify(greeter('bonjour')), DocumentVersion: '$LATEST' }));
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('AWS-RunDocument with sourceType SSMDocument runs a document created with CreateDocument, by name and by version', async () => {
    const byDefault = await run('AWS-RunDocument', { sourceType: ['SSMDocument'], sourceInfo: ['{"name": "Nested-Greeter"}'], documentParameters: ['{"who": "tender"}'] });
    assert.equal(byDefault.invocation.Status, 'Success', JSON.stringify(byDefault.steps));
    assert.match(byDefault.steps.downloadContent!.output, /^Downloaded document Nested-Greeter version 1 to .*ssmdocument/);
    assert.equal(byDefault.steps.runDocument!.output, `hello tender on ${instanceId}\n`);

    const second = await run('AWS-RunDocument', { sourceType: ['SSMDocument'], sourceInfo: ['{"name": "Nested-Greeter:2"}'], documentParameters: ['{"who": "fleet"}'] });
    assert.equal(second.invocation.Status, 'Success', JSON.stringify(second.steps));
    assert.equal(second.steps.runDocument!.output, `bonjour fleet on ${instanceId}\n`);

    // Each fetch is in the audit trail, under the agent's name.
    const fetches = (await readAudit(cp.dataDir)).filter((line) => line.operation === 'agent:GetDocument');
    assert.deepEqual(fetches.map((line) => [line.caller, line.resources, line.outcome]).slice(-2), [
      [`agent:${instanceId}`, ['Nested-Greeter:1'], 'success'],
      [`agent:${instanceId}`, ['Nested-Greeter:2'], 'success'],
    ]);
  });

  it('AWS-RunDocument with sourceType HTTP downloads a YAML document (SHA-256 checked) and runs it', async () => {
    const http = await import('node:http');
    const { createHash } = await import('node:crypto');
    const yaml = Buffer.from("schemaVersion: '2.2'\ndescription: served\nparameters:\n  who:\n    type: String\nmainSteps:\n  - action: aws:runShellScript\n    name: served\n    inputs:\n      runCommand: ['echo served {{ who }}']\n");
    const server = http.createServer((_req, res) => res.end(yaml));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/doc.yaml`;
      const sourceInfo = JSON.stringify({ url, sha256: createHash('sha256').update(yaml).digest('hex'), allowInsecureDownload: 'true' });
      const result = await run('AWS-RunDocument', { sourceType: ['HTTP'], sourceInfo: [sourceInfo], documentParameters: ['{"who": "over http"}'] });
      assert.equal(result.invocation.Status, 'Success', JSON.stringify(result.steps));
      assert.equal(result.steps.runDocument!.output, 'served over http\n');
    } finally {
      server.close();
    }
  });

  it('AWS-RunDocument bad input: unknown document, unknown version, missing and bad parameters, GitHub and S3 sources', async () => {
    const unknown = await run('AWS-RunDocument', { sourceType: ['SSMDocument'], sourceInfo: ['{"name": "No-Such-Document"}'] });
    assert.equal(unknown.invocation.Status, 'Failed');
    assert.match(unknown.steps.downloadContent!.output, /could not get the document No-Such-Document from the control plane: InvalidDocument: The specified document does not exist: No-Such-Document/);
    assert.equal(unknown.steps.runDocument!.status, 'Failed', 'nothing was downloaded, so there is nothing to run');
    assert.match(unknown.steps.runDocument!.output, /the document file .*ssmdocument does not exist/);

    const version = await run('AWS-RunDocument', { sourceType: ['SSMDocument'], sourceInfo: ['{"name": "Nested-Greeter:7"}'] });
    assert.equal(version.invocation.Status, 'Failed');
    assert.match(version.steps.downloadContent!.output, /InvalidDocumentVersion: The document version is not valid or does not exist: Nested-Greeter has no version 7/);

    const missing = await run('AWS-RunDocument', { sourceType: ['SSMDocument'], sourceInfo: ['{"name": "Nested-Greeter"}'] });
    assert.equal(missing.invocation.Status, 'Failed');
    assert.equal(missing.steps.downloadContent!.status, 'Success');
    assert.match(missing.steps.runDocument!.output, /aws:runDocument: Parameter "who" is required: it has no default and no value was given/);

    const bad = await run('AWS-RunDocument', { sourceType: ['SSMDocument'], sourceInfo: ['{"name": "Nested-Greeter"}'], documentParameters: ['{"who": "x; touch /tmp/pwned"}'] });
    assert.equal(bad.invocation.Status, 'Failed');
    assert.match(bad.steps.runDocument!.output, /Parameter "who" value "x; touch \/tmp\/pwned" does not match pattern/);

    for (const sourceType of ['GitHub', 'S3']) {
      const unsupported = await run('AWS-RunDocument', { sourceType: [sourceType], sourceInfo: ['{"path": "x"}'] });
      assert.equal(unsupported.invocation.Status, 'Failed');
      assert.match(unsupported.steps.downloadContent!.output, new RegExp(`sourceType ${sourceType} is not supported by Tender \\(HTTP and SSMDocument are\\)`));
    }
  });

  it('aws:runDocument with LocalPath runs a YAML file on the host; an invalid file fails the step naming the problem', async () => {
    const good = path.join(work, 'local.yaml');
    const invalid = path.join(work, 'invalid.yaml');
    await fs.writeFile(good, "schemaVersion: '2.2'\ndescription: local\nparameters:\n  n:\n    type: String\nmainSteps:\n  - action: aws:runShellScript\n    name: local\n    inputs:\n      runCommand: ['echo local {{ n }}']\n");
    await fs.writeFile(invalid, "schemaVersion: '2.2'\nmainSteps:\n  - action: aws:runShellScript\n    inputs: {}\n");
    await create('Run-Local', {
      schemaVersion: '2.2',
      description: 'runs a local document',
      parameters: { file: { type: 'String' } },
      mainSteps: [{ action: 'aws:runDocument', name: 'local', inputs: { documentType: 'LocalPath', documentPath: '{{ file }}', documentParameters: '{"n": "42"}' } }],
    });
    const ok = await run('Run-Local', { file: [good] });
    assert.equal(ok.invocation.Status, 'Success', JSON.stringify(ok.steps));
    assert.equal(ok.steps.local!.output, 'local 42\n');
    const broken = await run('Run-Local', { file: [invalid] });
    assert.equal(broken.invocation.Status, 'Failed');
    assert.match(broken.steps.local!.output, new RegExp(`aws:runDocument: ${invalid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: mainSteps\\[0\\]`));
  });

  it('recursion stops after 3 levels with a clear failure', async () => {
    await create('Runs-Itself', {
      schemaVersion: '2.2',
      description: 'runs itself',
      mainSteps: [
        { action: 'aws:runShellScript', name: 'say', inputs: { runCommand: ['echo level'] } },
        { action: 'aws:runDocument', name: 'again', inputs: { documentType: 'SSMDocument', documentPath: 'Runs-Itself' } },
      ],
    });
    const result = await run('Runs-Itself');
    assert.equal(result.invocation.Status, 'Failed');
    assert.equal(result.steps.say!.output, 'level\n');
    assert.match(result.steps.again!.output, /^level\nlevel\nlevel\n/, 'levels 1 to 3 ran');
    assert.match(result.steps.again!.output, /Maximum depth for document execution exceeded: documents nest at most 3 levels deep, and running Runs-Itself \(version 1\) would be level 4/);
  });

  it('AWS-RunRemoteScript-like: aws:downloadContent with sourceType SSMDocument writes the document where a script reads it', async () => {
    const dir = await fs.mkdtemp(path.join(work, 'download-'));
    await create('Fetch-And-Read', {
      schemaVersion: '2.2',
      description: 'downloads a document and reads it',
      parameters: { name: { type: 'String' }, dir: { type: 'String' } },
      mainSteps: [
        { action: 'aws:downloadContent', name: 'download', inputs: { sourceType: 'SSMDocument', sourceInfo: '{"name": "{{ name }}"}', destinationPath: '{{ dir }}' } },
        { action: 'aws:runShellScript', name: 'read', inputs: { workingDirectory: '{{ dir }}', runCommand: ['ls', 'grep -c hello {{ name }}.json'] } },
      ],
    });
    const ok = await run('Fetch-And-Read', { name: ['Nested-Greeter'], dir: [dir] });
    assert.equal(ok.invocation.Status, 'Success', JSON.stringify(ok.steps));
    assert.equal(ok.steps.read!.output, 'Nested-Greeter.json\n1\n');
    // The default version: UpdateDocument added version 2 but, as in SSM, did not make it the default.
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(dir, 'Nested-Greeter.json'), 'utf8')), greeter('hello'));
    const missing = await run('Fetch-And-Read', { name: ['Not-There'], dir: [dir] });
    assert.equal(missing.invocation.Status, 'Failed');
    assert.match(missing.steps.download!.output, /InvalidDocument: The specified document does not exist: Not-There/);
  });
});
