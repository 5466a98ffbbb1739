/**
 * An association of AWS-RunPatchBaseline (how SSM scans a fleet on a schedule) on a real agent: the association's
 * run gets its baseline snapshot from the control plane just as a command's does, and its scan comes back as the
 * instance's patch state. The agent composes a second CommandRunner for associations (run-agent.ts); this checks it
 * is given the patch services the step needs, not only the providers.
 */
import assert from 'node:assert/strict';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAssociationCommand,
  DeleteAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeInstancePatchStatesCommand,
  ListAssociationsCommand,
} from '@aws-sdk/client-ssm';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess } from '../support/processes.js';

/** A test-only provider plugin: one missing security update, nothing else; it touches nothing on the host. */
const TEST_PROVIDER = `
const scan = async () => ({ operation: 'Scan', patches: [{ Title: 'tender-e2e-security 2.0.0', KBId: 'tender-e2e-security', Classification: 'Security', Severity: 'important', State: 'MISSING', Version: '2.0.0', ComplianceLevel: 'HIGH' }], rebootRequired: false, failures: [] });
export default Object.freeze({
  name: 'tender-plugin-e2e-association-patch',
  patchProviders: {
    'e2e-memory': {
      description: 'test-only provider with one missing patch',
      operatingSystems: ['DEBIAN', 'UBUNTU'],
      detect: async () => true,
      scan,
      install: async () => ({ ...(await scan()), operation: 'Install' }),
    },
  },
  [Symbol.for('tender.plugin')]: true,
});
`;

function debianLike(): boolean {
  const id = /^ID="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  return id === 'debian' || id === 'ubuntu';
}

describe('Patch Manager: an association of AWS-RunPatchBaseline on a real agent', function () {
  this.timeout(180_000);
  let cp: TestControlPlane;
  let work: string;
  let agent: LiveProcess | undefined;
  let instanceId: string;

  before(async function () {
    if (process.platform !== 'linux' || !debianLike()) {
      console.log('      (skipped: needs a Debian or Ubuntu host)');
      this.skip();
    }
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-patch-association-e2e-'));
    const plugin = path.join(work, 'e2e-patch-plugin');
    await fs.mkdir(plugin, { recursive: true });
    await fs.writeFile(path.join(plugin, 'package.json'), JSON.stringify({ name: 'tender-plugin-e2e-association-patch', version: '1.0.0', type: 'module', main: 'index.js', engines: { tender: '^1.0.0' }, tender: { platforms: ['linux'], provides: { patchProviders: ['e2e-memory'] } } }));
    await fs.writeFile(path.join(plugin, 'index.js'), TEST_PROVIDER);

    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    // Only this test's association: the default inventory association goes first.
    for (const association of (await cp.ssm.send(new ListAssociationsCommand({}))).Associations ?? []) await cp.ssm.send(new DeleteAssociationCommand({ AssociationId: association.AssociationId }));
    const stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    // No package manager on the agent's PATH: the bundled providers (apt, dnf) stand aside for the test provider.
    const emptyPath = path.join(work, 'empty-path');
    await fs.mkdir(emptyPath);
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, '--inventory-interval-minutes', '0', '--inventory-jitter-seconds', '0', '--plugin', plugin], { PATH: emptyPath });
    await cp.untilOnline(instanceId, 'the agent to come online', 30_000);
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('the association\'s Scan gets its snapshot, succeeds, and its result is the instance\'s patch state', async () => {
    const created = await cp.ssm.send(new CreateAssociationCommand({
      Name: 'AWS-RunPatchBaseline',
      AssociationName: 'e2e-patch-scan',
      Targets: [{ Key: 'InstanceIds', Values: [instanceId] }],
      Parameters: { Operation: ['Scan'] },
      ScheduleExpression: 'rate(1 day)',
    }));
    const associationId = created.AssociationDescription!.AssociationId!;
    const status = await eventually(async () => {
      for (const execution of (await cp.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId }))).AssociationExecutions ?? []) {
        const targets = await cp.ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: associationId, ExecutionId: execution.ExecutionId }));
        const mine = targets.AssociationExecutionTargets?.find((target) => target.ResourceId === instanceId);
        if (mine?.Status) return `${mine.Status}: ${mine.DetailedStatus ?? ''}`;
      }
      return undefined;
    }, 'the association\'s first execution', 90_000, 250);
    assert.match(status, /^Success/);
    const states = await eventually(async () => {
      const found = (await cp.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [instanceId] }))).InstancePatchStates ?? [];
      return found.length > 0 ? found : undefined;
    }, 'the instance\'s patch state', 30_000, 250);
    assert.equal(states[0]!.Operation, 'Scan');
    assert.equal(states[0]!.MissingCount, 1);
  });
});
