import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AddTagsToResourceCommand,
  CreatePatchBaselineCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  DescribePatchGroupStateCommand,
  GetCommandInvocationCommand,
  GetDefaultPatchBaselineCommand,
  GetDeployablePatchSnapshotForInstanceCommand,
  paginateListComplianceItems,
  RegisterPatchBaselineForPatchGroupCommand,
  SendCommandCommand,
  type ComplianceItem,
  type GetCommandInvocationCommandOutput,
  type OperatingSystem,
} from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import { AptSandbox } from '../support/apt-repository.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess, runCli, TENDER_BIN } from '../support/processes.js';

/**
 * A test-only patch provider plugin, written into the test's folder (the agent loads it with --plugin): it lists
 * this host's real package database through the provider context's exec (`dpkg-query`), reports what the snapshot
 * approves as Installed, rejects as InstalledRejected (BLOCK) and everything else as InstalledOther, and one
 * synthetic security update as Missing. The real apt provider is tested by its own plugin; this one proves the
 * path around any provider: snapshot, action, report, states, compliance.
 */
const TEST_PROVIDER = `
const MISSING = { Title: 'tender-e2e-security 2.0.0', KBId: 'tender-e2e-security', Classification: 'Security', Severity: 'important', State: 'MISSING', Version: '2.0.0', CVEIds: 'CVE-2026-0001', ComplianceLevel: 'HIGH' };
async function scan(context, snapshot) {
  const listed = await context.exec('/usr/bin/dpkg-query', ['-W', '-f', '\${Package}\\t\${Version}\\n']);
  if (listed.exitCode !== 0) throw new Error('dpkg-query failed: ' + listed.stderr);
  const patches = listed.stdout.trim().split('\\n').filter(Boolean).map((line) => {
    const [name, version] = line.split('\\t');
    const state = snapshot.rejectedPatches.includes(name) ? (snapshot.rejectedPatchesAction === 'BLOCK' ? 'INSTALLED_REJECTED' : 'INSTALLED_OTHER') : snapshot.approvedPatches.includes(name) ? 'INSTALLED' : 'INSTALLED_OTHER';
    return { Title: name + ' ' + version, KBId: name, Classification: '', Severity: '', State: state, Version: version };
  });
  return { operation: 'Scan', patches: [...patches, MISSING], rebootRequired: false, failures: [] };
}
export default Object.freeze({
  name: 'tender-plugin-e2e-patch',
  patchProviders: {
    'e2e-dpkg': {
      description: 'test-only provider over dpkg-query',
      operatingSystems: ['DEBIAN', 'UBUNTU', 'RASPBIAN'],
      detect: async (context) => (await context.exec('/usr/bin/dpkg-query', ['--version'])).exitCode === 0,
      scan,
      // It installs nothing: each patch it is asked for fails, which shows what reached it.
      install: async (context, snapshot, options) => ({ ...(await scan(context, snapshot)), operation: 'Install', failures: (options.installOverrideList ?? []).map((patch) => ({ patch, message: 'the e2e provider does not install' })) }),
    },
  },
  [Symbol.for('tender.plugin')]: true,
});
`;

function hostOperatingSystem(): OperatingSystem | undefined {
  const release = readFileSync('/etc/os-release', 'utf8');
  const id = /^ID="?([^"\n]+)"?$/m.exec(release)?.[1];
  return id === 'debian' ? 'DEBIAN' : id === 'ubuntu' ? 'UBUNTU' : undefined;
}

