import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryPatchHost, testBaselineSnapshot } from '@tender/patch-baseline/testing';
import type { AgentServices, PatchBaselineSnapshot } from '@tender/plugin-api';
import { stepFixture, type StepFixture } from '@tender/plugin-api/testing';
import { createRunPatchBaselineAction, EXIT_CODE_REBOOT_UNIX, parsePatchList } from '../src/index.js';

type Items = Parameters<NonNullable<AgentServices['putInventory']>>[0];

interface Harness {
  services: AgentServices;
  uploads: Items[];
  snapshotRequests: Array<{ snapshotId: string; override?: Record<string, unknown> }>;
}

function services(host: MemoryPatchHost, snapshot: PatchBaselineSnapshot | Error = testBaselineSnapshot()): Harness {
  const uploads: Items[] = [];
  const snapshotRequests: Harness['snapshotRequests'] = [];
  return {
    uploads,
    snapshotRequests,
    services: {
      getPatchSnapshot: async (snapshotId, options) => {
        snapshotRequests.push({ snapshotId, ...(options?.baselineOverride ? { override: options.baselineOverride } : {}) });
        if (snapshot instanceof Error) throw snapshot;
        return { ...snapshot, snapshotId };
      },
      patchProviders: () => [{ name: 'fake-apt', provider: host.provider() }],
      putInventory: async (items) => {
        uploads.push(items);
      },
    },
  };
}

const summaryOf = (items: Items) => items.find((i) => i.TypeName === 'AWS:PatchSummary')!.Content[0]!;
const patchesOf = (items: Items) => items.find((i) => i.TypeName === 'AWS:ComplianceItem')!.Content;
const stateOf = (items: Items, id: string) => patchesOf(items).find((row) => row.Id === id)?.PatchState;

function packages() {
  return [
    { name: 'openssl', installed: '3.0.11-1', available: '3.0.15-1', classification: 'Security', severity: 'important' },
    { name: 'linux-image-amd64', installed: '6.1.0-1', available: '6.1.0-2', classification: 'Security', severity: 'important', needsReboot: true },
    { name: 'vim', installed: '9.0.1', available: '9.0.2', classification: 'Bugfix', severity: 'optional' },
    { name: 'bash', installed: '5.2-1', classification: 'Security', severity: 'required' },
  ];
}

