import assert from 'node:assert/strict';
import { apiError } from './support/operation-harness.js';
import { instance, patchFixture, type PatchFixture } from './support/patch-fixtures.js';

const DEBIAN_HOST = 'mi-0000000000000000a';
const UBUNTU_HOST = 'mi-0000000000000000b';
const WINDOWS_HOST = 'mi-0000000000000000c';
const BSD_HOST = 'mi-0000000000000000d';
const SNAPSHOT = '9e3c2a10-1111-4222-8333-444455556666';

/** What AWS-RunPatchBaseline's step uploads (plugins/action-patch's patch-report-rows.ts writes these rows). */
function report(options: { baselineId: string; group?: string; operation?: 'Scan' | 'Install'; end?: string; patches: Array<{ id: string; state: string; classification?: string; severity?: string; level?: string; cves?: string; installed?: string }> }) {
  const counts: Record<string, number> = { InstalledCount: 0, InstalledOtherCount: 0, MissingCount: 0, FailedCount: 0, InstalledPendingRebootCount: 0, NotApplicableCount: 0, SecurityNonCompliantCount: 0 };
  const key: Record<string, string> = { INSTALLED: 'InstalledCount', INSTALLED_OTHER: 'InstalledOtherCount', MISSING: 'MissingCount', FAILED: 'FailedCount', INSTALLED_PENDING_REBOOT: 'InstalledPendingRebootCount', NOT_APPLICABLE: 'NotApplicableCount' };
  for (const p of options.patches) {
    counts[key[p.state]!]! += 1;
    if (['MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT'].includes(p.state) && (p.classification ?? 'Security') === 'Security') counts.SecurityNonCompliantCount! += 1;
  }
  const end = options.end ?? '2026-11-28T10:02:00.000Z';
  return [
    {
      TypeName: 'AWS:PatchSummary',
      Content: [{ PatchGroup: options.group ?? '', BaselineId: options.baselineId, SnapshotId: SNAPSHOT, OperationType: options.operation ?? 'Scan', OperationStartTime: '2026-11-28T10:01:00.000Z', OperationEndTime: end, RebootOption: 'RebootIfNeeded', ExecutionId: 'cmd-1', ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)])) }],
    },
    {
      TypeName: 'AWS:ComplianceItem',
      Context: { ComplianceType: 'Patch', ExecutionId: 'cmd-1', ExecutionType: 'Command', ExecutionTime: end },
      Content: options.patches.map((p) => ({
        ComplianceType: 'Patch',
        Id: p.id,
        Title: `${p.id} 1.2.3`,
        Status: ['MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT'].includes(p.state) ? 'NON_COMPLIANT' : 'COMPLIANT',
        Severity: p.level ?? 'UNSPECIFIED',
        Classification: p.classification ?? 'Security',
        PatchSeverity: p.severity ?? 'important',
        PatchState: p.state,
        PatchBaselineId: options.baselineId,
        PatchGroup: options.group ?? '',
        Version: '1.2.3',
        ...(p.cves ? { CVEIds: p.cves } : {}),
        ...(p.installed ? { InstalledTime: p.installed } : {}),
      })),
    },
  ];
}

