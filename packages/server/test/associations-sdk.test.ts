import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AssociationDoesNotExist,
  CreateAssociationBatchCommand,
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DescribeAssociationCommand,
  DescribeEffectiveInstanceAssociationsCommand,
  InvalidAssociationVersion,
  InvalidDocument,
  InvalidDocumentVersion,
  InvalidInstanceId,
  InvalidOutputLocation,
  InvalidParameters,
  InvalidSchedule,
  InvalidTarget,
  ListAssociationsCommand,
  ListAssociationVersionsCommand,
  paginateListAssociations,
  SSMClient,
  SSMServiceException,
  UpdateAssociationCommand,
  type Association,
  type CreateAssociationCommandInput,
} from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { AccessKeys } from '../src/access/access-keys.js';
import { createRequestListener } from '../src/api/http-api.js';
import { AssociationService, associationOperations } from '../src/associations/index.js';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { DocumentService, documentOperations } from '../src/documents/index.js';
import { InstanceRegistry } from '../src/instances/instance-registry.js';
import { FileStore } from '../src/store/file-store.js';
import { ManualClock, TEST_ACCOUNT, TEST_REGION } from './support/operation-harness.js';
import { DB, instance, T0, WEB } from './support/association-hosts.js';


/** A document with rules on its parameters: allowedValues, allowedPattern, a required one. */
const CONFIGURE = JSON.stringify({
  schemaVersion: '2.2',
  description: 'Keep a file in place',
  parameters: {
    state: { type: 'String', allowedValues: ['present', 'absent'], default: 'present' },
    path: { type: 'String', allowedPattern: '^/[a-z/]+$' },
  },
  mainSteps: [{ action: 'aws:runShellScript', name: 'apply', inputs: { runCommand: ['echo {{ state }} {{ path }}'] } }],
});

