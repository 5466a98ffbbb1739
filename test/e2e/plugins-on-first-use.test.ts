import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateDocumentCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { REPO_ROOT, type LiveProcess } from '../support/processes.js';

const FIXTURES = path.join(REPO_ROOT, 'packages/agent/test/fixtures/plugins');

/** The agent's JSON log lines with this message. */
function logLines(output: string, msg: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);
}

describe('plugins on first use, end to end: a real agent process imports a plugin when a command needs it', function () {
  this.timeout(90000);
  let cp: TestControlPlane;
  let work: string;
  let instanceId: string;
  let agent: LiveProcess;

  const finished = (commandId: string) => cp.finished(commandId, instanceId);
  const send = async (DocumentName: string, Parameters?: Record<string, string[]>) =>
    (await cp.ssm.send(new SendCommandCommand({ DocumentName, InstanceIds: [instanceId], ...(Parameters ? { Parameters } : {}) }))).Command?.CommandId ?? '';
  const document = async (Name: string, mainSteps: unknown[]) => {
    await cp.ssm.send(new CreateDocumentCommand({ Name, DocumentType: 'Command', Content: JSON.stringify({ schemaVersion: '2.2', description: Name, mainSteps }) }));
  };

  before(async () => {
    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-lazy-plugins-'));
    ({ instanceId, agent } = await cp.startAgent(path.join(work, 'agent'), ['--plugin', path.join(FIXTURES, 'lazy-action'), '--plugin', path.join(FIXTURES, 'broken-action')]));
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('starts with only its transport\'s plugin imported, and a broken plugin does not keep it from starting', async () => {
    const [starting] = logLines(agent.output, 'agent starting');
    assert.ok(starting, agent.output);
    assert.deepEqual(starting.imported, ['@tender/transport-mqtt']);
    assert.ok((starting.plugins as string[]).includes('tender-fixture-broken-action@1.0.0'));
    assert.ok((starting.plugins as string[]).includes('tender-fixture-lazy-action@1.0.0'));
  });

  it('a broken plugin fails the step that uses it, naming the plugin; the agent goes on, and a good plugin loads when used', async () => {
    await document('Test-Broken-Plugin', [{ action: 'test:broken', name: 'broken', inputs: {} }]);
    const broken = await finished(await send('Test-Broken-Plugin'));
    assert.equal(broken.Status, 'Failed');
    assert.match(broken.StandardErrorContent ?? '', /plugin tender-fixture-broken-action: its entry .*index\.js failed to load: broken-action fixture exploded while being imported/);
    assert.equal(logLines(agent.output, 'a plugin failed to load; what it provides fails until the agent restarts with it fixed').length, 1);

    await document('Test-Lazy-Plugin', [{ action: 'test:echo', name: 'echo', inputs: { text: 'from a plugin imported just now' } }]);
    const echoed = await finished(await send('Test-Lazy-Plugin'));
    assert.equal(echoed.Status, 'Success', echoed.StandardErrorContent);
    assert.equal(echoed.StandardOutputContent, 'echo from a plugin imported just now\n');

    const shell = await finished(await send('AWS-RunShellScript', { commands: ['echo still running'] }));
    assert.equal(shell.Status, 'Success', shell.StandardErrorContent);
    assert.equal(shell.StandardOutputContent, 'still running\n');
    assert.equal(agent.child.exitCode, null);
  });
});