describe('aws:runPatchBaseline (with a test-only provider)', () => {
  let fixture: StepFixture | undefined;
  afterEach(async () => fixture?.cleanup());

  it('Scan: reports every patch state as AWS:PatchSummary and compliance rows, prints a summary, installs nothing', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host);
    fixture = await stepFixture({ operation: 'Scan', snapshotId: '', rebootOption: 'RebootIfNeeded' }, { platform: 'linux', run: { commandId: 'c0ffee00-0000-4000-8000-000000000001' } });
    const result = await createRunPatchBaselineAction({ now: () => new Date('2026-11-28T10:00:00Z') }).run({ ...fixture.context, services: harness.services });
    assert.deepEqual(result, { status: 'Success', exitCode: 0 });
    assert.deepEqual(host.installs, [], 'a scan installs nothing');
    assert.match(harness.snapshotRequests[0]!.snapshotId, /^[0-9a-f-]{36}$/, 'an empty SnapshotId gets a new UUID');
    const [items] = harness.uploads;
    const summary = summaryOf(items!);
    assert.equal(summary.OperationType, 'Scan');
    assert.equal(summary.MissingCount, '2');
    assert.equal(summary.InstalledCount, '1');
    assert.equal(summary.InstalledOtherCount, '1');
    assert.equal(summary.SecurityNonCompliantCount, '2');
    assert.equal(summary.BaselineId, 'pb-0123456789abcdef0');
    assert.equal(summary.PatchGroup, 'web');
    assert.equal(summary.ExecutionId, 'c0ffee00-0000-4000-8000-000000000001');
    const openssl = patchesOf(items!).find((row) => row.Id === 'openssl')!;
    assert.equal(openssl.ComplianceType, 'Patch');
    assert.equal(openssl.Status, 'NON_COMPLIANT');
    assert.equal(openssl.Severity, 'HIGH');
    assert.equal(openssl.PatchState, 'MISSING');
    assert.equal(stateOf(items!, 'bash'), 'INSTALLED');
    assert.equal(patchesOf(items!).find((row) => row.Id === 'bash')!.Status, 'COMPLIANT');
    const out = fixture.stdout.text();
    assert.match(out, /Patch operation: Scan \(provider fake-apt, DEBIAN\)/);
    assert.match(out, /Missing: 2/);
    assert.match(out, /MISSING:\n {2}openssl 3\.0\.15-1 \[Security\/important\]/);
  });

  it('Install with RebootIfNeeded: reports InstalledPendingReboot, exits 194; the run after the reboot reports Installed', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host);
    const snapshotId = '9e3c2a10-1111-4222-8333-444455556666';
    fixture = await stepFixture({ operation: 'Install', snapshotId, rebootOption: 'RebootIfNeeded' }, { platform: 'linux' });
    const times = [new Date('2026-11-28T10:00:00Z'), new Date('2026-11-28T10:05:00Z'), new Date('2026-11-28T10:09:00Z'), new Date('2026-11-28T10:10:00Z')];
    const action = createRunPatchBaselineAction({ now: () => times.shift() ?? new Date('2026-11-28T11:00:00Z') });
    const first = await action.run({ ...fixture.context, services: harness.services });
    assert.deepEqual(first, { status: 'Success', exitCode: EXIT_CODE_REBOOT_UNIX });
    assert.deepEqual(host.installs, [['openssl', 'linux-image-amd64']], 'the approved missing patches, not the unapproved vim');
    assert.equal(stateOf(harness.uploads[0]!, 'linux-image-amd64'), 'INSTALLED_PENDING_REBOOT');
    assert.equal(summaryOf(harness.uploads[0]!).InstalledPendingRebootCount, '1');
    assert.match(fixture.stdout.text(), /rebooting the host now/);

    host.reboot(); // the runner rebooted the host and runs the step again, in the same folder
    const second = await action.run({ ...fixture.context, services: harness.services });
    assert.deepEqual(second, { status: 'Success', exitCode: 0 });
    assert.equal(host.installs.length, 1, 'the run after the reboot installs nothing more');
    const after = harness.uploads[1]!;
    assert.equal(summaryOf(after).OperationType, 'Install');
    assert.equal(summaryOf(after).OperationStartTime, '2026-11-28T10:00:00.000Z', 'the install started before the reboot');
    assert.equal(summaryOf(after).SnapshotId, snapshotId);
    assert.equal(stateOf(after, 'linux-image-amd64'), 'INSTALLED');
    assert.equal(summaryOf(after).InstalledPendingRebootCount, '0');
    assert.equal(summaryOf(after).InstalledCount, '3');
    assert.deepEqual(harness.snapshotRequests.map((r) => r.snapshotId), [snapshotId, snapshotId]);
  });

  it('Install with NoReboot: does not reboot; the patch stays InstalledPendingReboot and LastNoRebootInstallOperationTime is set', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host);
    fixture = await stepFixture({ operation: 'Install', rebootOption: 'NoReboot' }, { platform: 'linux' });
    const result = await createRunPatchBaselineAction().run({ ...fixture.context, services: harness.services });
    assert.deepEqual(result, { status: 'Success', exitCode: 0 });
    const summary = summaryOf(harness.uploads[0]!);
    assert.equal(summary.InstalledPendingRebootCount, '1');
    assert.equal(summary.RebootOption, 'NoReboot');
    assert.ok(summary.LastNoRebootInstallOperationTime);
    assert.match(fixture.stdout.text(), /need a reboot \(RebootOption NoReboot: not rebooting\)/);
  });

  it('a patch that fails to install fails the step, naming it and the package manager\'s reason; the report says Failed', async () => {
    const host = new MemoryPatchHost([{ name: 'openssl', installed: '3.0.11-1', available: '3.0.15-1', classification: 'Security', severity: 'important', failsToInstall: true }]);
    const harness = services(host);
    fixture = await stepFixture({ operation: 'Install', rebootOption: 'NoReboot' }, { platform: 'linux' });
    const result = await createRunPatchBaselineAction().run({ ...fixture.context, services: harness.services });
    assert.equal(result.status, 'Failed');
    assert.match(result.message ?? '', /openssl \(dpkg: error processing package \(simulated\)\)/);
    assert.equal(summaryOf(harness.uploads[0]!).FailedCount, '1');
  });

  it('InstallOverrideList (SSM\'s YAML form in a file) installs only the patches it names', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host);
    fixture = await stepFixture({}, { platform: 'linux' });
    const list = path.join(fixture.root, 'override.yaml');
    await writeFile(list, 'patches:\n  - id: vim\n    title: vim\n');
    const result = await createRunPatchBaselineAction().run({ ...fixture.context, inputs: { operation: 'Install', installOverrideList: list, rebootOption: 'NoReboot' }, services: harness.services });
    assert.deepEqual(result, { status: 'Success', exitCode: 0 });
    assert.deepEqual(host.installs, [['vim']]);
    assert.equal(summaryOf(harness.uploads[0]!).InstallOverrideList, 'vim');
    assert.deepEqual(parsePatchList('openssl, vim\nbash'), ['openssl', 'vim', 'bash']);
  });

  it('BaselineOverride JSON goes with the snapshot request; a malformed one fails the step before anything runs', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host);
    fixture = await stepFixture({ operation: 'Scan', baselineOverride: '{"OperatingSystem":"DEBIAN","RejectedPatches":["openssl"]}' }, { platform: 'linux' });
    await createRunPatchBaselineAction().run({ ...fixture.context, services: harness.services });
    assert.deepEqual(harness.snapshotRequests[0]!.override, { OperatingSystem: 'DEBIAN', RejectedPatches: ['openssl'] });
    const bad = await createRunPatchBaselineAction().run({ ...fixture.context, inputs: { operation: 'Scan', baselineOverride: '{not json' }, services: harness.services });
    assert.equal(bad.status, 'Failed');
    assert.match(bad.message ?? '', /baselineOverride is not JSON/);
    assert.equal(harness.snapshotRequests.length, 1);
  });

  it('an expired snapshot fails the step with the control plane\'s error; nothing is scanned or reported', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host, new Error('DoesNotExistException: Patch snapshot 11111111-2222-3333-4444-555555555555 for mi-0123456789abcdef0 expired at 2026-11-27T00:00:00.000Z'));
    fixture = await stepFixture({ operation: 'Scan', snapshotId: '11111111-2222-3333-4444-555555555555' }, { platform: 'linux' });
    const result = await createRunPatchBaselineAction().run({ ...fixture.context, services: harness.services });
    assert.equal(result.status, 'Failed');
    assert.match(result.message ?? '', /DoesNotExistException: Patch snapshot .* expired/);
    assert.equal(harness.uploads.length, 0);
    assert.match(fixture.stderr.text(), /expired/);
  });

  it('no provider for the host\'s operating system, or no provider plugin at all: a clear failure', async () => {
    const host = new MemoryPatchHost(packages());
    const harness = services(host, testBaselineSnapshot({ operatingSystem: 'WINDOWS' }));
    fixture = await stepFixture({ operation: 'Scan' }, { platform: 'linux' });
    const result = await createRunPatchBaselineAction().run({ ...fixture.context, services: harness.services });
    assert.match(result.message ?? '', /no patch provider on this host serves WINDOWS: fake-apt \(serves DEBIAN, UBUNTU\)/);
    const { patchProviders: _none, ...withoutProviders } = harness.services;
    const bare = await createRunPatchBaselineAction().run({ ...fixture.context, services: withoutProviders });
    assert.match(bare.message ?? '', /no patch provider plugin/);
  });

  it('refuses a bad operation or SnapshotId', async () => {
    const harness = services(new MemoryPatchHost([]));
    fixture = await stepFixture({ operation: 'Patch' }, { platform: 'linux' });
    assert.match((await createRunPatchBaselineAction().run({ ...fixture.context, services: harness.services })).message ?? '', /operation must be Scan or Install/);
    assert.match((await createRunPatchBaselineAction().run({ ...fixture.context, inputs: { operation: 'Scan', snapshotId: 'nope' }, services: harness.services })).message ?? '', /snapshotId must be a UUID/);
  });
});