describe('Associations API over HTTP with the AWS SDK', function () {
  this.timeout(30000);
  let dir: string;
  let store: FileStore;
  let trail: AuditTrail;
  let registry: InstanceRegistry;
  let server: Server;
  let ssm: SSMClient;
  let endpoint: string;
  let accessKeys: AccessKeys;
  const clock = new ManualClock(T0);

  async function sdkError<T extends SSMServiceException>(promise: Promise<unknown>, type: new (...args: never[]) => T, message?: RegExp): Promise<SSMServiceException> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
      if (message) assert.match(error.message, message);
      return error;
    }
    return assert.fail(`expected ${type.name}, the call succeeded`);
  }

  async function allAssociations(): Promise<Association[]> {
    const found: Association[] = [];
    for await (const page of paginateListAssociations({ client: ssm, pageSize: 2 }, {})) found.push(...(page.Associations ?? []));
    return found;
  }

  const good: CreateAssociationCommandInput = {
    Name: 'team-Configure',
    AssociationName: 'motd-on-web',
    Targets: [{ Key: 'tag:Role', Values: ['web'] }],
    ScheduleExpression: 'cron(0 2 ? * SUN *)',
    Parameters: { state: ['present'], path: ['/etc/motd'] },
    MaxConcurrency: '50%',
    MaxErrors: '1',
    ComplianceSeverity: 'HIGH',
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-associations-sdk-'));
    store = await FileStore.open(dir);
    accessKeys = new AccessKeys(store, randomBytes(32), TEST_ACCOUNT);
    const admin = await accessKeys.create('admin');
    trail = await AuditTrail.open(path.join(dir, 'audit.log'));
    registry = await InstanceRegistry.open(store, { now: clock.now });
    await registry.add(instance(WEB, [{ Key: 'Role', Value: 'web' }]));
    await registry.add(instance(DB, [{ Key: 'Role', Value: 'db' }]));
    const documents = await DocumentService.open(store, { now: clock.now });
    const associations = new AssociationService({ store, resolveDocument: (name, version) => documents.resolve(name, version), instance: (id) => registry.get(id), now: clock.now });
    const listener = createRequestListener({
      operations: [...documentOperations(documents), ...associationOperations(associations, documents)],
      accessKeys,
      audit: (event) => trail.append(event),
      region: TEST_REGION,
      accountId: TEST_ACCOUNT,
      logger: pino({ level: 'silent' }),
    });
    server = http.createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ssm = new SSMClient({
      region: TEST_REGION,
      endpoint,
      credentials: { accessKeyId: admin.record.accessKeyId, secretAccessKey: admin.secretAccessKey },
      maxAttempts: 1,
    });
    await ssm.send(new CreateDocumentCommand({ Name: 'team-Configure', Content: CONFIGURE, DocumentType: 'Command' }));
  });

  after(async () => {
    ssm.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await trail.close();
    await registry.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('CreateAssociation stores what was asked and DescribeAssociation returns it', async () => {
    const created = (await ssm.send(new CreateAssociationCommand(good))).AssociationDescription!;
    assert.match(created.AssociationId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(created.AssociationVersion, '1');
    assert.equal(created.Date?.toISOString(), '2026-11-01T12:00:00.000Z');
    assert.equal(created.DocumentVersion, '$DEFAULT');
    assert.equal(created.SyncCompliance, 'AUTO');
    assert.equal(created.ApplyOnlyAtCronInterval, false);
    assert.equal(created.Overview?.Status, 'Pending');
    const described = (await ssm.send(new DescribeAssociationCommand({ AssociationId: created.AssociationId }))).AssociationDescription!;
    assert.deepEqual(
      { Name: described.Name, AssociationName: described.AssociationName, Targets: described.Targets, ScheduleExpression: described.ScheduleExpression, Parameters: described.Parameters, MaxConcurrency: described.MaxConcurrency, MaxErrors: described.MaxErrors, ComplianceSeverity: described.ComplianceSeverity },
      good,
    );
    await ssm.send(new DeleteAssociationCommand({ AssociationId: created.AssociationId }));
  });

  it('targets: an instance id, every node (InstanceIds *), a tag key; with offset and ApplyOnlyAtCronInterval', async () => {
    const byId = await ssm.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: [DB] }], Parameters: { commands: ['uptime'] } }));
    const all = await ssm.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], Parameters: { commands: ['uptime'] }, ScheduleExpression: 'rate(30 minutes)' }));
    const tagKey = await ssm.send(
      new CreateAssociationCommand({ Name: 'team-Configure', Targets: [{ Key: 'tag-key', Values: ['Role'] }], Parameters: { path: ['/etc/issue'] }, ScheduleExpression: 'cron(0 0 ? * THU#2 *)', ScheduleOffset: 3, ApplyOnlyAtCronInterval: true, SyncCompliance: 'MANUAL' }),
    );
    assert.deepEqual(all.AssociationDescription?.Targets, [{ Key: 'InstanceIds', Values: ['*'] }]);
    assert.equal(tagKey.AssociationDescription?.ScheduleOffset, 3);
    assert.equal(tagKey.AssociationDescription?.ApplyOnlyAtCronInterval, true);
    assert.equal(tagKey.AssociationDescription?.SyncCompliance, 'MANUAL');
    // ListAssociations' InstanceId filter: which associations take in the db node now.
    const forDb = (await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'InstanceId', value: DB }] }))).Associations ?? [];
    assert.deepEqual(forDb.map((a) => a.AssociationId).sort(), [byId, all, tagKey].map((r) => r.AssociationDescription!.AssociationId).sort());
    for (const r of [byId, all, tagKey]) await ssm.send(new DeleteAssociationCommand({ AssociationId: r.AssociationDescription!.AssociationId }));
  });

  it('bad input gets SSM\'s error, with the field at fault, and nothing is created', async () => {
    const cases: Array<[Partial<CreateAssociationCommandInput>, new (...args: never[]) => SSMServiceException, RegExp]> = [
      [{ ScheduleExpression: 'cron(0 2 32 * ? *)' }, InvalidSchedule, /field 3 \(day-of-month\) "32" is out of range 1-31/],
      [{ ScheduleExpression: 'cron(0 2 ? * MON-FRI)' }, InvalidSchedule, /has 5 fields, expected 6/],
      [{ ScheduleExpression: 'rate(15 minutes)' }, InvalidSchedule, /30 minutes or more and less than 31 days/],
      [{ ScheduleExpression: 'cron(0/10 * * * ? *)' }, InvalidSchedule, /runs 10 minutes apart/],
      [{ ScheduleExpression: 'cron(0 2 ? * SUN *)', ScheduleOffset: 2 }, InvalidSchedule, /ScheduleOffset needs ApplyOnlyAtCronInterval/],
      [{ ScheduleExpression: 'rate(1 hour)', ApplyOnlyAtCronInterval: true }, InvalidSchedule, /applies only to cron expressions/],
      [{ ScheduleExpression: 'cron(0 0 1 1 ? 2020-2025)' }, InvalidSchedule, /has no run after 2026-11-01T12:00:00.000Z: it never fires/],
      [{ Name: 'team-Missing' }, InvalidDocument, /does not exist: team-Missing/],
      [{ DocumentVersion: '9' }, InvalidDocumentVersion, /team-Configure has no version 9/],
      [{ Parameters: { state: ['gone'], path: ['/etc/motd'] } }, InvalidParameters, /state/],
      [{ Parameters: { path: ['relative/path'] } }, InvalidParameters, /path/],
      [{ Parameters: { path: ['/etc/motd'], colour: ['blue'] } }, InvalidParameters, /"colour" is not defined/],
      [{ Targets: [{ Key: 'InstanceIds', Values: ['mi-00000000000000000'] }] }, InvalidInstanceId, /mi-00000000000000000\] are not registered/],
      [{ Targets: [{ Key: 'InstanceIds', Values: ['*', WEB] }] }, InvalidTarget, /\* \(every managed node\) stands alone/],
      [{ Targets: [{ Key: 'resource-groups:Name', Values: ['web-servers'] }] }, InvalidTarget, /need AWS Resource Groups/],
      [{ Targets: [{ Key: 'tag:Role', Values: [] }] }, InvalidTarget, /has no Values/],
      [{ Targets: [{ Key: 'Environment', Values: ['prod'] }] }, InvalidTarget, /unsupported target key "Environment"/],
      [{ Targets: [] }, InvalidTarget, /An association needs Targets/],
      [{ OutputLocation: { S3Location: { OutputS3BucketName: 'bucket' } } }, InvalidOutputLocation, /does not write association output to S3/],
    ];
    const before = (await allAssociations()).length;
    for (const [change, type, message] of cases) await sdkError(ssm.send(new CreateAssociationCommand({ ...good, ...change })), type, message);
    const validation = await sdkError(ssm.send(new CreateAssociationCommand({ ...good, MaxConcurrency: '0' })), SSMServiceException, /maxConcurrency/);
    assert.equal(validation.name, 'ValidationException');
    const duration = await sdkError(ssm.send(new CreateAssociationCommand({ ...good, Duration: 2 })), SSMServiceException, /Duration applies only to associations with ApplyOnlyAtCronInterval/);
    assert.equal(duration.name, 'ValidationException');
    const legacy = await sdkError(ssm.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', InstanceId: WEB, Parameters: { commands: ['uptime'] } })), InvalidParameters, /InstanceId is deprecated/);
    assert.equal(legacy.name, 'InvalidParameters');
    assert.equal((await allAssociations()).length, before);
  });

  it('UpdateAssociation makes a new version; ListAssociationVersions and DescribeAssociation show each', async () => {
    clock.ms = T0;
    const id = (await ssm.send(new CreateAssociationCommand(good))).AssociationDescription!.AssociationId!;
    clock.advance(3600);
    // Name and Targets stay when left out; other optional fields take the request's values (SSM: "overwrites
    // the association with null values for those parameters").
    const updated = (await ssm.send(new UpdateAssociationCommand({ AssociationId: id, ScheduleExpression: 'rate(1 day)', Parameters: { path: ['/etc/issue'] }, AssociationVersion: '1' }))).AssociationDescription!;
    assert.equal(updated.AssociationVersion, '2');
    assert.equal(updated.Name, 'team-Configure');
    assert.deepEqual(updated.Targets, good.Targets);
    assert.equal(updated.AssociationName, undefined);
    assert.equal(updated.LastUpdateAssociationDate?.toISOString(), '2026-11-01T13:00:00.000Z');
    assert.equal(updated.Date?.toISOString(), '2026-11-01T12:00:00.000Z');

    const versions = (await ssm.send(new ListAssociationVersionsCommand({ AssociationId: id }))).AssociationVersions ?? [];
    assert.deepEqual(versions.map((v) => [v.AssociationVersion, v.ScheduleExpression, v.Parameters?.path?.[0], v.CreatedDate?.toISOString()]), [
      ['1', 'cron(0 2 ? * SUN *)', '/etc/motd', '2026-11-01T12:00:00.000Z'],
      ['2', 'rate(1 day)', '/etc/issue', '2026-11-01T13:00:00.000Z'],
    ]);
    const first = (await ssm.send(new DescribeAssociationCommand({ AssociationId: id, AssociationVersion: '1' }))).AssociationDescription!;
    assert.equal(first.ScheduleExpression, 'cron(0 2 ? * SUN *)');
    assert.equal(first.AssociationName, 'motd-on-web');
    await sdkError(ssm.send(new DescribeAssociationCommand({ AssociationId: id, AssociationVersion: '3' })), InvalidAssociationVersion, /has no version 3/);

    // A stale AssociationVersion, a bad schedule, bad parameters: refused, and still two versions.
    await sdkError(ssm.send(new UpdateAssociationCommand({ AssociationId: id, ScheduleExpression: 'rate(2 days)', AssociationVersion: '1' })), InvalidAssociationVersion, /is at version 2, not 1/);
    await sdkError(ssm.send(new UpdateAssociationCommand({ AssociationId: id, ScheduleExpression: 'cron(0 2 ? * SUNDAY *)' })), InvalidSchedule, /field 5 \(day-of-week\) "SUNDAY"/);
    await sdkError(ssm.send(new UpdateAssociationCommand({ AssociationId: id, Parameters: { state: ['maybe'], path: ['/x'] } })), InvalidParameters);
    assert.equal((await ssm.send(new ListAssociationVersionsCommand({ AssociationId: id }))).AssociationVersions?.length, 2);
    await sdkError(ssm.send(new UpdateAssociationCommand({ AssociationId: '00000000-0000-4000-8000-000000000000', ScheduleExpression: 'rate(1 day)' })), AssociationDoesNotExist);
    await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
  });

  it('ListAssociations filters and pages; CreateAssociationBatch reports each entry; DeleteAssociation removes', async () => {
    const batch = await ssm.send(
      new CreateAssociationBatchCommand({
        Entries: [
          { ...good, AssociationName: 'batch-one' },
          { ...good, AssociationName: 'batch-bad', ScheduleExpression: 'rate(5 minute)' },
          { Name: 'AWS-RunShellScript', AssociationName: 'batch-two', Targets: [{ Key: 'tag:Role', Values: ['db'] }], Parameters: { commands: ['df -h'] }, ScheduleExpression: 'rate(2 hours)' },
        ],
      }),
    );
    assert.deepEqual(batch.Successful?.map((s) => s.AssociationName), ['batch-one', 'batch-two']);
    assert.equal(batch.Failed?.length, 1);
    assert.equal(batch.Failed?.[0]?.Entry?.AssociationName, 'batch-bad');
    assert.equal(batch.Failed?.[0]?.Fault, 'Client');
    assert.match(batch.Failed?.[0]?.Message ?? '', /^InvalidSchedule: rate\(5 minute\): with the value 5 the unit is plural/);

    const byName = await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'Name', value: 'AWS-RunShellScript' }] }));
    assert.deepEqual(byName.Associations?.map((a) => a.AssociationName), ['batch-two']);
    const byAssociationName = await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'AssociationName', value: 'batch-one' }, { key: 'Name', value: 'team-Configure' }] }));
    assert.deepEqual(byAssociationName.Associations?.map((a) => [a.AssociationName, a.ScheduleExpression]), [['batch-one', 'cron(0 2 ? * SUN *)']]);
    const forWeb = await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'InstanceId', value: WEB }] }));
    assert.deepEqual(forWeb.Associations?.map((a) => a.AssociationName), ['batch-one']);
    const invalid = await sdkError(ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'Colour' as never, value: 'x' }] })), SSMServiceException, /enum value set/);
    assert.equal(invalid.name, 'ValidationException');

    // Three more, then page through five two at a time.
    for (const n of [3, 4, 5]) await ssm.send(new CreateAssociationCommand({ ...good, AssociationName: `paged-${n}` }));
    const all = await allAssociations();
    assert.equal(all.length, 5);
    assert.equal(new Set(all.map((a) => a.AssociationId)).size, 5);

    const one = batch.Successful![0]!.AssociationId!;
    await ssm.send(new DeleteAssociationCommand({ AssociationId: one }));
    await sdkError(ssm.send(new DescribeAssociationCommand({ AssociationId: one })), AssociationDoesNotExist, new RegExp(one));
    await sdkError(ssm.send(new DeleteAssociationCommand({ AssociationId: one })), AssociationDoesNotExist);
    assert.equal((await allAssociations()).length, 4);
  });

  it('ListAssociations goes on from the last association shown: one deleted or created between pages hides none and repeats none', async () => {
    const before = new Set((await allAssociations()).map((a) => a.AssociationId));
    const made: string[] = [];
    const create = async (n: number) => {
      clock.advance(1); // oldest first: make the order of the new ones certain
      made.push((await ssm.send(new CreateAssociationCommand({ ...good, AssociationName: `walk-${n}` }))).AssociationDescription!.AssociationId!);
    };
    for (const n of [1, 2, 3, 4]) await create(n);
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(new ListAssociationsCommand({ MaxResults: 2, NextToken }));
      names.push(...(page.Associations ?? []).filter((a) => !before.has(a.AssociationId)).map((a) => a.AssociationName!));
      NextToken = page.NextToken;
      if (names.includes('walk-2') && pages++ === 0) {
        // walk-1 (already shown) goes: an offset would now skip walk-3. walk-5 arrives at the end: shown once.
        await ssm.send(new DeleteAssociationCommand({ AssociationId: made[0] }));
        await create(5);
      }
    } while (NextToken);
    assert.deepEqual(names, ['walk-1', 'walk-2', 'walk-3', 'walk-4', 'walk-5']);
    for (const id of made.slice(1)) await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
  });

  it('DescribeAssociation and DeleteAssociation also find an association by document Name and InstanceId', async () => {
    const id = (await ssm.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: [WEB] }], Parameters: { commands: ['uptime'] } }))).AssociationDescription!.AssociationId;
    const found = await ssm.send(new DescribeAssociationCommand({ Name: 'AWS-RunShellScript', InstanceId: WEB }));
    assert.equal(found.AssociationDescription?.AssociationId, id);
    await sdkError(ssm.send(new DescribeAssociationCommand({ Name: 'AWS-RunShellScript', InstanceId: DB })), AssociationDoesNotExist, /AWS-RunShellScript on mi-0123456789abcdef2/);
    await ssm.send(new DeleteAssociationCommand({ Name: 'AWS-RunShellScript', InstanceId: WEB }));
    await sdkError(ssm.send(new DescribeAssociationCommand({ AssociationId: id })), AssociationDoesNotExist);
  });

  it('policies see associations by ARN (association/<id>) and CreateAssociation by document ARN', async () => {
    const id = (await ssm.send(new CreateAssociationCommand(good))).AssociationDescription!.AssociationId!;
    const other = (await ssm.send(new CreateAssociationCommand({ ...good, AssociationName: 'other' }))).AssociationDescription!.AssociationId!;
    const key = await accessKeys.create('association-reader', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['ssm:DescribeAssociation', 'ssm:UpdateAssociation'], Resource: [`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:association/${id}`] },
        { Effect: 'Allow', Action: 'ssm:CreateAssociation', Resource: [`arn:aws:ssm:${TEST_REGION}::document/AWS-*`] },
      ],
    });
    const limited = new SSMClient({ region: TEST_REGION, endpoint, credentials: { accessKeyId: key.record.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 1 });
    try {
      assert.equal((await limited.send(new DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription?.AssociationId, id);
      const denied = await sdkError(limited.send(new DescribeAssociationCommand({ AssociationId: other })), SSMServiceException, new RegExp(`association/${other}`));
      assert.equal(denied.name, 'AccessDeniedException');
      const notTeam = await sdkError(limited.send(new CreateAssociationCommand(good)), SSMServiceException, /document\/team-Configure/);
      assert.equal(notTeam.name, 'AccessDeniedException');
      const made = await limited.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', Targets: [{ Key: 'tag:Role', Values: ['db'] }], Parameters: { commands: ['uptime'] } }));
      await ssm.send(new DeleteAssociationCommand({ AssociationId: made.AssociationDescription!.AssociationId }));
    } finally {
      limited.destroy();
      for (const a of [id, other]) await ssm.send(new DeleteAssociationCommand({ AssociationId: a }));
    }
  });

  it('DescribeEffectiveInstanceAssociations: the associations a node gets now, following its tags', async () => {
    const tagged = (await ssm.send(new CreateAssociationCommand({ ...good, AssociationName: 'effective-web', Targets: [{ Key: 'tag:Tier', Values: ['front'] }] }))).AssociationDescription!.AssociationId!;
    clock.advance(1); // associations list oldest first: make the order of these two certain
    const everyone = (await ssm.send(new CreateAssociationCommand({ Name: 'AWS-RunShellScript', AssociationName: 'effective-all', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], Parameters: { commands: ['uptime'] } }))).AssociationDescription!.AssociationId!;
    const effective = async (id: string) => {
      const found: Array<{ id?: string; version?: string; content?: string }> = [];
      let NextToken: string | undefined;
      do {
        const page = await ssm.send(new DescribeEffectiveInstanceAssociationsCommand({ InstanceId: id, MaxResults: 1, NextToken }));
        assert.ok((page.Associations ?? []).every((a) => a.InstanceId === id));
        found.push(...(page.Associations ?? []).map((a) => ({ id: a.AssociationId, version: a.AssociationVersion, content: a.Content })));
        NextToken = page.NextToken;
      } while (NextToken);
      return found.filter((a) => a.id === tagged || a.id === everyone);
    };
    const before = await effective(DB);
    assert.deepEqual(before.map((a) => a.id), [everyone]);
    assert.equal((JSON.parse(before[0]!.content!) as { schemaVersion: string }).schemaVersion, '2.2');
    // Tagging the node brings the tag-targeted association to it; nothing else has to change.
    await registry.setTags(DB, [{ Key: 'Role', Value: 'db' }, { Key: 'Tier', Value: 'front' }]);
    const after = await effective(DB);
    assert.deepEqual(after.map((a) => a.id), [tagged, everyone]);
    assert.match(after[0]!.content!, /echo \{\{ state \}\} \{\{ path \}\}/);
    await registry.setTags(DB, [{ Key: 'Role', Value: 'db' }]);
    assert.deepEqual((await effective(DB)).map((a) => a.id), [everyone]);
    await sdkError(ssm.send(new DescribeEffectiveInstanceAssociationsCommand({ InstanceId: 'mi-00000000000000000' })), InvalidInstanceId, /not a registered managed instance/);
    for (const a of [tagged, everyone]) await ssm.send(new DeleteAssociationCommand({ AssociationId: a }));
  });
});