describe('Patch snapshots and states (operations)', () => {
  let f: PatchFixture;
  beforeEach(async () => {
    f = await patchFixture({ snapshotLifetimeMs: 3_600_000 });
    f.instances.set(DEBIAN_HOST, instance(DEBIAN_HOST, { name: 'Debian GNU/Linux', version: '12' }, [{ Key: 'Patch Group', Value: 'web' }]));
    f.instances.set(UBUNTU_HOST, instance(UBUNTU_HOST, { name: 'Ubuntu', version: '22.04' }, [{ Key: 'PatchGroup', Value: 'web' }]));
    f.instances.set(WINDOWS_HOST, instance(WINDOWS_HOST, { name: 'Microsoft Windows Server 2022 Datacenter', version: '10.0.20348', type: 'Windows' }));
    f.instances.set(BSD_HOST, instance(BSD_HOST, { name: 'FreeBSD', version: '14.1' }));
  });
  afterEach(async () => f.close());

  it('GetDeployablePatchSnapshotForInstance: the patch group\'s baseline, frozen under the SnapshotId until it expires', async () => {
    const { BaselineId: debianWeb } = await f.call('CreatePatchBaseline', { Name: 'debian-web', OperatingSystem: 'DEBIAN', ApprovedPatches: ['openssl'], RejectedPatches: ['telnet'] });
    await f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: debianWeb, PatchGroup: 'web' });
    const answer = await f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: DEBIAN_HOST, SnapshotId: SNAPSHOT });
    assert.deepEqual(answer, { InstanceId: DEBIAN_HOST, SnapshotId: SNAPSHOT, SnapshotDownloadUrl: `http://127.0.0.1:8700/tender/v1/patch-snapshots/${SNAPSHOT}`, Product: 'Debian12' });
    const host = f.instances.get(DEBIAN_HOST)!;
    const { snapshot } = await f.manager.snapshots.deployable(host, SNAPSHOT);
    assert.equal(snapshot.baselineId, debianWeb);
    assert.equal(snapshot.patchGroup, 'web');
    assert.equal(snapshot.operatingSystem, 'DEBIAN');
    assert.deepEqual(snapshot.approvedPatches, ['openssl']);
    assert.equal(snapshot.createdAt, '2026-11-28T10:00:00.000Z');

    // The baseline changes; the snapshot does not.
    await f.call('UpdatePatchBaseline', { BaselineId: debianWeb, ApprovedPatches: ['bash'] });
    f.clock.advance(600);
    assert.deepEqual((await f.manager.snapshots.deployable(host, SNAPSHOT)).snapshot.approvedPatches, ['openssl']);
    // Another instance under the same SnapshotId shares its approval instant; with no group registration for Ubuntu it gets the default.
    const ubuntu = (await f.manager.snapshots.deployable(f.instances.get(UBUNTU_HOST)!, SNAPSHOT)).snapshot;
    assert.equal(ubuntu.createdAt, '2026-11-28T10:00:00.000Z');
    assert.equal(ubuntu.baselineId, (await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'UBUNTU' })).BaselineId);
    // A new SnapshotId sees the new rules.
    assert.deepEqual((await f.manager.snapshots.deployable(host, '00000000-1111-4222-8333-444455556666')).snapshot.approvedPatches, ['bash']);

    f.clock.advance(3600);
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: DEBIAN_HOST, SnapshotId: SNAPSHOT }), 'DoesNotExistException', /Patch snapshot 9e3c2a10-.* expired at 2026-11-28T11:00:00.000Z.*new SnapshotId/);
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: WINDOWS_HOST, SnapshotId: SNAPSHOT }), 'DoesNotExistException', /expired/, 400);
  });

  it('refuses unknown operating systems, bad overrides and bad ids; a BaselineOverride replaces the rules', async () => {
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: BSD_HOST, SnapshotId: SNAPSHOT }), 'UnsupportedOperatingSystem', /FreeBSD 14.1, which has no patch baseline operating system/);
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: 'mi-0000000000000000f', SnapshotId: SNAPSHOT }), 'InvalidInstanceId');
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: DEBIAN_HOST, SnapshotId: 'not-a-uuid-not-a-uuid-not-a-uuid-123' }), 'ValidationException', /snapshotId/);
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: DEBIAN_HOST, SnapshotId: SNAPSHOT, BaselineOverride: { OperatingSystem: 'DEBIAN', ApprovedPatches: ['bad name!'] } }), 'ValidationException', /"bad name!" is not a valid patch/);
    await apiError(f.call('GetDeployablePatchSnapshotForInstance', { InstanceId: DEBIAN_HOST, SnapshotId: SNAPSHOT, BaselineOverride: { OperatingSystem: 'WINDOWS' } }), 'UnsupportedOperatingSystem', /BaselineOverride is for WINDOWS/);
    const { snapshot } = await f.manager.snapshots.deployable(f.instances.get(DEBIAN_HOST)!, SNAPSHOT, { RejectedPatches: ['openssl'], RejectedPatchesAction: 'BLOCK' });
    assert.equal(snapshot.baselineId, 'BaselineOverride');
    assert.equal(snapshot.operatingSystem, 'DEBIAN', 'an override without OperatingSystem takes the instance\'s');
    assert.deepEqual(snapshot.rejectedPatches, ['openssl']);
    assert.equal(snapshot.rejectedPatchesAction, 'BLOCK');
  });

  it('an agent\'s patch report becomes DescribeInstancePatchStates, DescribeInstancePatches and Patch compliance', async () => {
    const baselineId = String((await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'DEBIAN' })).BaselineId);
    await f.upload(DEBIAN_HOST, report({
      baselineId,
      group: 'web',
      patches: [
        { id: 'openssl', state: 'MISSING', level: 'CRITICAL', cves: 'CVE-2024-0001,CVE-2024-0002' },
        { id: 'bash', state: 'INSTALLED', installed: '2026-11-01T00:00:00.000Z' },
        { id: 'vim', state: 'INSTALLED_OTHER', classification: 'Bugfix' },
        ...Array.from({ length: 12 }, (_, i) => ({ id: `lib${i}`, state: 'INSTALLED_OTHER' })),
      ],
    }));
    const states = await f.call('DescribeInstancePatchStates', { InstanceIds: [DEBIAN_HOST, UBUNTU_HOST] });
    const [state] = states.InstancePatchStates as Array<Record<string, unknown>>;
    assert.equal((states.InstancePatchStates as unknown[]).length, 1, 'only instances that reported');
    assert.equal(state!.InstanceId, DEBIAN_HOST);
    assert.equal(state!.PatchGroup, 'web');
    assert.equal(state!.BaselineId, baselineId);
    assert.equal(state!.SnapshotId, SNAPSHOT);
    assert.equal(state!.Operation, 'Scan');
    assert.equal(state!.MissingCount, 1);
    assert.equal(state!.InstalledCount, 1);
    assert.equal(state!.InstalledOtherCount, 13);
    assert.equal(state!.OperationEndTime, Date.parse('2026-11-28T10:02:00Z') / 1000);
    assert.equal(state!.RebootOption, 'RebootIfNeeded');
    assert.equal(state!.ExecutionId, undefined, 'not an SSM field');

    const missing = await f.call('DescribeInstancePatches', { InstanceId: DEBIAN_HOST, Filters: [{ Key: 'State', Values: ['Missing'] }] });
    assert.deepEqual(missing.Patches, [{ Title: 'openssl 1.2.3', KBId: 'openssl', Classification: 'Security', Severity: 'important', State: 'MISSING', InstalledTime: 0, CVEIds: 'CVE-2024-0001,CVE-2024-0002' }]);
    const page1 = await f.call('DescribeInstancePatches', { InstanceId: DEBIAN_HOST, MaxResults: 10 });
    assert.equal((page1.Patches as unknown[]).length, 10);
    const page2 = await f.call('DescribeInstancePatches', { InstanceId: DEBIAN_HOST, MaxResults: 10, NextToken: page1.NextToken });
    assert.equal((page2.Patches as unknown[]).length, 5);
    await apiError(f.call('DescribeInstancePatches', { InstanceId: DEBIAN_HOST, MaxResults: 5 }), 'ValidationException', /greater than or equal to 10/);
    await apiError(f.call('DescribeInstancePatches', { InstanceId: DEBIAN_HOST, Filters: [{ Key: 'Colour', Values: ['x'] }] }), 'InvalidFilter');
    await apiError(f.call('DescribeInstancePatches', { InstanceId: 'mi-0000000000000000f' }), 'InvalidInstanceId');

    const [write] = f.compliance.writes;
    assert.equal(write!.ComplianceType, 'Patch');
    assert.equal(write!.ResourceId, DEBIAN_HOST);
    assert.equal(write!.ExecutionSummary.ExecutionId, 'cmd-1');
    assert.equal(write!.Items.length, 15);
    const openssl = write!.Items.find((i) => i.Id === 'openssl')!;
    assert.deepEqual([openssl.Status, openssl.Severity, openssl.Details?.PatchState, openssl.Details?.PatchBaselineId], ['NON_COMPLIANT', 'CRITICAL', 'Missing', baselineId]);
    assert.equal(write!.Items.find((i) => i.Id === 'bash')!.Status, 'COMPLIANT');

    // A resend of the same upload records the same state again; an older report arriving late changes nothing.
    await f.upload(DEBIAN_HOST, report({ baselineId, group: 'web', end: '2026-11-28T09:00:00.000Z', patches: [{ id: 'openssl', state: 'INSTALLED' }] }));
    assert.equal(((await f.call('DescribeInstancePatchStates', { InstanceIds: [DEBIAN_HOST] })).InstancePatchStates as Array<{ MissingCount: number }>)[0]!.MissingCount, 1);
  });

  it('a patch state shows only once its compliance items are stored: whoever sees the state finds them', async () => {
    const baselineId = String((await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'DEBIAN' })).BaselineId);
    const release = f.compliance.hold();
    const uploading = f.upload(DEBIAN_HOST, report({ baselineId, patches: [{ id: 'openssl', state: 'MISSING' }] }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual((await f.call('DescribeInstancePatchStates', { InstanceIds: [DEBIAN_HOST] })).InstancePatchStates, [], 'no state while its compliance is not stored');
    release();
    await uploading;
    assert.equal(((await f.call('DescribeInstancePatchStates', { InstanceIds: [DEBIAN_HOST] })).InstancePatchStates as Array<{ MissingCount: number }>)[0]!.MissingCount, 1);
    assert.equal(f.compliance.writes.length, 1);
  });

  it('patch-group roll-ups: DescribePatchGroupState and DescribeInstancePatchStatesForPatchGroup with filters', async () => {
    await f.upload(DEBIAN_HOST, report({ baselineId: 'pb-0123456789abcdef0', group: 'web', patches: [{ id: 'openssl', state: 'MISSING' }, { id: 'bash', state: 'INSTALLED' }] }));
    await f.upload(UBUNTU_HOST, report({ baselineId: 'pb-0123456789abcdef0', group: 'web', operation: 'Install', patches: [{ id: 'openssl', state: 'INSTALLED_PENDING_REBOOT' }, { id: 'curl', state: 'FAILED', classification: 'Bugfix' }] }));
    await f.upload(WINDOWS_HOST, report({ baselineId: 'pb-0123456789abcdef0', patches: [{ id: 'KB5034439', state: 'MISSING', classification: 'SecurityUpdates', severity: 'Critical' }] }));
    const group = await f.call('DescribePatchGroupState', { PatchGroup: 'web' });
    assert.equal(group.Instances, 2);
    assert.equal(group.InstancesWithMissingPatches, 1);
    assert.equal(group.InstancesWithInstalledPendingRebootPatches, 1);
    assert.equal(group.InstancesWithFailedPatches, 1);
    assert.equal(group.InstancesWithInstalledPatches, 1);
    assert.equal(group.InstancesWithSecurityNonCompliantPatches, 2);
    const failing = await f.call('DescribeInstancePatchStatesForPatchGroup', { PatchGroup: 'web', Filters: [{ Key: 'FailedCount', Values: ['0'], Type: 'GreaterThan' }] });
    assert.deepEqual((failing.InstancePatchStates as Array<{ InstanceId: string }>).map((s) => s.InstanceId), [UBUNTU_HOST]);
    const all = await f.call('DescribeInstancePatchStatesForPatchGroup', { PatchGroup: 'web' });
    assert.deepEqual((all.InstancePatchStates as Array<{ InstanceId: string }>).map((s) => s.InstanceId), [DEBIAN_HOST, UBUNTU_HOST]);
    await apiError(f.call('DescribeInstancePatchStatesForPatchGroup', { PatchGroup: 'web', Filters: [{ Key: 'Colour', Values: ['1'], Type: 'Equal' }] }), 'InvalidFilter', /valid keys: InstalledCount/);
    await apiError(f.call('DescribeInstancePatchStatesForPatchGroup', { PatchGroup: 'web', Filters: [{ Key: 'FailedCount', Values: ['-1'], Type: 'Equal' }] }), 'InvalidFilter', /integer greater than or equal to 0/);
    await apiError(f.call('DescribeInstancePatchStatesForPatchGroup', { PatchGroup: 'web', Filters: [{ Key: 'FailedCount', Values: ['1'], Type: 'Like' }] }), 'InvalidFilter', /Type must be one of/);

    // The fleet's patches: DescribeAvailablePatches (Tender lists what its hosts reported).
    const available = await f.call('DescribeAvailablePatches', { Filters: [{ Key: 'PRODUCT', Values: ['Debian12'] }] });
    assert.deepEqual((available.Patches as Array<{ Id: string; Name: string }>).map((p) => p.Id), ['bash:1.2.3', 'openssl:1.2.3']);
    const windowsPatches = await f.call('DescribeAvailablePatches', { Filters: [{ Key: 'MSRC_SEVERITY', Values: ['Critical'] }] });
    assert.deepEqual(windowsPatches.Patches, [{ Id: 'KB5034439', Title: 'KB5034439 1.2.3', Product: 'WindowsServer2022Datacenter', Classification: 'SecurityUpdates', MsrcSeverity: 'Critical', KbNumber: 'KB5034439', Version: '1.2.3' }]);

    // Paging goes on from the last patch shown: a host that reports a patch sorting before it repeats none.
    const firstPatch = await f.call('DescribeAvailablePatches', { MaxResults: 1, Filters: [{ Key: 'PRODUCT', Values: ['Debian12'] }] });
    assert.deepEqual((firstPatch.Patches as Array<{ Id: string }>).map((p) => p.Id), ['bash:1.2.3']);
    const otherDebian = 'mi-0000000000000000e';
    f.instances.set(otherDebian, instance(otherDebian, { name: 'Debian GNU/Linux', version: '12' }));
    await f.upload(otherDebian, report({ baselineId: 'pb-0123456789abcdef0', patches: [{ id: 'apt', state: 'MISSING' }] }));
    const nextPatch = await f.call('DescribeAvailablePatches', { MaxResults: 1, NextToken: firstPatch.NextToken, Filters: [{ Key: 'PRODUCT', Values: ['Debian12'] }] });
    assert.deepEqual((nextPatch.Patches as Array<{ Id: string }>).map((p) => p.Id), ['openssl:1.2.3']);
    f.instances.delete(otherDebian);

    // DescribeEffectivePatchesForPatchBaseline: Windows baselines only, as in SSM.
    const linuxDefault = await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'DEBIAN' });
    await apiError(f.call('DescribeEffectivePatchesForPatchBaseline', { BaselineId: linuxDefault.BaselineId }), 'UnsupportedOperatingSystem', /Windows baselines only/);
    const { BaselineId: winBaseline } = await f.call('CreatePatchBaseline', { Name: 'win-critical', OperatingSystem: 'WINDOWS', ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['SecurityUpdates'] }, { Key: 'MSRC_SEVERITY', Values: ['Critical'] }] }, ApproveAfterDays: 0, ComplianceLevel: 'CRITICAL' }] } });
    const effective = await f.call('DescribeEffectivePatchesForPatchBaseline', { BaselineId: winBaseline });
    assert.deepEqual((effective.EffectivePatches as Array<{ Patch: { KbNumber: string }; PatchStatus: unknown }>).map((e) => [e.Patch.KbNumber, e.PatchStatus]), [['KB5034439', { DeploymentStatus: 'APPROVED', ComplianceLevel: 'CRITICAL' }]]);
    await f.call('UpdatePatchBaseline', { BaselineId: winBaseline, RejectedPatches: ['KB5034439'] });
    const rejected = await f.call('DescribeEffectivePatchesForPatchBaseline', { BaselineId: winBaseline });
    assert.equal((rejected.EffectivePatches as Array<{ PatchStatus: { DeploymentStatus: string } }>)[0]!.PatchStatus.DeploymentStatus, 'EXPLICIT_REJECTED');
  });
});
