import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AssociationRunReport, AssociationsBody, Message } from '@tender/protocol';
import { startStateManager, type StateManager } from '../src/associations/index.js';
import type { Operation } from '../src/api/operation.js';
import type { AuditEvent } from '../src/audit/audit-record.js';
import { ComplianceService, type ItemView } from '../src/compliance/index.js';
import { DocumentService } from '../src/documents/index.js';
import { InstanceRegistry } from '../src/instances/instance-registry.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';
import { DB, instance, T0, WEB } from './support/association-hosts.js';


const MOTD = JSON.stringify({
  schemaVersion: '2.2',
  description: 'Keep /etc/motd',
  parameters: { text: { type: 'String', default: 'welcome' }, mode: { type: 'String', allowedValues: ['0644', '0600'], default: '0644' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'write', inputs: { runCommand: ['echo {{ text }} > /etc/motd; chmod {{ mode }} /etc/motd'] } }],
});

/** What DescribeAssociation / UpdateAssociationStatus return, as far as these tests read it. */
interface Described {
  AssociationDescription: { AssociationId: string; Overview: { Status: string; AssociationStatusAggregatedCount: Record<string, number> }; LastExecutionDate?: number; LastSuccessfulExecutionDate?: number };
}

interface Sent {
  instanceId: string;
  type: string;
  body: unknown;
}

function report(associationId: string, fields: Partial<AssociationRunReport> = {}): AssociationRunReport {
  return {
    runId: `run-${Math.random().toString(16).slice(2)}`,
    associationId,
    associationVersion: '1',
    trigger: 'schedule',
    scheduledAt: '2026-11-01T13:00:00.000Z',
    status: 'Success',
    detailedStatus: 'Success',
    startedAt: '2026-11-01T13:00:01.000Z',
    endedAt: '2026-11-01T13:00:02.000Z',
    responseCode: 0,
    steps: [{ name: 'write', action: 'aws:runShellScript', status: 'Success', responseCode: 0, stdout: { preview: '', bytes: 0 }, stderr: { preview: '', bytes: 0 } }],
    ...fields,
  };
}

async function everyComplianceItem(compliance: ComplianceService): Promise<ItemView[]> {
  const found: ItemView[] = [];
  for await (const { view } of compliance.items(undefined, () => true)) found.push(view);
  return found;
}

function message(from: string, type: string, body: unknown): Message {
  return { v: 1, id: `m-${Math.random()}`, type, from, to: 'cp', ts: T0, body };
}

