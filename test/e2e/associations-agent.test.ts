/**
 * State Manager, the agent's side, end to end: a real agent process on a real control plane (embedded broker),
 * its associations on a test clock that runs 600 times faster (rate(30 minutes) fires every 3 s; see the agent's
 * associations/test-clock.ts), and the runs seen where they happen: lines the associations' shell scripts write.
 *
 * The `associations` sets are published by the test, signed with the control plane's own key, and the agent's
 * `association-status` reports are read off its `up` topic and acknowledged by it (test/support/state-manager-wire.ts):
 * this suite exercises the agent against the wire contract (packages/protocol, "State Manager") on its own.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadIdentity, type AgentIdentity } from '@tender/agent';
import type { AssociationBody } from '@tender/protocol';
import { readAudit } from '../support/audit-file.js';
import { StateManagerWire } from '../support/state-manager-wire.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import {
  AddTagsToResourceCommand,
  CreateAssociationCommand,
  DeleteAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  ListAssociationsCommand,
  ListComplianceItemsCommand,
  ListInventoryEntriesCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-ssm';
import { AGENT_BIN, eventually, LiveProcess, runCli } from '../support/processes.js';

const SCALE = 600;
const SLOT_MS = (30 * 60_000) / SCALE; // rate(30 minutes), in real milliseconds
/** Above any revision a control plane makes (it uses the time in ms), so a control plane's own set never wins here. */
const REVISION_BASE = 10 ** 13;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('State Manager on the agent, end to end (real agent process, test clock ×600)', function () {
  this.timeout(180_000);
  let work: string;
  let cp: TestControlPlane;
  let agent: LiveProcess;
  let identity: AgentIdentity;
  let wire: StateManagerWire;
  let stateDir: string;
  let ports: { httpPort: number; mqttPort: number };
  let revision = REVISION_BASE;
  const dataDir = () => path.join(work, 'cp');
  const anchor = Date.now();
  const agentNow = () => anchor + (Date.now() - anchor) * SCALE;
  const agentEnv = { TENDER_AGENT_ENABLE_TEST_HOOKS: '1', TENDER_AGENT_TEST_CLOCK: `anchor=${anchor},scale=${SCALE}` };
  const startAgent = (inventoryIntervalMinutes = 0) =>
    new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, '--inventory-interval-minutes', String(inventoryIntervalMinutes), '--inventory-jitter-seconds', '0'], agentEnv);
  const lines = async (file: string) => (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  /** An association whose one step appends "<runId> <tag>" to `file`. */
  const appender = (associationId: string, file: string, tag: string, overrides: Partial<AssociationBody> = {}): AssociationBody => ({
    associationId,
    associationVersion: '1',
    documentName: 'Test-Append',
    documentVersion: '1',
    document: { schemaVersion: '2.2', description: 'append a line', mainSteps: [{ action: 'aws:runShellScript', name: 'append', inputs: { runCommand: [`echo "\${TENDER_STEP_RUN%%/*} ${tag}" >> ${file}`] } }] },
    parameters: {},
    scheduleExpression: 'rate(30 minutes)',
    applyOnlyAtCronInterval: false,
    changedAt: new Date(agentNow()).toISOString(),
    syncCompliance: 'AUTO',
    ...overrides,
  });

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-associations-e2e-'));
    cp = await startTestControlPlane({ dataDir: dataDir(), heartbeatSeconds: 5 });
    ports = { httpPort: Number(new URL(cp.running.endpoint).port), mqttPort: Number(new URL(cp.running.agentBrokerUrl).port) };
    const activation = await cp.createActivation();
    stateDir = path.join(work, 'agent');
    const registered = await runCli(AGENT_BIN, ['register', '--endpoint', cp.running.endpoint, '--id', activation.id, '--code', activation.code, '--state-dir', stateDir, '--json']);
    assert.equal(registered.code, 0, registered.stderr);
    // Reconnect quickly once the broker is back (the default backoff grows to a minute).
    const identityFile = path.join(stateDir, 'identity.json');
    const file = JSON.parse(await fs.readFile(identityFile, 'utf8')) as { transport: { settings: Record<string, unknown> } };
    file.transport.settings.backoff = { baseMs: 200, capMs: 1000 };
    await fs.writeFile(identityFile, JSON.stringify(file));
    identity = await loadIdentity(stateDir);
    agent = startAgent();
    await cp.untilOnline(identity.file.instanceId, 'the agent Online');
    wire = await StateManagerWire.forControlPlane(cp, identity);
  });
  after(async () => {
    await wire?.disconnect();
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('with the broker stopped, the agent runs its association on schedule, and reports every run once the broker is back', async () => {
    const out = path.join(work, 'offline.log');
    await wire.publishSet(++revision, [appender('assoc-offline', out, 'v1')]);
    await eventually(async () => (await lines(out)).length >= 1 || undefined, 'the association applied (a line)');
    await eventually(async () => wire.reportsOf('assoc-offline').length >= 1 || undefined, 'the apply run reported');

    await wire.disconnect();
    await cp.stop();
    const brokerStopped = new Date().toISOString();
    const before = (await lines(out)).length;
    await agent.waitFor(/not connected to the control plane; retrying/);
    await eventually(async () => (await lines(out)).length >= before + 4 || undefined, 'four runs while the broker is down', 12 * SLOT_MS + 10_000, 200);

    const brokerBack = new Date().toISOString();
    // This test's subscriber plays the control plane's State Manager, so it must be back before the agent is. The
    // control plane's own State Manager acknowledges (and drops) reports of an association it does not know: a report
    // the agent sent before the subscriber was there would never come again. So the agent is paused while the control
    // plane restarts (a real control plane subscribes before it lets agents in).
    agent.child.kill('SIGSTOP');
    try {
      cp = await startTestControlPlane({ dataDir: dataDir(), heartbeatSeconds: 5, ...ports });
      await wire.connect(cp);
    } finally {
      agent.child.kill('SIGCONT');
    }
    // Every run the host saw (its line names its runId) is reported; the schedule goes on meanwhile, so compare
    // against the lines written up to a point, then check nothing was reported that did not run.
    const ran = (await lines(out)).map((line) => line.split(' ')[0]!);
    await eventually(async () => ran.every((runId) => wire.reports.has(runId)) || undefined, `reports of all ${ran.length} runs`, 60_000, 200);
    const reported = wire.reportsOf('assoc-offline');
    const all = new Set((await lines(out)).map((line) => line.split(' ')[0]!));
    assert.ok(reported.every((r) => all.has(r.runId)), 'every report is of a run that happened');
    assert.ok(reported.every((r) => r.status === 'Success'), JSON.stringify(reported.map((r) => r.status)));
    const slots = reported.map((r) => `${r.trigger} ${r.scheduledAt}`);
    assert.equal(new Set(slots).size, slots.length, `no slot ran twice: ${slots.join(', ')}`);
    assert.equal(reported.filter((r) => r.trigger === 'apply').length, 1);
    const offline = reported.filter((r) => r.startedAt > brokerStopped && r.startedAt < brokerBack);
    assert.ok(offline.length >= 3, `at least three runs started while the broker was down: ${offline.length}`);
    assert.ok([...wire.deliveries.values()].every((n) => n <= 2), 'a report goes again only when its acknowledgement did not come (reconnect, resend)');
  });

  it('a changed association (new version) is applied again; an association removed from the set stops running', async () => {
    const out = path.join(work, 'versions.log');
    const v1 = appender('assoc-versions', out, 'v1');
    await wire.publishSet(++revision, [v1]);
    await eventually(async () => (await lines(out)).some((l) => l.endsWith(' v1')) || undefined, 'version 1 applied');
    await wire.publishSet(++revision, [{ ...appender('assoc-versions', out, 'v2'), associationVersion: '2' }]);
    await eventually(async () => (await lines(out)).some((l) => l.endsWith(' v2')) || undefined, 'version 2 applied');
    const applied = await eventually(async () => wire.reportsOf('assoc-versions').find((r) => r.associationVersion === '2' && r.trigger === 'apply'), 'the report of version 2\'s application');
    assert.equal(applied.status, 'Success');

    await wire.publishSet(++revision, []);
    await agent.waitFor(/"msg":"associations stored".*"removed":\["assoc-versions"\]/);
    await delay(1000); // a run that had already started may still write its line
    const stopped = (await lines(out)).length;
    await delay(3 * SLOT_MS);
    assert.equal((await lines(out)).length, stopped, 'three slots later: no run of the removed association');
  });

  it('drift: a file the association manages is restored at the next run after a manual edit', async () => {
    const managed = path.join(work, 'motd');
    const want = 'managed by tender';
    const enforce: AssociationBody = {
      ...appender('assoc-drift', '/dev/null', 'x'),
      documentName: 'Test-Manage-File',
      document: { schemaVersion: '2.2', description: 'keep a file', mainSteps: [{ action: 'aws:runShellScript', name: 'enforce', inputs: { runCommand: [`if [ "$(cat ${managed} 2>/dev/null)" != "${want}" ]; then echo "${want}" > ${managed}; echo corrected; else echo compliant; fi`] } }] },
    };
    await wire.publishSet(++revision, [enforce]);
    await eventually(async () => (await fs.readFile(managed, 'utf8').catch(() => '')) === `${want}\n` || undefined, 'the file written by the first run');
    await fs.writeFile(managed, 'edited by hand\n');
    await eventually(async () => (await fs.readFile(managed, 'utf8')) === `${want}\n` || undefined, 'the manual edit undone', 4 * SLOT_MS + 10_000, 100);
    const corrected = await eventually(async () => wire.reportsOf('assoc-drift').filter((r) => r.steps[0]?.stdout.preview.includes('corrected')).length >= 2 || undefined, 'two runs that corrected the file (first write, then the drift)', 20_000);
    assert.ok(corrected);
  });

  it('a restart keeps the associations, and does not run again what already ran for the same version and slot', async () => {
    const out = path.join(work, 'restart.log');
    // ApplyOnlyAtCronInterval with a cron schedule: every run is a slot, so a second run of one slot would show.
    await wire.publishSet(++revision, [appender('assoc-restart', out, 'x', { scheduleExpression: 'cron(0/30 * * * ? *)', applyOnlyAtCronInterval: true })]);
    await eventually(async () => (await lines(out)).length >= 2 || undefined, 'two scheduled runs', 6 * SLOT_MS + 10_000, 100);
    assert.equal(await agent.kill('SIGTERM'), 0);
    const status = await runCli(AGENT_BIN, ['status', '--state-dir', stateDir, '--json'], { env: agentEnv });
    const held = JSON.parse(status.stdout) as { associations: { revision: number; list: Array<{ associationId: string; nextRunAt?: string; lastRun?: { status: string } }> } };
    assert.equal(held.associations.revision, revision);
    assert.deepEqual(held.associations.list.map((a) => a.associationId), ['assoc-restart']);
    // Success, or Failed when the stop cut a run short (reported so after the restart, never run again).
    assert.match(held.associations.list[0]!.lastRun?.status ?? '', /^(Success|Failed)$/, status.stdout);
    assert.ok(held.associations.list[0]!.nextRunAt, status.stdout);

    agent = startAgent();
    await agent.waitFor(/"msg":"associations loaded".*"associations":1/);
    const count = (await lines(out)).length;
    await eventually(async () => (await lines(out)).length >= count + 2 || undefined, 'two more scheduled runs after the restart', 6 * SLOT_MS + 15_000, 100);
    await eventually(async () => (await lines(out)).every((line) => wire.reports.has(line.split(' ')[0]!)) || undefined, 'every run reported', 30_000);
    const reported = wire.reportsOf('assoc-restart');
    assert.ok(reported.every((r) => r.trigger === 'schedule'), 'ApplyOnlyAtCronInterval: no apply run, before or after the restart');
    const slots = reported.map((r) => r.scheduledAt);
    assert.equal(new Set(slots).size, slots.length, `each slot ran once: ${slots.join(', ')}`);
    assert.ok(slots.every((slot) => new Date(slot).getUTCMinutes() % 30 === 0 && new Date(slot).getUTCSeconds() === 0), slots.join(', '));
  });

  it('bad input: a set with a schedule that does not parse, or a malformed body, is refused whole; the previous set is kept and keeps running', async () => {
    const out = path.join(work, 'kept.log');
    const good = appender('assoc-kept', out, 'kept');
    await wire.publishSet(++revision, [good]);
    await eventually(async () => (await lines(out)).length >= 1 || undefined, 'the good association applied');
    const stateFile = path.join(stateDir, 'associations', 'state.json');
    const heldSet = async () => {
      const state = JSON.parse(await fs.readFile(stateFile, 'utf8')) as { revision: number; storedAt: string; associations: unknown[] };
      return { revision: state.revision, storedAt: state.storedAt, associations: state.associations };
    };
    const stored = await heldSet();

    const badSchedule = ++revision;
    await wire.send('associations', { revision: badSchedule, associations: [good, appender('assoc-bad', out, 'bad', { scheduleExpression: 'cron(0 99 * * ? *)' })] });
    await agent.waitFor(/"msg":"refused an associations set; the previous set is kept".*association assoc-bad: its schedule is not usable/);
    const malformed = ++revision;
    await wire.send('associations', { revision: malformed, associations: 'all of them' });
    await agent.waitFor(/"msg":"refused an associations set; the previous set is kept".*associations must be a list/);

    assert.deepEqual(await heldSet(), stored, 'the held set (revision, associations) is what it was');
    assert.ok(!wire.acks.includes(badSchedule) && !wire.acks.includes(malformed), 'refused sets are not acknowledged');
    const audit = await eventually(async () => {
      const refused = (await readAudit(cp.dataDir)).filter((line) => line.operation === 'agent:message-refused' && /associations/.test(line.detail ?? ''));
      return refused.length >= 2 ? refused : undefined;
    }, 'the two rejections in the control plane\'s audit trail');
    assert.match(audit[0]!.detail ?? '', /association assoc-bad: its schedule is not usable/);
    const count = (await lines(out)).length;
    await eventually(async () => (await lines(out)).length > count || undefined, 'the kept association running on', 4 * SLOT_MS + 10_000, 100);
    assert.ok((await lines(out)).every((line) => line.endsWith(' kept')), 'nothing of the refused set ran');
  });

  it('association-run-now runs at once under the execution id; tender-agent status lists what is held', async () => {
    const out = path.join(work, 'run-now.log');
    await wire.publishSet(++revision, [appender('assoc-now', out, 'now', { scheduleExpression: 'cron(0 0 1 1 ? *)', applyOnlyAtCronInterval: true })]);
    await delay(500);
    assert.deepEqual(await lines(out), [], 'a yearly ApplyOnlyAtCronInterval association does not run on receipt');
    await wire.send('association-run-now', { associationId: 'assoc-now', executionId: 'exec-e2e-1' });
    const report = await eventually(async () => wire.reportsOf('assoc-now')[0], 'the run-now report');
    assert.deepEqual([report.trigger, report.executionId, report.status], ['run-now', 'exec-e2e-1', 'Success']);
    assert.equal((await lines(out)).length, 1);

    const text = await runCli(AGENT_BIN, ['status', '--state-dir', stateDir], { env: agentEnv });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /associations\s+1 \(revision \d+, \d+ reports? not yet acknowledged\)/);
    assert.match(text.stdout, /assoc-now {2}v1 {2}Test-Append {2}cron\(0 0 1 1 \? \*\) {2}next \d{4}-01-01T00:00:00.000Z {2}last Success \(run-now, /);
  });

  it('a set larger than the protocol\'s 128 KiB default (60 documents of AWS-GatherSoftwareInventory\'s size) is taken whole', async () => {
    const padding = 'x'.repeat(3000); // AWS-GatherSoftwareInventory's content is about 3 KB
    const big = Array.from({ length: 60 }, (_, i) => ({
      ...appender(`assoc-big-${i}`, '/dev/null', 'big', { scheduleExpression: 'cron(0 0 1 1 ? *)', applyOnlyAtCronInterval: true }),
      document: { schemaVersion: '2.2', description: `${padding} ${i}`, mainSteps: [{ action: 'aws:runShellScript', name: 'noop', inputs: { runCommand: ['true'] } }] },
    }));
    const bytes = await wire.publishSet(++revision, big);
    assert.ok(bytes > 128 * 1024, `the set's message is ${bytes} bytes`);
    await agent.waitFor(/"msg":"associations stored".*"associations":60/);
  });

  it('inventory moves onto an association of AWS-GatherSoftwareInventory: it gathers and uploads; the built-in schedule stands down', async () => {
    const gather: AssociationBody = {
      ...appender('assoc-inventory', '/dev/null', 'x'),
      documentName: 'AWS-GatherSoftwareInventory',
      document: {
        schemaVersion: '2.0',
        description: 'Gathers the inventory of a host.',
        parameters: { networkConfig: { type: 'String', default: 'Enabled', allowedValues: ['Enabled', 'Disabled'] } },
        mainSteps: [{ action: 'aws:softwareInventory', name: 'collectSoftwareInventoryItems', inputs: { applications: 'Disabled', awsComponents: 'Disabled', networkConfig: '{{ networkConfig }}', instanceDetailedInformation: 'Enabled', customInventory: 'Disabled', billingInfo: 'Disabled' } }],
      },
    };
    await wire.publishSet(++revision, [gather]);
    const report = await eventually(async () => wire.reportsOf('assoc-inventory')[0], 'the inventory association\'s first run reported', 60_000);
    assert.equal(report.status, 'Success', JSON.stringify(report.steps));
    assert.equal(report.steps[0]?.action, 'aws:softwareInventory');
    const entries = await eventually(async () => {
      const got = await cp.ssm.send(new ListInventoryEntriesCommand({ InstanceId: identity.file.instanceId, TypeName: 'AWS:Network' }));
      return got.Entries?.length ? got.Entries : undefined;
    }, 'AWS:Network inventory uploaded by the association\'s run', 30_000, 250);
    assert.ok(entries.length > 0);

    // With the built-in schedule switched on (every 30 min, one gather at start), the held association keeps it down.
    assert.equal(await agent.kill('SIGTERM'), 0);
    agent = startAgent(30);
    await agent.waitFor(/"msg":"an association of AWS-GatherSoftwareInventory gathers inventory: the built-in inventory schedule stands down"/);
    await agent.waitFor(/"msg":"associations loaded"/);
    assert.doesNotMatch(agent.output, /"msg":"inventory gathered"/, 'no built-in gather at start');
    // Without the association, the built-in schedule takes over at once.
    await wire.publishSet(++revision, []);
    await agent.waitFor(/"msg":"no association of AWS-GatherSoftwareInventory any more: the built-in inventory schedule takes over"/);
    await agent.waitFor(/"msg":"inventory gathered"/, 60_000);
  });

  it('the test clock is refused unless test hooks are enabled: the agent does not start', async () => {
    const refused = await runCli(AGENT_BIN, ['start', '--state-dir', stateDir], { env: { TENDER_AGENT_TEST_CLOCK: `anchor=${anchor},scale=${SCALE}`, TENDER_AGENT_ENABLE_TEST_HOOKS: '' } });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.message, /TENDER_AGENT_TEST_CLOCK is a test-only setting and is refused unless TENDER_AGENT_ENABLE_TEST_HOOKS=1/);
    assert.equal(agent.child.exitCode, null, 'the running agent is untouched');
  });
});

