import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess } from '../support/processes.js';


/**
 * SendCommand's TimeoutSeconds (the delivery timeout) with a real agent process and the real broker. The control
 * plane's clock is shifted by the test (its timer checks deadlines every second); the agent keeps real time.
 */
describe('Run Command delivery timeout end to end', function () {
  this.timeout(90_000);
  let cp: TestControlPlane;
  let work: string;
  let instanceId: string;
  let stateDir: string;
  let agent: LiveProcess | undefined;
  let shiftMs = 0;

  const invocation = (commandId: string) => cp.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
  const finished = (commandId: string) => cp.finished(commandId, instanceId);
  const shell = async (commands: string[], timeoutSeconds = 30) =>
    (await cp.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands }, TimeoutSeconds: timeoutSeconds }))).Command?.CommandId ?? '';
  const startAgent = async () => {
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir]);
    await cp.untilOnline(instanceId, 'agent Online');
  };

  before(async () => {
    cp = await startTestControlPlane({ heartbeatSeconds: 5, now: () => new Date(Date.now() + shiftMs) });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-delivery-'));
    stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    await startAgent();
  });
  afterEach(() => {
    shiftMs = 0;
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('an instance offline past the deadline: the invocation ends TimedOut / DeliveryTimedOut and never runs when it returns', async () => {
    const marker = path.join(work, 'offline-ran');
    await agent!.kill('SIGTERM');
    await eventually(async () => (await cp.describe(instanceId))?.PingStatus !== 'Online', 'agent not Online');
    const id = await shell([`touch ${marker}`]);
    assert.equal((await invocation(id))?.Status, 'Delayed');

    shiftMs = 31_000;
    const ended = await finished(id);
    assert.equal(ended.Status, 'TimedOut');
    assert.equal(ended.StatusDetails, 'DeliveryTimedOut');

    await startAgent();
    const later = await finished(await shell(['echo back']));
    assert.equal(later.Status, 'Success', 'the agent is back and runs new commands');
    assert.equal(await fs.access(marker).then(() => true, () => false), false, 'the timed-out command never ran');
    assert.equal((await invocation(id))?.StatusDetails, 'DeliveryTimedOut');
  });

  it('a command that reaches the agent after its deadline is refused there: TimedOut / DeliveryTimedOut, nothing run', async () => {
    const marker = path.join(work, 'late-ran');
    // The control plane's clock lags the agent's by two minutes, so every command reaches the agent 90 s after
    // its 30 s deadline, as one held in the broker while the agent was away would.
    shiftMs = -120_000;
    const id = await shell([`touch ${marker}`]);
    const ended = await finished(id);
    assert.equal(ended.Status, 'TimedOut');
    assert.equal(ended.StatusDetails, 'DeliveryTimedOut');
    assert.equal(ended.ResponseCode, -1);
    assert.equal(ended.ExecutionStartDateTime, '', 'it never started');
    assert.equal(await fs.access(marker).then(() => true, () => false), false, 'the agent did not run it');
  });
});