describe('State Manager on the control plane: delivery, executions, compliance', function () {
  this.timeout(30000);
  let dir: string;
  let store: FileStore;
  let registry: InstanceRegistry;
  let sm: StateManager;
  let compliance: ComplianceService;
  let sent: Sent[];
  let clock: ManualClock;
  let audited: AuditEvent[];

  const call = (name: string, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const operation = sm.operations.find((candidate: Operation) => candidate.name === name);
    if (!operation) throw new Error(`no operation ${name}`);
    return operation.handle(input, testContext) as Promise<Record<string, unknown>>;
  };
  const setsTo = (instanceId: string): AssociationsBody[] => sent.filter((m) => m.instanceId === instanceId && m.type === 'associations').map((m) => m.body as AssociationsBody);
  const lastSet = (instanceId: string): AssociationsBody => {
    const sets = setsTo(instanceId);
    assert.ok(sets.length > 0, `no associations message went to ${instanceId}`);
    return sets[sets.length - 1]!;
  };
  const create = async (input: Record<string, unknown>): Promise<string> => {
    const created = (await call('CreateAssociation', input)) as { AssociationDescription: { AssociationId: string } };
    await sm.delivery.idle();
    return created.AssociationDescription.AssociationId;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-sm-'));
    clock = new ManualClock(T0);
    store = await FileStore.open(dir);
    registry = await InstanceRegistry.open(store, { now: clock.now });
    await registry.add(instance(WEB, [{ Key: 'Role', Value: 'web' }]));
    await registry.add(instance(DB, [{ Key: 'Role', Value: 'db' }]));
    const documents = await DocumentService.open(store, { now: clock.now });
    await documents.create({ Name: 'team-Motd', Content: MOTD, DocumentType: 'Command', DocumentFormat: 'JSON', Owner: '123456789012', Tags: [] });
    compliance = await ComplianceService.open({ store, resourceExists: (id) => registry.get(id) !== undefined });
    sent = [];
    audited = [];
    sm = await startStateManager({
      store,
      registry,
      documents,
      compliance,
      audit: async (event) => void audited.push(event),
      send: async (instanceId, type, body) => void sent.push({ instanceId, type, body }),
      now: clock.now,
      tickMs: 0,
      resendAfterMs: 30_000,
    });
  });

  afterEach(async () => {
    await sm.stop();
    await registry.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers an instance its set on hello: the document at a concrete version, parameters with their defaults', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Role', Values: ['web'] }], Parameters: { text: ['hello'] }, ScheduleExpression: 'rate(30 minutes)', ComplianceSeverity: 'HIGH' });
    sent = [];
    await sm.delivery.onHello(WEB);
    await sm.delivery.onHello(DB);
    const web = lastSet(WEB);
    assert.equal(web.associations.length, 1);
    const [body] = web.associations;
    assert.equal(body!.associationId, id);
    assert.equal(body!.documentName, 'team-Motd');
    assert.equal(body!.documentVersion, '1', '$DEFAULT resolved to a version number');
    assert.deepEqual(body!.parameters, { text: 'hello', mode: '0644' });
    assert.equal((body!.document as { schemaVersion: string }).schemaVersion, '2.2');
    assert.equal(body!.scheduleExpression, 'rate(30 minutes)');
    assert.equal(body!.complianceSeverity, 'HIGH');
    assert.equal(body!.syncCompliance, 'AUTO');
    assert.deepEqual(lastSet(DB).associations, [], 'an instance the targets leave out gets an empty set');
  });

  it('delivers associations of Policy documents too (State Manager runs them; SendCommand does not)', async () => {
    const documents = await DocumentService.open(store, { now: clock.now });
    const policy = JSON.stringify({ schemaVersion: '2.0', description: 'a policy', mainSteps: [{ action: 'aws:runShellScript', name: 'check', inputs: { runCommand: ['true'] } }] });
    await documents.create({ Name: 'team-Policy', Content: policy, DocumentType: 'Policy', DocumentFormat: 'JSON', Owner: '123456789012', Tags: [] });
    const id = await create({ Name: 'team-Policy', Targets: [{ Key: 'InstanceIds', Values: [WEB] }] });
    assert.deepEqual(lastSet(WEB).associations.map((a) => [a.associationId, a.documentName]), [[id, 'team-Policy']]);
  });

  it('resends an unacknowledged set after resendAfterMs, and stops once it is acknowledged', async () => {
    await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    const revision = lastSet(WEB).revision;
    sent = [];
    clock.advance(10);
    await sm.delivery.tick();
    assert.equal(setsTo(WEB).length, 0, 'not yet due');
    clock.advance(30);
    await sm.delivery.tick();
    assert.deepEqual(setsTo(WEB).map((set) => set.revision), [revision], 'the same revision again');
    await sm.delivery.onAck(message(WEB, 'associations-ack', { revision: revision - 1 }));
    clock.advance(31);
    sent = [];
    await sm.delivery.tick();
    assert.equal(setsTo(WEB).length, 0, 'the next resend waits twice as long (an agent that never answers is not flooded)');
    clock.advance(30);
    await sm.delivery.tick();
    assert.equal(setsTo(WEB).length, 1, 'an older revision\'s ack does not count');
    await sm.delivery.onAck(message(WEB, 'associations-ack', { revision }));
    clock.advance(3600);
    sent = [];
    await sm.delivery.tick();
    assert.equal(setsTo(WEB).length, 0, 'acknowledged: not resent');
    assert.equal(sm.delivery.state(WEB)?.acked, revision);
  });

  it('keeps revisions across a restart: an unchanged set keeps its revision, a changed one gets a higher one', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Role', Values: ['web'] }] });
    const before = lastSet(WEB).revision;
    await sm.stop();
    sent = [];
    sm = await startStateManager({ store, registry, documents: await DocumentService.open(store, { now: clock.now }), send: async (instanceId, type, body) => void sent.push({ instanceId, type, body }), now: clock.now, tickMs: 0 });
    await sm.delivery.onHello(WEB);
    assert.equal(lastSet(WEB).revision, before, 'same set, same revision');
    clock.ms -= 3_600_000; // even with the clock set back, a new set's revision is higher
    await call('DeleteAssociation', { AssociationId: id });
    await sm.delivery.idle();
    assert.ok(lastSet(WEB).revision > before);
    assert.deepEqual(lastSet(WEB).associations, []);
  });

  it('a tag added brings the association to that instance alone; removing it sends a set without it; revisions grow', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Patch', Values: ['yes'] }] });
    assert.equal(setsTo(WEB).length + setsTo(DB).length, 0, 'no instance matches yet: nothing sent');
    await sm.delivery.onHello(DB);
    const first = lastSet(DB);
    assert.deepEqual(first.associations, []);
    sent = [];

    await registry.setTags(DB, [{ Key: 'Role', Value: 'db' }, { Key: 'Patch', Value: 'yes' }]);
    await sm.delivery.idle();
    assert.deepEqual(sent.map((m) => m.instanceId), [DB], 'only the retagged instance is recomputed');
    const added = lastSet(DB);
    assert.deepEqual(added.associations.map((a) => a.associationId), [id]);
    assert.ok(added.revision > first.revision);

    await registry.setTags(DB, [{ Key: 'Role', Value: 'db' }]);
    await sm.delivery.idle();
    const removed = lastSet(DB);
    assert.deepEqual(removed.associations, []);
    assert.ok(removed.revision > added.revision);
  });

  it('an updated association goes to the instances its old and new targets take in; a deleted one leaves their sets', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Role', Values: ['web'] }] });
    assert.deepEqual(lastSet(WEB).associations.map((a) => a.associationVersion), ['1']);
    sent = [];
    await call('UpdateAssociation', { AssociationId: id, Targets: [{ Key: 'tag:Role', Values: ['db'] }] });
    await sm.delivery.idle();
    assert.deepEqual(lastSet(WEB).associations, [], 'no longer targeted');
    assert.deepEqual(lastSet(DB).associations.map((a) => a.associationVersion), ['2']);
    sent = [];
    await call('DeleteAssociation', { AssociationId: id });
    await sm.delivery.idle();
    assert.deepEqual(sent.map((m) => m.instanceId), [DB]);
    assert.deepEqual(lastSet(DB).associations, []);
  });

  it('stores reports idempotently by runId, groups one slot of every host into one execution, acknowledges every copy', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], ComplianceSeverity: 'CRITICAL' });
    const webRun = report(id);
    await sm.executions.onStatus(message(WEB, 'association-status', { reports: [webRun] }));
    await sm.executions.onStatus(message(WEB, 'association-status', { reports: [webRun] }));
    await sm.executions.onStatus(message(DB, 'association-status', { reports: [report(id, { status: 'Failed', detailedStatus: 'Failed', responseCode: 1 })] }));
    const acks = sent.filter((m) => m.type === 'association-status-ack');
    assert.deepEqual(acks.map((m) => m.instanceId), [WEB, WEB, DB]);
    assert.deepEqual((acks[1]!.body as { runIds: string[] }).runIds, [webRun.runId], 'a resent report is acknowledged again');

    const executions = (await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: Array<Record<string, unknown>> };
    assert.equal(executions.AssociationExecutions.length, 1, 'both hosts\' runs of one slot are one execution');
    const [execution] = executions.AssociationExecutions;
    assert.equal(execution!.Status, 'Failed');
    assert.equal(execution!.ResourceCountByStatus, '{Success=1,Failed=1}');
    const targets = (await call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: execution!.ExecutionId })) as { AssociationExecutionTargets: Array<Record<string, unknown>> };
    assert.deepEqual(targets.AssociationExecutionTargets.map((t) => [t.ResourceId, t.Status]).sort(), [[WEB, 'Success'], [DB, 'Failed']].sort());
    const failedOnly = (await call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: execution!.ExecutionId, Filters: [{ Key: 'Status', Value: 'Failed' }] })) as { AssociationExecutionTargets: Array<Record<string, unknown>> };
    assert.deepEqual(failedOnly.AssociationExecutionTargets.map((t) => t.ResourceId), [DB]);

    const described = (await call('DescribeAssociation', { AssociationId: id })) as unknown as Described;
    assert.equal(described.AssociationDescription.Overview.Status, 'Failed');
    assert.deepEqual(described.AssociationDescription.Overview.AssociationStatusAggregatedCount, { Success: 1, Failed: 1 });
    assert.equal(described.AssociationDescription.LastExecutionDate, Date.parse(webRun.endedAt) / 1000);
    assert.equal(described.AssociationDescription.LastSuccessfulExecutionDate, Date.parse(webRun.endedAt) / 1000);

    const status = (await call('DescribeInstanceAssociationsStatus', { InstanceId: DB })) as { InstanceAssociationStatusInfos: Array<Record<string, unknown>> };
    assert.deepEqual(status.InstanceAssociationStatusInfos.map((s) => [s.AssociationId, s.Status, s.ErrorCode]), [[id, 'Failed', '1']]);

    const items = await everyComplianceItem(compliance);
    assert.deepEqual(
      items.map((item) => [item.ResourceId, item.ComplianceType, item.Id, item.Status, item.Severity]).sort(),
      [[WEB, 'Association', id, 'COMPLIANT', 'CRITICAL'], [DB, 'Association', id, 'NON_COMPLIANT', 'CRITICAL']].sort(),
    );
  });

  it('DescribeAssociationExecutionTargets goes on from the last host shown: a host that reports between pages repeats none', async () => {
    const early = 'mi-0123456789abcdef0'; // sorts before WEB and DB
    await registry.add(instance(early, [{ Key: 'Role', Value: 'web' }]));
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    for (const host of [WEB, DB]) await sm.executions.onStatus(message(host, 'association-status', { reports: [report(id)] }));
    const [execution] = ((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: Array<{ ExecutionId: string }> }).AssociationExecutions;
    type Targets = { AssociationExecutionTargets: Array<{ ResourceId: string }>; NextToken?: string };
    const first = (await call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: execution!.ExecutionId, MaxResults: 1 })) as Targets;
    assert.deepEqual(first.AssociationExecutionTargets.map((t) => t.ResourceId), [WEB]);
    // The same slot's run on a third host joins the execution, before WEB by id: an offset of 1 would show WEB again.
    await sm.executions.onStatus(message(early, 'association-status', { reports: [report(id)] }));
    const second = (await call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: execution!.ExecutionId, MaxResults: 1, NextToken: first.NextToken })) as Targets;
    assert.deepEqual(second.AssociationExecutionTargets.map((t) => t.ResourceId), [DB]);
    assert.equal(second.NextToken, undefined);
  });

  it('keeps malformed reports unacknowledged and drops reports of deleted associations with an ack', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    await sm.executions.onStatus(message(WEB, 'association-status', { reports: [{ ...report(id), status: 'Great' }] }));
    assert.equal(sent.filter((m) => m.type === 'association-status-ack').length, 0);
    const gone = report('00000000-0000-4000-8000-000000000000');
    await sm.executions.onStatus(message(WEB, 'association-status', { reports: [gone] }));
    assert.deepEqual(sent.filter((m) => m.type === 'association-status-ack').map((m) => (m.body as { runIds: string[] }).runIds), [[gone.runId]]);
    assert.equal(((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: unknown[] }).AssociationExecutions.length, 0);
  });

  it('StartAssociationsOnce sends run-now to each target and opens an execution that the reports complete', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    sent = [];
    await call('StartAssociationsOnce', { AssociationIds: [id] });
    const runNow = sent.filter((m) => m.type === 'association-run-now');
    assert.deepEqual(runNow.map((m) => m.instanceId).sort(), [WEB, DB].sort());
    const executionId = (runNow[0]!.body as { executionId: string }).executionId;
    assert.ok(runNow.every((m) => (m.body as { executionId: string; associationId: string }).executionId === executionId && (m.body as { associationId: string }).associationId === id));

    let executions = (await call('DescribeAssociationExecutions', { AssociationId: id, Filters: [{ Key: 'ExecutionId', Value: executionId, Type: 'EQUAL' }] })) as { AssociationExecutions: Array<Record<string, unknown>> };
    assert.equal(executions.AssociationExecutions[0]!.Status, 'InProgress');
    assert.equal(executions.AssociationExecutions[0]!.ResourceCountByStatus, '{Pending=2}');
    for (const host of [WEB, DB]) await sm.executions.onStatus(message(host, 'association-status', { reports: [report(id, { trigger: 'run-now', executionId, scheduledAt: new Date(T0).toISOString() })] }));
    executions = (await call('DescribeAssociationExecutions', { AssociationId: id, Filters: [{ Key: 'Status', Value: 'Success', Type: 'EQUAL' }] })) as { AssociationExecutions: Array<Record<string, unknown>> };
    assert.deepEqual(executions.AssociationExecutions.map((e) => [e.ExecutionId, e.ResourceCountByStatus]), [[executionId, '{Success=2}']]);
  });

  it('refuses bad input with SSM\'s errors and starts nothing half-way', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    sent = [];
    await apiError(call('StartAssociationsOnce', { AssociationIds: [id, '00000000-0000-4000-8000-000000000000'] }), 'AssociationDoesNotExist');
    assert.equal(sent.length, 0, 'nothing sent for the association that exists');
    assert.equal(((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: unknown[] }).AssociationExecutions.length, 0);
    await apiError(call('StartAssociationsOnce', { AssociationIds: ['not-an-id'] }), 'InvalidAssociation');
    await apiError(call('StartAssociationsOnce', { AssociationIds: [] }), 'ValidationException');
    await apiError(call('DescribeAssociationExecutions', { AssociationId: '00000000-0000-4000-8000-000000000000' }), 'AssociationDoesNotExist');
    await apiError(call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: '00000000-0000-4000-8000-000000000000' }), 'AssociationExecutionDoesNotExist');
    await apiError(call('DescribeAssociationExecutions', { AssociationId: id, Filters: [{ Key: 'Status', Value: 'Success', Type: 'LESS_THAN' }] }), 'ValidationException', /EQUAL only/);
    await apiError(call('DescribeAssociationExecutions', { AssociationId: id, Filters: [{ Key: 'Colour', Value: 'x', Type: 'EQUAL' }] }), 'ValidationException', /enum value set/);
    await apiError(call('DescribeInstanceAssociationsStatus', { InstanceId: 'mi-00000000000000000' }), 'InvalidInstanceId');
    await apiError(call('UpdateAssociationStatus', { Name: 'AWS-RunShellScript', InstanceId: WEB, AssociationStatus: { Date: T0 / 1000, Name: 'Success', Message: 'ok' } }), 'AssociationDoesNotExist');
  });

  it('UpdateAssociationStatus sets an instance\'s status and the Overview; the same status again is StatusUnchanged', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    const updated = (await call('UpdateAssociationStatus', { Name: 'team-Motd', InstanceId: WEB, AssociationStatus: { Date: T0 / 1000, Name: 'Failed', Message: 'disk full' } })) as unknown as Described;
    assert.equal(updated.AssociationDescription.AssociationId, id);
    assert.equal(updated.AssociationDescription.Overview.Status, 'Failed');
    const status = (await call('DescribeInstanceAssociationsStatus', { InstanceId: WEB })) as { InstanceAssociationStatusInfos: Array<Record<string, unknown>> };
    assert.deepEqual(status.InstanceAssociationStatusInfos.map((s) => [s.Status, s.ExecutionSummary]), [['Failed', 'disk full']]);
    await apiError(call('UpdateAssociationStatus', { Name: 'team-Motd', InstanceId: WEB, AssociationStatus: { Date: T0 / 1000, Name: 'Failed', Message: 'disk full' } }), 'StatusUnchanged');
  });

  describe('who may report what', () => {
    const acked = (): string[][] => sent.filter((m) => m.type === 'association-status-ack').map((m) => (m.body as { runIds: string[] }).runIds);
    const executionsOf = async (id: string) => ((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: Array<Record<string, unknown>> }).AssociationExecutions;
    const statusesOf = async (instanceId: string) => ((await call('DescribeInstanceAssociationsStatus', { InstanceId: instanceId })) as { InstanceAssociationStatusInfos: unknown[] }).InstanceAssociationStatusInfos;

    it('refuses a report from an instance the association never targeted: acknowledged, counted, audited, nothing stored', async () => {
      const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Role', Values: ['web'] }] });
      const forged = report(id, { status: 'Failed', detailedStatus: 'Failed', responseCode: 1 });
      await sm.executions.onStatus(message(DB, 'association-status', { reports: [forged] }));
      assert.deepEqual(acked(), [[forged.runId]], 'acknowledged, so the agent drops it');
      assert.equal(sm.executions.refusedReports, 1);
      assert.deepEqual(audited.map((e) => [e.caller, e.operation, e.resources, e.outcome]), [[`agent:${DB}`, 'agent:ReportAssociationStatus', [`association/${id}`], 'denied']]);
      assert.deepEqual(await executionsOf(id), []);
      assert.deepEqual(await statusesOf(DB), []);
      assert.equal(((await call('DescribeAssociation', { AssociationId: id })) as unknown as Described).AssociationDescription.Overview.Status, 'Pending');
      assert.deepEqual(await everyComplianceItem(compliance), []);

      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(id)] }));
      assert.equal((await executionsOf(id)).length, 1, 'the targeted instance\'s report is stored');
      assert.equal(sm.executions.refusedReports, 1);
    });

    it('still takes runs of an association that recently left the instance\'s set, not once that is long past', async () => {
      const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Role', Values: ['web'] }] });
      await call('UpdateAssociation', { AssociationId: id, Targets: [{ Key: 'tag:Role', Values: ['db'] }] });
      await sm.delivery.idle();
      assert.deepEqual(lastSet(WEB).associations, [], 'no longer in WEB\'s set');
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(id)] }));
      assert.equal(sm.executions.refusedReports, 0, 'a run done offline before the removal counts');
      assert.deepEqual((await statusesOf(WEB)).length, 1);

      clock.advance(31 * 24 * 3600_000);
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(id, { scheduledAt: '2026-12-01T13:00:00.000Z', endedAt: '2026-12-01T13:00:02.000Z' })] }));
      assert.equal(sm.executions.refusedReports, 1, 'a month after the removal it is refused');
    });

    it('a run-now report must name an execution started for that instance and association', async () => {
      const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'tag:Role', Values: ['web'] }] });
      const other = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
      await call('StartAssociationsOnce', { AssociationIds: [id] });
      const executionId = (sent.find((m) => m.type === 'association-run-now')!.body as { executionId: string }).executionId;
      const runNow = (fields: Partial<AssociationRunReport>) => report(id, { trigger: 'run-now', scheduledAt: new Date(T0).toISOString(), ...fields });
      await sm.executions.onStatus(message(DB, 'association-status', { reports: [runNow({ executionId })] }));
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [runNow({})] }));
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [runNow({ executionId: '00000000-0000-4000-8000-000000000000' })] }));
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(other, { trigger: 'run-now', executionId })] }));
      assert.equal(sm.executions.refusedReports, 4);
      assert.equal(audited.length, 4);
      assert.equal((await executionsOf(id))[0]!.ResourceCountByStatus, '{Pending=1}', 'nothing changed');
      assert.deepEqual(await executionsOf(other), []);

      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [runNow({ executionId })] }));
      assert.equal((await executionsOf(id))[0]!.ResourceCountByStatus, '{Success=1}');
      assert.equal(sm.executions.refusedReports, 4);
    });
  });

  it('StartAssociationsOnce applies MaxConcurrency and MaxErrors across hosts: the next host as reports come in, none after too many failures', async () => {
    const more = ['mi-0123456789abcdef3', 'mi-0123456789abcdef4', 'mi-0123456789abcdef5'];
    for (const id of more) await registry.add(instance(id, []));
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], MaxConcurrency: '2', MaxErrors: '0' });
    sent = [];
    await call('StartAssociationsOnce', { AssociationIds: [id] });
    const asked = () => sent.filter((m) => m.type === 'association-run-now').map((m) => m.instanceId);
    assert.equal(asked().length, 2, 'MaxConcurrency 2: two hosts at first');
    const executionId = (sent.find((m) => m.type === 'association-run-now')!.body as { executionId: string }).executionId;
    const runNow = (fields: Partial<AssociationRunReport> = {}) => report(id, { trigger: 'run-now', executionId, scheduledAt: new Date(T0).toISOString(), ...fields });
    const counts = async (): Promise<Record<string, number>> => {
      const [execution] = ((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: Array<{ ResourceCountByStatus: string }> }).AssociationExecutions;
      return Object.fromEntries(execution!.ResourceCountByStatus.slice(1, -1).split(',').map((pair) => [pair.split('=')[0]!, Number(pair.split('=')[1])]));
    };
    const [first, second] = asked();
    const notYet = [WEB, DB, ...more].find((host) => !asked().includes(host))!;
    await sm.executions.onStatus(message(notYet, 'association-status', { reports: [runNow()] }));
    assert.equal(sm.executions.refusedReports, 1, 'a host not asked yet may not report the execution');

    await sm.executions.onStatus(message(first!, 'association-status', { reports: [runNow()] }));
    assert.equal(asked().length, 3, 'one report in: one more host asked');
    await sm.executions.onStatus(message(second!, 'association-status', { reports: [runNow({ status: 'Failed', detailedStatus: 'Failed', responseCode: 1 })] }));
    assert.equal(asked().length, 3, 'MaxErrors 0: the first failure stops sending');
    assert.deepEqual(await counts(), { Success: 1, Failed: 1, Pending: 1, Cancelled: 2 });
    const targets = ((await call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: executionId, Filters: [{ Key: 'Status', Value: 'Cancelled' }] })) as { AssociationExecutionTargets: Array<Record<string, unknown>> }).AssociationExecutionTargets;
    const notRun = [WEB, DB, ...more].filter((host) => !asked().includes(host)).sort();
    assert.deepEqual(targets.map((t) => [t.ResourceId, t.DetailedStatus]), notRun.map((host) => [host, 'Terminated']));

    const third = asked()[2]!;
    await sm.executions.onStatus(message(third, 'association-status', { reports: [runNow()] }));
    assert.deepEqual(await counts(), { Success: 2, Failed: 1, Cancelled: 2 }, 'a host already asked still completes');
    assert.equal(asked().length, 3);
    await sm.executions.onStatus(message(notRun[0]!, 'association-status', { reports: [runNow()] }));
    assert.equal(sm.executions.refusedReports, 2, 'a host never asked may not report it');
    const [execution] = ((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: Array<Record<string, unknown>> }).AssociationExecutions;
    assert.equal(execution!.Status, 'Failed');
  });

  it('a control-plane restart in the middle of a run-now execution: the hosts asked are asked again, the rest in turn, each report taken, none refused', async () => {
    const more = ['mi-0123456789abcdef3', 'mi-0123456789abcdef4'];
    for (const id of more) await registry.add(instance(id, []));
    const hosts = [WEB, DB, ...more];
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], MaxConcurrency: '2', MaxErrors: '1' });
    sent = [];
    await call('StartAssociationsOnce', { AssociationIds: [id] });
    const asked = () => sent.filter((m) => m.type === 'association-run-now').map((m) => m.instanceId);
    const executionId = (sent.find((m) => m.type === 'association-run-now')!.body as { executionId: string }).executionId;
    const runNow = (fields: Partial<AssociationRunReport> = {}) => report(id, { trigger: 'run-now', executionId, scheduledAt: new Date(T0).toISOString(), ...fields });
    const [first, second] = asked();
    await sm.executions.onStatus(message(first!, 'association-status', { reports: [runNow({ status: 'Failed', detailedStatus: 'Failed', responseCode: 1 })] }));
    const third = asked()[2]!;
    assert.equal(asked().length, 3);

    // The control plane stops (as a crash would, after its last awaited write) and starts again on the same store.
    await sm.stop();
    sent = [];
    sm = await startStateManager({ store, registry, documents: await DocumentService.open(store, { now: clock.now }), send: async (instanceId, type, body) => void sent.push({ instanceId, type, body }), now: clock.now, tickMs: 0 });
    assert.deepEqual(asked().sort(), [second!, third].sort(), 'the two hosts in flight are asked again (their agents answer a repeat as a duplicate); the fourth waits its turn');
    await sm.executions.onStatus(message(second!, 'association-status', { reports: [runNow()] }));
    const fourth = hosts.find((host) => ![first, second, third].includes(host))!;
    assert.deepEqual(asked().slice(2), [fourth], 'one report in: the last host is asked');
    await sm.executions.onStatus(message(third, 'association-status', { reports: [runNow()] }));
    await sm.executions.onStatus(message(fourth, 'association-status', { reports: [runNow()] }));
    assert.equal(sm.executions.refusedReports, 0, 'every host that was asked, before or after the restart, may report');
    const targets = ((await call('DescribeAssociationExecutionTargets', { AssociationId: id, ExecutionId: executionId })) as { AssociationExecutionTargets: Array<Record<string, unknown>> }).AssociationExecutionTargets;
    assert.deepEqual(Object.fromEntries(targets.map((t) => [t.ResourceId, t.Status])), { [first!]: 'Failed', [second!]: 'Success', [third]: 'Success', [fourth]: 'Success' });
    const [execution] = ((await call('DescribeAssociationExecutions', { AssociationId: id })) as { AssociationExecutions: Array<Record<string, unknown>> }).AssociationExecutions;
    assert.equal(execution!.ResourceCountByStatus, '{Failed=1,Success=3}');
  });

  it('DescribeAssociationExecutions lists one association\'s executions newest first, in pages, across a restart and a new execution', async () => {
    const id = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    const other = await create({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    const slots = ['2026-11-01T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-01T15:00:00.000Z'];
    for (const slot of slots) {
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(id, { scheduledAt: slot, endedAt: slot })] }));
      await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(other, { scheduledAt: slot, endedAt: slot, status: 'Failed', detailedStatus: 'Failed', responseCode: 1 })] }));
    }
    await sm.stop();
    sm = await startStateManager({ store, registry, documents: await DocumentService.open(store, { now: clock.now }), send: async (instanceId, type, body) => void sent.push({ instanceId, type, body }), now: clock.now, tickMs: 0 });
    type Listed = { AssociationExecutions: Array<{ AssociationId: string; CreatedTime: number; Status: string }>; NextToken?: string };
    const first = (await call('DescribeAssociationExecutions', { AssociationId: id, MaxResults: 2 })) as Listed;
    // A newer execution between pages: the next page goes on from the last one shown (an offset would show 14:00 again).
    await sm.executions.onStatus(message(WEB, 'association-status', { reports: [report(id, { scheduledAt: '2026-11-01T16:00:00.000Z', endedAt: '2026-11-01T16:00:00.000Z' })] }));
    const second = (await call('DescribeAssociationExecutions', { AssociationId: id, MaxResults: 2, NextToken: first.NextToken })) as Listed;
    const listed = [...first.AssociationExecutions, ...second.AssociationExecutions];
    assert.deepEqual(listed.map((e) => e.CreatedTime), [...slots].reverse().map((slot) => Date.parse(slot) / 1000));
    assert.ok(listed.every((e) => e.AssociationId === id && e.Status === 'Success'));
    assert.equal(second.NextToken, undefined);
    const failed = (await call('DescribeAssociationExecutions', { AssociationId: other, Filters: [{ Key: 'Status', Value: 'Failed', Type: 'EQUAL' }, { Key: 'CreatedTime', Value: slots[0], Type: 'GREATER_THAN' }] })) as Listed;
    assert.deepEqual(failed.AssociationExecutions.map((e) => e.CreatedTime), [slots[2], slots[1]].map((slot) => Date.parse(slot!) / 1000));
  });
});
