/**
 * AWS-RunPatchBaseline's reboot, end to end inside the agent: the built-in document as the control plane serves it,
 * run by the real CommandRunner with the real @tender/action-patch plugin, an in-memory patch provider (MemoryPatchHost), a recording
 * rebooter, and a runner "restart" (stop, reopen on the same state directory, recover) standing in for the reboot.
 * The action alone is tested in plugins/action-patch; the runner's reboot alone in runner-durability.test.ts. This
 * checks that the two agree: the action's 194 reaches the Rebooter once, its marker survives to the step's second
 * run, and what is reported last is the host as it stands after the reboot.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BUILTIN_DOCUMENTS } from '@tender/documents/builtins';
import { MemoryPatchHost, testBaselineSnapshot } from '@tender/patch-baseline/testing';
import type { AgentServices } from '@tender/plugin-api';
import { loadPlugins } from '../src/plugins/plugin-loader.js';
import { actionsFromPlugins, type ActionLookup, type CommandRecord, type Rebooter } from '../src/runner/index.js';
import { makeCommand, openRunner, recordingRebooter, tempDir, waitFor, type TestRunner } from './fixtures/runner/harness.js';

type Items = Parameters<NonNullable<AgentServices['putInventory']>>[0];

/** The built-in as the control plane publishes it. */
const RUN_PATCH_BASELINE = BUILTIN_DOCUMENTS.find((builtin) => builtin.name === 'AWS-RunPatchBaseline')!.content;

/**
 * A host with two missing approved patches: the kernel needs a reboot once installed, openssl does not. install()
 * installs both and leaves the kernel pending until reboot() (the simulated restart) finishes it.
 */
const twoMissingPatches = () =>
  new MemoryPatchHost([
    { name: 'linux-image-amd64', installed: '1.0', available: '2.0', classification: 'Security', severity: 'important', needsReboot: true },
    { name: 'openssl', installed: '1.0', available: '2.0', classification: 'Security', severity: 'important' },
  ]);

/** Until the command has a result or has asked for a reboot, whichever comes first. */
const settled = (t: TestRunner, commandId: string, rebooter: { calls: number }) =>
  waitFor(`a result or a reboot request for ${commandId}`, () => rebooter.calls > 0 || t.results.has(commandId));

const summaryOf = (items: Items) => items.find((item) => item.TypeName === 'AWS:PatchSummary')!.Content[0]!;
const stateOf = (items: Items, id: string) => items.find((item) => item.TypeName === 'AWS:ComplianceItem')!.Content.find((row) => row.Id === id)?.PatchState;

