/**
 * State Manager end to end on the control plane's side: a started control plane, its real (embedded) broker,
 * simulated agents that sign and verify as the real one does (test/support/fleet-simulator.ts), and the official
 * @aws-sdk/client-ssm as the API client. What the agents get over the wire is what is checked: their sets of
 * associations as tags and associations change, run-now requests, acknowledgements of their reports; and what
 * the API shows of the reports: executions, their targets, instance statuses, compliance.
 */
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  AssociationDoesNotExist,
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DescribeAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeInstanceAssociationsStatusCommand,
  InvalidDocument,
  InvalidParameters,
  ListAssociationsCommand,
  ListComplianceItemsCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  StartAssociationsOnceCommand,
} from '@aws-sdk/client-ssm';
import { fromBase64, unseal, type AssociationRunReport, type AssociationRunNowBody, type AssociationsBody, type Message } from '@tender/protocol';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { startFleet, type Fleet } from '../support/fleet-simulator.js';
import { runCli, TENDER_BIN } from '../support/processes.js';

const MOTD = JSON.stringify({
  schemaVersion: '2.2',
  description: 'Keep /etc/motd',
  parameters: { text: { type: 'String' }, token: { type: 'String', default: '' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'write', inputs: { runCommand: ['echo {{ text }} > /etc/motd'] } }],
});

/** Resolves when `check` holds, re-checked on every message the simulated agents get (no fixed waits). */
class Inbox {
  readonly messages: Array<{ instanceId: string; message: Message }> = [];
  private readonly waiters: Array<() => void> = [];

  add(instanceId: string, message: Message): void {
    this.messages.push({ instanceId, message });
    for (const wake of this.waiters.splice(0)) wake();
  }

  async until<T>(what: string, check: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  of<B>(instanceId: string, type: string): B[] {
    return this.messages.filter((m) => m.instanceId === instanceId && m.message.type === type).map((m) => m.message.body as B);
  }
}

describe('State Manager on the control plane, end to end with simulated agents', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let fleet: Fleet;
  let web: string;
  let db: string;
  const inbox = new Inbox();

  const sets = (instanceId: string) => inbox.of<AssociationsBody>(instanceId, 'associations');
  const latestSet = (instanceId: string) => sets(instanceId).at(-1);
  /** The next set this instance receives after `after` sets, satisfying `check`. */
  const nextSet = (instanceId: string, after: number, what: string, check: (set: AssociationsBody) => boolean) =>
    inbox.until(what, () => sets(instanceId).slice(after).find(check));

  before(async () => {
    cp = await startTestControlPlane();
    const activation = await cp.createActivation({ limit: 2 });
    fleet = await startFleet({
      size: 2,
      endpoint: cp.running.endpoint,
      activation,
      onMessage: (instanceId, message) => {
        inbox.add(instanceId, message);
        // Agents acknowledge every set they receive, as the real one does once it has stored it.
        if (message.type === 'associations') void fleet.send(instanceId, 'associations-ack', { revision: (message.body as AssociationsBody).revision });
      },
    });
    [web, db] = [...fleet.instanceIds].sort() as [string, string];
    await cp.ssm.send(new CreateDocumentCommand({ Name: 'team-Motd', Content: MOTD, DocumentType: 'Command', DocumentFormat: 'JSON' }));
    await cp.ssm.send(new PutParameterCommand({ Name: '/motd/text', Value: 'hello from parameter store', Type: 'String' }));
    await cp.ssm.send(new PutParameterCommand({ Name: '/motd/token', Value: 's3cr3t-token', Type: 'SecureString' }));
    // Every agent got its set on its hello: the default inventory association the control plane made at its
    // first start. The tests below start from none: deleting it takes it from every agent's set.
    for (const id of [web, db]) {
      const first = await inbox.until(`the first set of ${id}`, () => latestSet(id));
      assert.deepEqual(first.associations.map((a) => [a.documentName, a.associationName, a.scheduleExpression]), [['AWS-GatherSoftwareInventory', 'tender-default-inventory', 'rate(30 minutes)']]);
    }
    const inventory = (await cp.ssm.send(new ListAssociationsCommand({}))).Associations!.find((a) => a.AssociationName === 'tender-default-inventory')!;
    await cp.ssm.send(new DeleteAssociationCommand({ AssociationId: inventory.AssociationId }));
    for (const id of [web, db]) await inbox.until(`the empty set of ${id}`, () => (latestSet(id)?.associations.length === 0 ? true : undefined));
  });
  after(async () => {
    await fleet?.stop();
    await cp?.stop();
  });

  let associationId: string;

  it('Adding a tag to an instance brings the association to it without restarting anything; removing it stops it', async () => {
    const created = await cp.ssm.send(
      new CreateAssociationCommand({
        Name: 'team-Motd',
        AssociationName: 'motd-where-tagged',
        Targets: [{ Key: 'tag:Motd', Values: ['yes'] }],
        Parameters: { text: ['{{ssm:/motd/text}}'], token: ['{{ssm-secure:/motd/token}}'] },
        ScheduleExpression: 'rate(30 minutes)',
        ComplianceSeverity: 'HIGH',
      }),
    );
    associationId = created.AssociationDescription!.AssociationId!;
    const before = { web: sets(web).length, db: sets(db).length };
    const revisionBefore = latestSet(web)!.revision;

    await cp.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: web, Tags: [{ Key: 'Motd', Value: 'yes' }] }));
    const added = await nextSet(web, before.web, 'the set with the association', (set) => set.associations.length === 1);
    assert.ok(added.revision > revisionBefore, 'a new revision');
    const [body] = added.associations;
    assert.equal(body!.associationId, associationId);
    assert.equal(body!.documentVersion, '1');
    assert.equal(body!.parameters.text, 'hello from parameter store', '{{ssm:...}} resolved by the control plane');
    assert.equal(body!.parameters.token, '{{ssm-secure:/motd/token}}', '{{ssm-secure:...}} stays a reference');
    assert.ok(!JSON.stringify(added).includes('s3cr3t-token'), 'the SecureString value never travels in the clear');
    const identity = fleet.identity(web);
    const sealed = body!.secrets?.['ssm-secure:/motd/token'];
    assert.ok(sealed, 'the secure value is sealed to the agent');
    const opened = unseal(sealed, fromBase64(identity.controlPlane.boxPublicKey), fromBase64(identity.keys.boxSecretKey));
    assert.equal(Buffer.from(opened!).toString('utf8'), 's3cr3t-token', 'and only that agent can open it');
    assert.equal(sets(db).length, before.db, 'the other instance was not sent anything');