describe('State Manager, whole: the control plane\'s API → a real agent process → executions and compliance (test clock ×600)', function () {
  this.timeout(240_000);
  let work: string;
  let cp: TestControlPlane;
  let agent: LiveProcess;
  let instanceId: string;
  let ports: { httpPort: number; mqttPort: number };
  const anchor = Date.now();
  const agentEnv = { TENDER_AGENT_ENABLE_TEST_HOOKS: '1', TENDER_AGENT_TEST_CLOCK: `anchor=${anchor},scale=${SCALE}` };
  const lines = async (file: string) => (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const dataDir = () => path.join(work, 'cp');

  /** This instance's rows of every execution of the association, by execution id. */
  async function targetRows(associationId: string): Promise<Map<string, string>> {
    const rows = new Map<string, string>();
    let NextToken: string | undefined;
    do {
      const page = await cp.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId, NextToken, MaxResults: 50 }));
      for (const execution of page.AssociationExecutions ?? []) {
        const targets = await cp.ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: associationId, ExecutionId: execution.ExecutionId }));
        for (const target of targets.AssociationExecutionTargets ?? []) if (target.ResourceId === instanceId) rows.set(execution.ExecutionId!, target.Status!);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return rows;
  }

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-state-manager-e2e-'));
    cp = await startTestControlPlane({ dataDir: dataDir(), heartbeatSeconds: 5 });
    ports = { httpPort: Number(new URL(cp.running.endpoint).port), mqttPort: Number(new URL(cp.running.agentBrokerUrl).port) };
    // This suite is about its own associations: the default inventory association goes first.
    for (const association of (await cp.ssm.send(new ListAssociationsCommand({}))).Associations ?? []) await cp.ssm.send(new DeleteAssociationCommand({ AssociationId: association.AssociationId }));
    const stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    const identityFile = path.join(stateDir, 'identity.json');
    const file = JSON.parse(await fs.readFile(identityFile, 'utf8')) as { transport: { settings: Record<string, unknown> } };
    file.transport.settings.backoff = { baseMs: 200, capMs: 1000 };
    await fs.writeFile(identityFile, JSON.stringify(file));
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, '--inventory-interval-minutes', '0'], agentEnv);
    await cp.untilOnline(instanceId, 'the agent Online');
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('a tag brings the association; with the broker stopped it runs on; every run becomes an execution once the broker is back; removing the tag stops it', async () => {
    const out = path.join(work, 'web.log');
    const created = await cp.ssm.send(new CreateAssociationCommand({
      Name: 'AWS-RunShellScript',
      AssociationName: 'e2e-web',
      Targets: [{ Key: 'tag:Role', Values: ['web'] }],
      Parameters: { commands: [`echo "\${TENDER_STEP_RUN%%/*}" >> ${out}`] },
      ScheduleExpression: 'rate(30 minutes)',
    }));
    const associationId = created.AssociationDescription!.AssociationId!;
    await delay(2 * SLOT_MS);
    assert.deepEqual(await lines(out), [], 'not tagged: not run');

    await cp.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId, Tags: [{ Key: 'Role', Value: 'web' }] }));
    await eventually(async () => (await lines(out)).length >= 1 || undefined, 'the association applied once the tag is on (no restart)');
    await eventually(async () => (await targetRows(associationId)).size >= 1 || undefined, 'the first execution');

    await cp.stop();
    const before = (await lines(out)).length;
    await agent.waitFor(/not connected to the control plane; retrying/);
    await eventually(async () => (await lines(out)).length >= before + 3 || undefined, 'three runs while the broker is down', 12 * SLOT_MS + 10_000, 200);
    cp = await startTestControlPlane({ dataDir: dataDir(), heartbeatSeconds: 5, ...ports });

    const ran = (await lines(out)).length;
    const rows = await eventually(async () => {
      const found = await targetRows(associationId);
      return found.size >= ran ? found : undefined;
    }, `an execution for each of the ${ran} runs`, 60_000, 500);
    assert.ok([...rows.values()].every((status) => status === 'Success'), JSON.stringify([...rows]));
    assert.ok(rows.size <= (await lines(out)).length, `no execution without a run: ${rows.size} executions, ${(await lines(out)).length} runs`);

    await cp.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId, TagKeys: ['Role'] }));
    await agent.waitFor(new RegExp(`"msg":"associations stored".*"removed":\\["${associationId}"\\]`));
    await delay(1000);
    const stopped = (await lines(out)).length;
    await delay(3 * SLOT_MS);
    assert.equal((await lines(out)).length, stopped, 'untagged: no more runs');
  });

  it('drift: a manual edit of the managed file is undone at the next run; compliance is NON_COMPLIANT in between, then COMPLIANT', async () => {
    const managed = path.join(work, 'motd');
    const want = 'managed by tender';
    // The run that finds the file wrong fixes it and fails (reports the drift); one that finds it right succeeds.
    const created = await cp.ssm.send(new CreateAssociationCommand({
      Name: 'AWS-RunShellScript',
      AssociationName: 'e2e-motd',
      Targets: [{ Key: 'InstanceIds', Values: [instanceId] }],
      Parameters: { commands: [`if [ "$(cat ${managed} 2>/dev/null)" = "${want}" ]; then echo compliant; else echo "${want}" > ${managed}; echo drift corrected; exit 1; fi`] },
      ScheduleExpression: 'rate(30 minutes)',
      ComplianceSeverity: 'HIGH',
    }));
    const compliance = async () => {
      const items = await cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [instanceId], ResourceTypes: ['ManagedInstance'], Filters: [{ Key: 'ComplianceType', Values: ['Association'] }] }));
      return (items.ComplianceItems ?? []).find((item) => item.Id === created.AssociationDescription?.AssociationId)?.Status;
    };
    await eventually(async () => (await fs.readFile(managed, 'utf8').catch(() => '')) === `${want}\n` || undefined, 'the file written');
    await eventually(async () => (await compliance()) === 'COMPLIANT' || undefined, 'COMPLIANT after a run that found the file right', 4 * SLOT_MS + 15_000, 100);
    await fs.writeFile(managed, 'edited by hand\n');
    await eventually(async () => (await compliance()) === 'NON_COMPLIANT' || undefined, 'NON_COMPLIANT from the run that found the edit', 4 * SLOT_MS + 15_000, 100);
    assert.equal(await fs.readFile(managed, 'utf8'), `${want}\n`, 'that run undid the edit');
    await eventually(async () => (await compliance()) === 'COMPLIANT' || undefined, 'COMPLIANT again at the next run', 4 * SLOT_MS + 15_000, 100);
  });
});