describe('AWS-RunPatchBaseline through the runner: the reboot it asks for', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner | undefined;
  let actions: ActionLookup;
  let host: MemoryPatchHost;
  let handed: Items[];
  let snapshotRequests: string[];

  /** The runner as the agent composes it, on this test's state directory, with the host's provider. */
  const open = (rebooter: Rebooter, recover = true) =>
    openRunner(
      stateDir,
      {
        actions,
        platform: 'linux',
        rebooter,
        inventory: { putInventory: async (items) => void handed.push(items) },
        patchSnapshots: async (snapshotId) => {
          snapshotRequests.push(snapshotId);
          return testBaselineSnapshot({ snapshotId });
        },
        patchProviders: [{ name: 'memory', provider: host.provider() }],
      },
      recover,
    );
  const command = (rebootOption: 'RebootIfNeeded' | 'NoReboot') =>
    makeCommand(RUN_PATCH_BASELINE, { documentName: 'AWS-RunPatchBaseline', parameters: { Operation: 'Install', RebootOption: rebootOption } });

  before(async () => {
    actions = actionsFromPlugins(await loadPlugins({ packages: ['@tender/action-patch'] }));
  });
  beforeEach(async () => {
    stateDir = await tempDir('tender-patch-reboot-');
    host = twoMissingPatches();
    handed = [];
    snapshotRequests = [];
  });
  afterEach(async () => {
    await t?.runner.stop();
    t = undefined;
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('RebootIfNeeded: reports InstalledPendingReboot, reboots once, and after the restart reports Installed and ends Success', async () => {
    const rebooter = recordingRebooter();
    t = await open(rebooter);
    const install = command('RebootIfNeeded');
    assert.equal(await t.runner.accept(install), 'accepted');
    await settled(t, install.commandId, rebooter);
    await t.runner.idle();

    assert.equal(t.results.get(install.commandId)?.status, undefined, 'no result before the reboot: the command is not over');
    assert.equal(rebooter.calls, 1, 'the install asked for a reboot');
    assert.equal(host.installs.length, 1);
    assert.equal(handed.length, 1, 'the install was reported before the reboot');
    const before = handed[0]!;
    assert.equal(summaryOf(before).OperationType, 'Install');
    assert.equal(summaryOf(before).InstalledPendingRebootCount, '1');
    assert.equal(summaryOf(before).InstalledCount, '1');
    assert.equal(stateOf(before, 'linux-image-amd64'), 'INSTALLED_PENDING_REBOOT');
    assert.equal(stateOf(before, 'openssl'), 'INSTALLED');
    const record = JSON.parse(await fs.readFile(path.join(stateDir, 'commands', 'current', `${install.commandId}.json`), 'utf8')) as CommandRecord;
    assert.equal(record.phase, 'rebooting');
    assert.equal(record.steps[record.reboot!.stepIndex]!.name, 'PatchLinux');
    await t.runner.stop(); // the host goes down ...
    host.reboot(); // ... and comes back with the kernel in place

    const afterReboot = recordingRebooter();
    t = await open(afterReboot, false);
    const recovery = await t.runner.recover();
    assert.deepEqual(recovery.resumed, [install.commandId]);
    const result = await t.waitForResult(install.commandId);

    assert.equal(result.status, 'Success', JSON.stringify(result.steps.map((step) => [step.name, step.status, step.message])));
    assert.equal(rebooter.calls + afterReboot.calls, 1, 'the host was asked to reboot exactly once');
    assert.equal(host.installs.length, 1, 'the run after the reboot reports; it does not install again');
    assert.equal(host.scans, 1, 'it scans the host as it stands after the reboot');
    assert.deepEqual(snapshotRequests, [snapshotRequests[0], snapshotRequests[0]], 'both runs use the same baseline snapshot');
    assert.equal(handed.length, 2);
    const after = handed[1]!;
    assert.equal(summaryOf(after).OperationType, 'Install');
    assert.equal(summaryOf(after).InstalledPendingRebootCount, '0');
    assert.equal(summaryOf(after).InstalledCount, '2');
    assert.equal(summaryOf(after).RebootOption, 'RebootIfNeeded');
    assert.equal(summaryOf(after).OperationStartTime, summaryOf(before).OperationStartTime, 'one operation, started before the reboot');
    assert.equal(stateOf(after, 'linux-image-amd64'), 'INSTALLED');

    const patchLinux = result.steps.find((step) => step.name === 'PatchLinux')!;
    assert.equal(patchLinux.status, 'Success');
    assert.equal(patchLinux.runs, 2);
    assert.equal(patchLinux.responseCode, 0);
    assert.match(patchLinux.stdout.preview, /rebooting the host now[\s\S]*Patch operation: Install/, 'both runs\' summaries are kept, in order');
    assert.deepEqual(
      result.steps.filter((step) => step.name !== 'PatchLinux').map((step) => step.runs),
      [0, 0],
      'the Windows and macOS steps are skipped by their preconditions',
    );
  });

  it('NoReboot: the host is never asked to reboot and the report stays InstalledPendingReboot', async () => {
    const rebooter = recordingRebooter();
    t = await open(rebooter);
    const noReboot = command('NoReboot');
    assert.equal(await t.runner.accept(noReboot), 'accepted');
    await settled(t, noReboot.commandId, rebooter);
    assert.equal(rebooter.calls, 0, 'NoReboot never reboots');
    const result = await t.waitForResult(noReboot.commandId);

    assert.equal(result.status, 'Success', JSON.stringify(result.steps.map((step) => [step.name, step.status, step.message])));
    assert.equal(host.installs.length, 1);
    assert.equal(handed.length, 1);
    const summary = summaryOf(handed[0]!);
    assert.equal(summary.OperationType, 'Install');
    assert.equal(summary.RebootOption, 'NoReboot');
    assert.equal(summary.InstalledPendingRebootCount, '1');
    assert.equal(stateOf(handed[0]!, 'linux-image-amd64'), 'INSTALLED_PENDING_REBOOT');
    const patchLinux = result.steps.find((step) => step.name === 'PatchLinux')!;
    assert.equal(patchLinux.runs, 1);
    assert.equal(patchLinux.responseCode, 0);
    assert.match(patchLinux.stdout.preview, /RebootOption NoReboot: not rebooting/);
  });
});