    await cp.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: web, TagKeys: ['Motd'] }));
    const removed = await nextSet(web, sets(web).indexOf(added) + 1, 'the set without the association', (set) => set.associations.length === 0);
    assert.ok(removed.revision > added.revision);

    // Tag it again for the executions below.
    const count = sets(web).length;
    await cp.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: web, Tags: [{ Key: 'Motd', Value: 'yes' }] }));
    await nextSet(web, count, 'the association again', (set) => set.associations.length === 1);
  });

  it('stores a resent report once, acknowledges each copy, and shows it as an execution, a status and a compliance item', async () => {
    const report: AssociationRunReport = {
      runId: 'run-web-1',
      associationId,
      associationVersion: '1',
      trigger: 'apply',
      scheduledAt: new Date().toISOString(),
      status: 'Failed',
      detailedStatus: 'Failed',
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      responseCode: 2,
      steps: [{ name: 'write', action: 'aws:runShellScript', status: 'Failed', responseCode: 2, stdout: { preview: '', bytes: 0 }, stderr: { preview: 'read-only file system\n', bytes: 22 } }],
    };
    for (let copy = 1; copy <= 2; copy++) {
      await fleet.send(web, 'association-status', { reports: [report] });
      await inbox.until(`ack ${copy}`, () => (inbox.of<{ runIds: string[] }>(web, 'association-status-ack').length >= copy ? true : undefined));
    }
    assert.deepEqual(inbox.of<{ runIds: string[] }>(web, 'association-status-ack').map((ack) => ack.runIds), [['run-web-1'], ['run-web-1']]);

    const executions = (await cp.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId }))).AssociationExecutions ?? [];
    assert.equal(executions.length, 1);
    assert.equal(executions[0]!.Status, 'Failed');
    assert.equal(executions[0]!.ResourceCountByStatus, '{Failed=1}', 'stored once');
    const targets = (await cp.ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: associationId, ExecutionId: executions[0]!.ExecutionId }))).AssociationExecutionTargets ?? [];
    assert.deepEqual(targets.map((t) => [t.ResourceId, t.Status]), [[web, 'Failed']]);
    const statuses = (await cp.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: web }))).InstanceAssociationStatusInfos ?? [];
    assert.deepEqual(statuses.map((s) => [s.AssociationId, s.Status, s.AssociationName]), [[associationId, 'Failed', 'motd-where-tagged']]);
    const described = (await cp.ssm.send(new DescribeAssociationCommand({ AssociationId: associationId }))).AssociationDescription!;
    assert.equal(described.Overview?.Status, 'Failed');
    assert.ok(described.LastExecutionDate instanceof Date);

    const items = (await cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [web], ResourceTypes: ['ManagedInstance'], Filters: [{ Key: 'ComplianceType', Values: ['Association'] }] }))).ComplianceItems ?? [];
    assert.deepEqual(items.map((item) => [item.Id, item.Status, item.Severity]), [[associationId, 'NON_COMPLIANT', 'HIGH']]);
  });

  it('StartAssociationsOnce sends run-now to the targets; their reports complete that execution and turn compliance COMPLIANT', async () => {
    await cp.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [associationId] }));
    const runNow = await inbox.until('association-run-now', () => inbox.of<AssociationRunNowBody>(web, 'association-run-now')[0]);
    assert.equal(runNow.associationId, associationId);
    assert.equal(inbox.of(db, 'association-run-now').length, 0, 'not a target');
    let execution = (await cp.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId, Filters: [{ Key: 'ExecutionId', Value: runNow.executionId, Type: 'EQUAL' }] }))).AssociationExecutions?.[0];
    assert.equal(execution?.Status, 'InProgress');

    const now = new Date().toISOString();
    await fleet.send(web, 'association-status', {
      reports: [{ runId: 'run-web-2', associationId, associationVersion: '1', trigger: 'run-now', executionId: runNow.executionId, scheduledAt: now, status: 'Success', detailedStatus: 'Success', startedAt: now, endedAt: now, responseCode: 0, steps: [] } satisfies AssociationRunReport],
    });
    await inbox.until('the ack of the run-now report', () => inbox.of<{ runIds: string[] }>(web, 'association-status-ack').find((ack) => ack.runIds.includes('run-web-2')));
    execution = (await cp.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId, Filters: [{ Key: 'ExecutionId', Value: runNow.executionId, Type: 'EQUAL' }] }))).AssociationExecutions?.[0];
    assert.equal(execution?.Status, 'Success');
    assert.equal(execution?.ResourceCountByStatus, '{Success=1}');
    const items = (await cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [web], ResourceTypes: ['ManagedInstance'], Filters: [{ Key: 'ComplianceType', Values: ['Association'] }] }))).ComplianceItems ?? [];
    assert.deepEqual(items.map((item) => [item.Id, item.Status]), [[associationId, 'COMPLIANT']]);
  });

  it('tender associations create | list | describe | executions | run-now, with --json and --help', async () => {
    const tender = async (...args: string[]) => {
      const result = await runCli(TENDER_BIN, [...args, '--data-dir', cp.dataDir]);
      assert.equal(result.code, 0, `tender ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    };
    const before = sets(db).length;
    const created = JSON.parse(await tender('associations', 'create', 'team-Motd', '--target', `InstanceIds=${db}`, '--parameter', 'text=from the cli', '--schedule', 'rate(1 day)', '--name', 'cli-motd', '--json')) as { AssociationId: string; Parameters: Record<string, string[]> };
    assert.deepEqual(created.Parameters, { text: ['from the cli'] });
    const delivered = await nextSet(db, before, 'the CLI-made association on its target', (set) => set.associations.some((a) => a.associationId === created.AssociationId));
    assert.equal(delivered.associations.find((a) => a.associationId === created.AssociationId)!.parameters.text, 'from the cli');

    const listed = JSON.parse(await tender('associations', 'list', '--instance', db, '--json')) as Array<{ AssociationId: string }>;
    assert.deepEqual(listed.map((a) => a.AssociationId), [created.AssociationId]);
    assert.match(await tender('associations', 'list'), /cli-motd\s+team-Motd/);
    assert.match(await tender('associations', 'describe', created.AssociationId), /Schedule\s+rate\(1 day\)/);

    assert.match(await tender('associations', 'run-now', created.AssociationId), /started/);
    const runNow = await inbox.until('run-now from the CLI', () => inbox.of<AssociationRunNowBody>(db, 'association-run-now').find((body) => body.associationId === created.AssociationId));
    const executions = JSON.parse(await tender('associations', 'executions', created.AssociationId, '--json')) as Array<{ ExecutionId: string; Status: string }>;
    assert.deepEqual(executions.map((e) => [e.ExecutionId, e.Status]), [[runNow.executionId, 'InProgress']]);
    const targets = JSON.parse(await tender('associations', 'executions', created.AssociationId, '--execution', runNow.executionId, '--json')) as Array<{ ResourceId: string; Status: string }>;
    assert.deepEqual(targets.map((t) => [t.ResourceId, t.Status]), [[db, 'Pending']]);
    for (const command of ['create', 'list', 'describe', 'executions', 'run-now']) assert.match(await tender('associations', command, '--help'), /--json/);

    const refused = await runCli(TENDER_BIN, ['associations', 'create', 'team-Motd', '--target', 'nonsense', '--data-dir', cp.dataDir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /KEY=VALUE/);
  });

  it('refuses bad input with SSM\'s errors, leaving nothing behind and sending nothing', async () => {
    const listed = async () => (await cp.ssm.send(new ListAssociationsCommand({}))).Associations?.length ?? 0;
    const count = await listed();
    const sent = inbox.messages.length;
    await assert.rejects(cp.ssm.send(new CreateAssociationCommand({ Name: 'no-such-document', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] })), InvalidDocument);
    await assert.rejects(cp.ssm.send(new CreateAssociationCommand({ Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], Parameters: { text: ['{{ssm:/no/such/parameter}}'] } })), InvalidParameters);
    await assert.rejects(cp.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [associationId, '00000000-0000-4000-8000-000000000000'] })), AssociationDoesNotExist);
    assert.equal(await listed(), count, 'no association half-created');
    // A set would have gone out by the time the API answered a create (delivery starts with the write).
    await cp.ssm.send(new ListAssociationsCommand({}));
    assert.equal(inbox.messages.slice(sent).filter((m) => m.message.type === 'association-run-now' || m.message.type === 'associations').length, 0);
  });
});
