/**
 * AWS-RunPatchBaseline's reboot, end to end inside the agent: the built-in document as the control plane serves it,
 * run by the real CommandRunner with the real @tender/action-patch plugin, an in-memory patch provider, a recording
 * rebooter, and a runner "restart" (stop, reopen on the same state directory, recover) standing in for the reboot.
 * The action alone is tested in plugins/action-patch; the runner's reboot alone in runner-durability.test.ts. This
 * checks that the two agree: the action's 194 reaches the Rebooter once, its marker survives to the step's second
 * run, and what is reported last is the host as it stands after the reboot.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject } from '@tender/documents';
import type { AgentServices, PatchBaselineSnapshot, PatchOperationResult, PatchProvider, PatchReportEntry } from '@tender/plugin-api';
import { loadPlugins } from '../src/plugins/plugin-loader.js';
import { actionsFromPlugins, type ActionLookup, type CommandRecord, type Rebooter } from '../src/runner/index.js';
import { makeCommand, openRunner, tempDir, waitFor, type TestRunner } from './fixtures/runner/harness.js';

type Items = Parameters<NonNullable<AgentServices['putInventory']>>[0];

/** The built-in as the control plane publishes it (the server's compiled module: the agent does not depend on the server). */
const BUILTIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../server/dist/src/documents/builtin/run-patch-baseline.js');

async function runPatchBaselineDocument(): Promise<JsonObject> {
  const module = (await import(pathToFileURL(BUILTIN).href)) as { RUN_PATCH_BASELINE: JsonObject };
  return module.RUN_PATCH_BASELINE;
}

/**
 * A host with two missing approved patches: the kernel needs a reboot once installed, openssl does not. install()
 * installs both and leaves the kernel pending until reboot() (the simulated restart) finishes it.
 */
class MemoryHost {
  readonly installs: number[] = [];
  readonly scans: number[] = [];
  private readonly missing = new Set(['linux-image-amd64', 'openssl']);
  private readonly pendingReboot = new Set<string>();
  private readonly needsReboot = new Set(['linux-image-amd64']);

  reboot(): void {
    this.pendingReboot.clear();
  }

  provider(): PatchProvider {
    return {
      description: 'in-memory test host',
      operatingSystems: ['DEBIAN'],
      detect: async () => true,
      scan: async () => {
        this.scans.push(1);
        return this.report('Scan');
      },
      install: async () => {
        this.installs.push(1);
        for (const name of this.missing) if (this.needsReboot.has(name)) this.pendingReboot.add(name);
        this.missing.clear();
        return this.report('Install');
      },
    };
  }

  private report(operation: 'Scan' | 'Install'): PatchOperationResult {
    const patches: PatchReportEntry[] = ['linux-image-amd64', 'openssl'].map((name) => ({
      Title: `${name} 2.0`,
      KBId: name,
      Classification: 'Security',
      Severity: 'important',
      State: this.missing.has(name) ? 'MISSING' : this.pendingReboot.has(name) ? 'INSTALLED_PENDING_REBOOT' : 'INSTALLED',
      Version: '2.0',
      ComplianceLevel: 'HIGH',
    }));
    return { operation, patches, rebootRequired: this.pendingReboot.size > 0, failures: [] };
  }
}

function snapshot(snapshotId: string): PatchBaselineSnapshot {
  return {
    snapshotId,
    instanceId: 'mi-0123456789abcdef0',
    baselineId: 'pb-0123456789abcdef0',
    operatingSystem: 'DEBIAN',
    globalFilters: [],
    approvalRules: [],
    approvedPatches: [],
    approvedPatchesComplianceLevel: 'UNSPECIFIED',
    approvedPatchesEnableNonSecurity: false,
    rejectedPatches: [],
    rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
    createdAt: '2026-11-28T00:00:00.000Z',
  };
}

function recordingRebooter(): Rebooter & { calls: number } {
  const rebooter = {
    calls: 0,
    async reboot() {
      rebooter.calls++;
    },
  };
  return rebooter;
}

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
  let document: JsonObject;
  let host: MemoryHost;
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
          return snapshot(snapshotId);
        },
        patchProviders: [{ name: 'memory', provider: host.provider() }],
      },
      recover,
    );
  const command = (rebootOption: 'RebootIfNeeded' | 'NoReboot') =>
    makeCommand(document, { documentName: 'AWS-RunPatchBaseline', parameters: { Operation: 'Install', RebootOption: rebootOption } });

  before(async () => {
    actions = actionsFromPlugins(await loadPlugins({ packages: ['@tender/action-patch'] }));
    document = await runPatchBaselineDocument();
  });
  beforeEach(async () => {
    stateDir = await tempDir('tender-patch-reboot-');
    host = new MemoryHost();
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
    assert.equal(host.scans.length, 1, 'it scans the host as it stands after the reboot');
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