describe('Patch Manager end to end: AWS-RunPatchBaseline on a real agent, results through the SSM API', function () {
  this.timeout(180_000);
  let cp: TestControlPlane;
  let work: string;
  let instanceId: string;
  let agent: LiveProcess;
  let aptAgent: LiveProcess | undefined;
  let baselineId: string;
  const os_ = hostOperatingSystem();
  const snapshotId = '5d1c0e42-7a1b-4c2d-9e3f-0a1b2c3d4e5f';

  async function runPatchBaseline(parameters: Record<string, string[]>, target = instanceId): Promise<GetCommandInvocationCommandOutput> {
    const sent = await cp.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunPatchBaseline', InstanceIds: [target], Parameters: parameters }));
    const commandId = sent.Command?.CommandId ?? '';
    return eventually(async () => {
      const got = await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: target, PluginName: 'PatchLinux' })).catch(() => undefined);
      return got && ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(got.Status ?? '') ? got : undefined;
    }, 'AWS-RunPatchBaseline to finish', 90_000, 250);
  }

  before(async function () {
    if (process.platform !== 'linux' || !os_) {
      console.log('      (skipped: needs a Debian or Ubuntu host with dpkg)');
      this.skip();
    }
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-patching-e2e-'));
    const plugin = path.join(work, 'e2e-patch-plugin');
    await fs.mkdir(plugin, { recursive: true });
    await fs.writeFile(path.join(plugin, 'package.json'), JSON.stringify({ name: 'tender-plugin-e2e-patch', version: '1.0.0', type: 'module', main: 'index.js', engines: { tender: '^1.0.0' }, tender: { platforms: ['linux'], provides: { patchProviders: ['e2e-dpkg'] } } }));
    await fs.writeFile(path.join(plugin, 'index.js'), TEST_PROVIDER);

    cp = await startTestControlPlane({ heartbeatSeconds: 5, config: { patchSnapshotLifetimeSeconds: 4 } });
    const stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    await cp.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId, Tags: [{ Key: 'Patch Group', Value: 'e2e-web' }] }));
    // The agent's PATH finds no package manager, so that the bundled providers (apt, dnf) stand aside and the test
    // provider (which names dpkg-query by its full path) serves this host.
    const emptyPath = path.join(work, 'empty-path');
    await fs.mkdir(emptyPath);
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, '--inventory-interval-minutes', '0', '--inventory-jitter-seconds', '0', '--plugin', plugin], { PATH: emptyPath });
    await cp.untilOnline(instanceId, 'the agent to come online', 30_000);

    const created = await cp.ssm.send(new CreatePatchBaselineCommand({ Name: 'e2e-web', OperatingSystem: os_, ApprovedPatches: ['bash', 'dpkg'], RejectedPatches: ['coreutils'], RejectedPatchesAction: 'BLOCK' }));
    baselineId = created.BaselineId ?? '';
    await cp.ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: baselineId, PatchGroup: 'e2e-web' }));
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await aptAgent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('Scan: the agent scans this host with its provider, prints a summary, and the states, patches and compliance come back through the API', async () => {
    const invocation = await runPatchBaseline({ Operation: ['Scan'], SnapshotId: [snapshotId] });
    assert.equal(invocation.Status, 'Success', `${invocation.StandardOutputContent}\n${invocation.StandardErrorContent}\n${agent.output.slice(-3000)}`);
    assert.match(invocation.StandardOutputContent ?? '', /Patch operation: Scan \(provider e2e-dpkg, (DEBIAN|UBUNTU)\)/);
    assert.match(invocation.StandardOutputContent ?? '', new RegExp(`Baseline: ${baselineId} \\(patch group e2e-web\\), snapshot ${snapshotId}`));
    assert.match(invocation.StandardOutputContent ?? '', /MISSING:\n {2}tender-e2e-security 2\.0\.0 \[Security\/important\]/);

    const state = await eventually(async () => (await cp.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [instanceId] }))).InstancePatchStates?.[0], 'the patch state', 30_000, 250);
    assert.equal(state.Operation, 'Scan');
    assert.equal(state.BaselineId, baselineId);
    assert.equal(state.PatchGroup, 'e2e-web');
    assert.equal(state.SnapshotId, snapshotId);
    assert.equal(state.RebootOption, 'RebootIfNeeded');
    assert.equal(state.MissingCount, 1);
    assert.equal(state.InstalledCount, 2, 'bash and dpkg, approved and installed');
    assert.equal(state.InstalledRejectedCount, 1, 'coreutils, rejected with BLOCK');
    assert.ok((state.InstalledOtherCount ?? 0) > 20, `the host's other packages (${state.InstalledOtherCount})`);
    assert.ok(state.OperationEndTime && state.OperationStartTime && state.OperationEndTime >= state.OperationStartTime);

    const missing = await cp.ssm.send(new DescribeInstancePatchesCommand({ InstanceId: instanceId, Filters: [{ Key: 'State', Values: ['Missing'] }] }));
    assert.deepEqual(missing.Patches?.map((p) => [p.KBId, p.Classification, p.Severity, p.State, p.CVEIds]), [['tender-e2e-security', 'Security', 'important', 'MISSING', 'CVE-2026-0001']]);
    const bash = await cp.ssm.send(new DescribeInstancePatchesCommand({ InstanceId: instanceId, Filters: [{ Key: 'KBId', Values: ['bash'] }] }));
    assert.equal(bash.Patches?.[0]?.State, 'INSTALLED');

    const items: ComplianceItem[] = [];
    for await (const page of paginateListComplianceItems({ client: cp.ssm }, { ResourceIds: [instanceId], ResourceTypes: ['ManagedInstance'], Filters: [{ Key: 'ComplianceType', Values: ['Patch'], Type: 'EQUAL' }] })) items.push(...(page.ComplianceItems ?? []));
    const security = items.find((item) => item.Id === 'tender-e2e-security');
    assert.equal(security?.Status, 'NON_COMPLIANT');
    assert.equal(security?.Severity, 'HIGH');
    assert.equal(security?.Details?.PatchState, 'Missing');
    assert.equal(items.find((item) => item.Id === 'coreutils')?.Status, 'NON_COMPLIANT');
    assert.equal(items.find((item) => item.Id === 'bash')?.Status, 'COMPLIANT');

    const group = await cp.ssm.send(new DescribePatchGroupStateCommand({ PatchGroup: 'e2e-web' }));
    assert.equal(group.Instances, 1);
    assert.equal(group.InstancesWithMissingPatches, 1);
    assert.equal(group.InstancesWithInstalledRejectedPatches, 1);
  });

  it('tender patch status shows the fleet, the group and the host; tender patch baselines lists and shows; tender patch scan and install send AWS-RunPatchBaseline', async () => {
    const tender = (...args: string[]) => runCli(TENDER_BIN, [...args, '--data-dir', cp.dataDir]);
    const fleet = await tender('patch', 'status', '--json');
    assert.equal(fleet.code, 0, fleet.stderr);
    assert.deepEqual((JSON.parse(fleet.stdout) as { Summary: { Instances: number; NonCompliant: number } }).Summary.NonCompliant, 1);
    const human = await tender('patch', 'status');
    assert.match(human.stdout, /fleet: 1 instance\(s\), 1 reported \(0 compliant, 1 non-compliant\)/);
    const host = await tender('patch', 'status', '-i', instanceId, '--state', 'Missing');
    assert.equal(host.code, 0, host.stderr);
    assert.match(host.stdout, /MISSING +tender-e2e-security 2\.0\.0 +Security +important +CVE-2026-0001/);
    const group = await tender('patch', 'status', '--group', 'e2e-web');
    assert.match(group.stdout, /patch group e2e-web: 1 instance\(s\); with missing patches 1/);
    const baselines = await tender('patch', 'baselines', 'list', '--owner', 'Self');
    assert.match(baselines.stdout, new RegExp(`${baselineId} +e2e-web +${os_}`));
    const shown = await tender('patch', 'baselines', 'get', baselineId);
    assert.match(shown.stdout, /rejected patches: coreutils \(BLOCK\)/);
    assert.match(shown.stdout, /patch groups: e2e-web/);
    const bad = await tender('patch', 'baselines', 'create', '--name', 'no-os', '--rule', 'PRIORITY=Required');
    assert.equal(bad.code, 3, 'the API refused it');
    assert.match(bad.message, /ValidationException: .*PRIORITY is not supported for operating system WINDOWS.*names no OperatingSystem/);

    // tender patch scan: SendCommand of AWS-RunPatchBaseline; the override's JSON arrives whole (commas and all).
    const scan = await tender('patch', 'scan', '-i', instanceId, '--baseline-override', JSON.stringify({ OperatingSystem: os_, RejectedPatches: ['bash', 'dpkg'], RejectedPatchesAction: 'BLOCK' }), '--wait', '--json');
    assert.equal(scan.code, 0, scan.stderr);
    assert.equal((JSON.parse(scan.stdout) as { Invocations: Array<{ Status: string }> }).Invocations[0]?.Status, 'Success');
    const overridden = await eventually(async () => {
      const state = (await cp.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [instanceId] }))).InstancePatchStates?.[0];
      return state?.BaselineId === 'BaselineOverride' ? state : undefined;
    }, 'the scan under the override to be reported', 30_000, 250);
    assert.equal(overridden.InstalledRejectedCount, 2, 'bash and dpkg, rejected by the override');
    assert.equal(overridden.InstalledCount, 0);

    // tender patch install: the override list and reboot option reach the provider; its failures fail the step.
    const install = await tender('patch', 'install', '-i', instanceId, '--install-override-list', 'tender-e2e-security,curl', '--reboot-option', 'NoReboot', '--wait', '--json');
    assert.equal(install.code, 1, 'a failed invocation');
    const [invocation] = (JSON.parse(install.stdout) as { Invocations: Array<{ Status: string; CommandId: string }> }).Invocations;
    assert.equal(invocation?.Status, 'Failed');
    const detail = await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: invocation!.CommandId, InstanceId: instanceId, PluginName: 'PatchLinux' }));
    assert.match(detail.StandardErrorContent ?? '', /2 patch\(es\) failed to install: tender-e2e-security \(the e2e provider does not install\); curl/);
    const installed = await eventually(async () => {
      const state = (await cp.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [instanceId] }))).InstancePatchStates?.[0];
      return state?.Operation === 'Install' ? state : undefined;
    }, 'the install to be reported', 30_000, 250);
    assert.equal(installed.RebootOption, 'NoReboot');
    assert.equal(installed.InstallOverrideList, 'tender-e2e-security,curl');
    assert.ok(installed.LastNoRebootInstallOperationTime);
  });

  it('an expired snapshot: GetDeployablePatchSnapshotForInstance and AWS-RunPatchBaseline get SSM\'s error; a bad BaselineOverride fails the step', async () => {
    await eventually(
      async () => (await cp.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: instanceId, SnapshotId: snapshotId })).then(() => false, (error: Error) => error.name === 'DoesNotExistException')) || undefined,
      'the snapshot to expire (it lives 4 s here)',
      30_000,
      500,
    );
    const expired = await runPatchBaseline({ Operation: ['Scan'], SnapshotId: [snapshotId] });
    assert.equal(expired.Status, 'Failed');
    assert.match(expired.StandardErrorContent ?? '', new RegExp(`could not get the patch baseline snapshot ${snapshotId}: DoesNotExistException: Patch snapshot ${snapshotId} for ${instanceId} expired at`));

    const override = await runPatchBaseline({ Operation: ['Scan'], BaselineOverride: [JSON.stringify({ OperatingSystem: os_, ApprovedPatches: ['not a package!'] })] });
    assert.equal(override.Status, 'Failed');
    assert.match(override.StandardErrorContent ?? '', /ValidationException: ApprovedPatches: "not a package!" is not a valid patch/);

    const fresh = await runPatchBaseline({ Operation: ['Scan'] });
    assert.equal(fresh.Status, 'Success', fresh.StandardErrorContent);
  });
  it('Scan with the bundled apt provider: this host\'s real dpkg database, lists from a local repository; a security update is Missing and nothing on the host changes', async function () {
    if (!(await AptSandbox.available())) this.skip();
    // apt reads its sources and lists from a sandbox (APT_CONFIG), so the scan needs no network and writes nothing
    // of the host's; dpkg-query reads the host's real package database. The sandbox offers a newer bash from a
    // *-security suite: an update of a package this host has.
    const apt = await AptSandbox.create(path.join(work, 'apt'));
    await apt.addSuitePackage('fleet-security', 'bash', '99.0-tender1', { priority: 'required', section: 'shells' });
    const hostStatus = () => fs.readFile('/var/lib/dpkg/status').then((bytes) => createHash('sha256').update(bytes).digest('hex'));
    const before = await hostStatus();
    const stateDir = path.join(work, 'apt-agent');
    const aptInstance = await cp.registerAgent(stateDir);
    aptAgent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, '--inventory-interval-minutes', '0', '--inventory-jitter-seconds', '0'], apt.env);
    await cp.untilOnline(aptInstance, 'the apt agent to come online', 30_000);

    const invocation = await runPatchBaseline({ Operation: ['Scan'] }, aptInstance);
    assert.equal(invocation.Status, 'Success', `${invocation.StandardOutputContent}\n${invocation.StandardErrorContent}\n${aptAgent.output.slice(-3000)}`);
    assert.match(invocation.StandardOutputContent ?? '', /Patch operation: Scan \(provider apt, (DEBIAN|UBUNTU)\)/);
    const defaultBaseline = await cp.ssm.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: os_ }));
    const state = await eventually(async () => (await cp.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [aptInstance] }))).InstancePatchStates?.[0], 'the apt scan\'s patch state', 30_000, 250);
    assert.equal(state.BaselineId, defaultBaseline.BaselineId, 'no patch group: the default baseline');
    assert.ok((state.MissingCount ?? 0) >= 1, `MissingCount ${state.MissingCount}`);
    const bash = await cp.ssm.send(new DescribeInstancePatchesCommand({ InstanceId: aptInstance, Filters: [{ Key: 'KBId', Values: ['bash'] }] }));
    assert.deepEqual(bash.Patches?.map((p) => [p.State, p.Classification]), [['MISSING', 'Security']]);
    assert.equal(await hostStatus(), before, 'a scan changes nothing on the host');
  });
});
