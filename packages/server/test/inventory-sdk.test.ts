import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CustomSchemaCountLimitExceededException,
  DeleteInventoryCommand,
  DescribeInventoryDeletionsCommand,
  GetInventoryCommand,
  GetInventorySchemaCommand,
  InvalidAggregatorException,
  InvalidFilter,
  InvalidInstanceId,
  InvalidInventoryGroupException,
  InvalidOptionException,
  InvalidResultAttributeException,
  InvalidTypeNameException,
  ItemContentMismatchException,
  ItemSizeLimitExceededException,
  ListInventoryEntriesCommand,
  paginateGetInventory,
  PutInventoryCommand,
  SSMClient,
  SSMServiceException,
  UnsupportedInventorySchemaVersionException,
  type InventoryResultEntity,
} from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane, type RunningControlPlane } from '../src/control-plane.js';
import { app, CAPTURE, instanceId, instanceRecord, item } from './support/inventory-fixtures.js';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

describe('inventory API over HTTP with the AWS SDK, on a started control plane', function () {
  this.timeout(30000);
  let dir: string;
  let cp: RunningControlPlane;
  let ssm: SSMClient;
  let admin: { accessKeyId: string; secretAccessKey: string };
  const hosts = [instanceId(1), instanceId(2), instanceId(3)];

  async function sdkError<T extends SSMServiceException>(promise: Promise<unknown>, type: new (...args: never[]) => T, message?: RegExp): Promise<SSMServiceException> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
      assert.equal((error as SSMServiceException).$metadata.httpStatusCode, 400);
      if (message) assert.match((error as Error).message, message);
      return error as SSMServiceException;
    }
    assert.fail(`expected ${type.name}`);
  }

  /** A Tender operation, signed like the SDK signs SSM's (the CLI's callTender does the same). */
  async function tender<T>(operation: string, input: object): Promise<T> {
    const url = new URL(cp.endpoint);
    const body = JSON.stringify(input);
    const signer = new SignatureV4({ credentials: admin, region: cp.region, service: 'ssm', sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Tender.${operation}` },
      body,
    });
    const response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body });
    const parsed = (await response.json()) as T & { __type?: string; message?: string };
    if (!response.ok) throw new Error(`${parsed.__type}: ${parsed.message}`);
    return parsed;
  }

  const put = (id: string, items: Array<Record<string, unknown>>) => ssm.send(new PutInventoryCommand({ InstanceId: id, Items: items as never }));
  const custom = (typeName: string, rows: Array<Record<string, string>>, schemaVersion = '1.0') => ({ TypeName: typeName, SchemaVersion: schemaVersion, CaptureTime: CAPTURE, Content: rows });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-inventory-sdk-'));
    cp = await startControlPlane({ ...SERVER_DEFAULTS, dataDir: dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }, { logger: pino({ level: 'silent' }) });
    const text = await readFile(cp.credentialsFile, 'utf8');
    const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    admin = { accessKeyId: get('aws_access_key_id'), secretAccessKey: get('aws_secret_access_key') };
    ssm = new SSMClient({ region: cp.region, endpoint: cp.endpoint, credentials: admin, maxAttempts: 1 });
    await cp.registry.add(instanceRecord(hosts[0]!, { PlatformType: 'Linux', PlatformName: 'Ubuntu' }));
    await cp.registry.add(instanceRecord(hosts[1]!, { PlatformType: 'Linux', PlatformName: 'Debian GNU/Linux' }));
    await cp.registry.add(instanceRecord(hosts[2]!, { PlatformType: 'Windows', PlatformName: 'Microsoft Windows Server 2022 Datacenter' }));
    // What agents would upload (through the same service the `inventory` message reaches).
    const uploads: Array<[string, Array<Record<string, string>>]> = [
      [hosts[0]!, [app('openssl', '3.0.2-0ubuntu1.15'), app('bash', '5.1-6ubuntu1'), app('curl', '7.81.0-1ubuntu1.16')]],
      [hosts[1]!, [app('openssl', '3.0.11-1~deb12u2'), app('bash', '5.2.15-2+b7')]],
      [hosts[2]!, [{ Name: 'OpenSSL', Version: '3.0.7', Publisher: 'OpenSSL Project' }, { Name: 'PowerShell 7', Version: '7.4.1.0' }]],
    ];
    for (const [id, rows] of uploads) {
      const ack = await cp.inventory.receiveUpload(id, { uploadId: `first-${id}`, items: [item('AWS:Application', rows), item('AWS:InstanceDetailedInformation', [{ CPUModel: 'Xeon', CPUCores: id === hosts[0] ? '4' : '16', CPUs: '8' }])] });
      assert.deepEqual(ack.accepted, ['AWS:Application', 'AWS:InstanceDetailedInformation']);
    }
  });

  after(async () => {
    ssm?.destroy();
    await cp?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('PutInventory stores a custom type; ListInventoryEntries and GetInventorySchema show it', async () => {
    const result = await put(hosts[0]!, [custom('Custom:RackInfo', [{ Location: 'US-EAST-02.CMH.RACK1', Zone: 'BJS12' }])]);
    assert.match(result.Message ?? '', /Stored 1 inventory item/);
    const listed = await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[0], TypeName: 'Custom:RackInfo' }));
    assert.deepEqual(listed.Entries, [{ Location: 'US-EAST-02.CMH.RACK1', Zone: 'BJS12' }]);
    assert.equal(listed.SchemaVersion, '1.0');
    assert.equal(listed.CaptureTime, CAPTURE);

    const schemas = await ssm.send(new GetInventorySchemaCommand({}));
    const application = schemas.Schemas?.find((schema) => schema.TypeName === 'AWS:Application');
    assert.equal(application?.Version, '1.1');
    assert.deepEqual(application?.Attributes?.map((a) => a.Name), ['Name', 'ApplicationType', 'Publisher', 'Version', 'InstalledTime', 'Architecture', 'URL', 'Summary', 'PackageId', 'Release', 'Epoch']);
    const detailed = await ssm.send(new GetInventorySchemaCommand({ TypeName: 'AWS:InstanceDetailedInformation' }));
    assert.equal(detailed.Schemas?.[0]?.Attributes?.find((a) => a.Name === 'CPUCores')?.DataType, 'number');
    const rack = await ssm.send(new GetInventorySchemaCommand({ TypeName: 'Custom:RackInfo' }));
    assert.deepEqual(rack.Schemas?.[0]?.Attributes, [{ Name: 'Location', DataType: 'string' }, { Name: 'Zone', DataType: 'string' }]);
    await sdkError(ssm.send(new GetInventorySchemaCommand({ TypeName: 'Custom:Nope' })), InvalidTypeNameException);

    // ListInventoryEntries filters by attribute, with or without the type in the key.
    const openssl = await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[1], TypeName: 'AWS:Application', Filters: [{ Key: 'Name', Values: ['openssl'], Type: 'Equal' }] }));
    assert.deepEqual(openssl.Entries?.map((e) => e.Version), ['3.0.11-1~deb12u2']);
    const paged = await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[0], TypeName: 'AWS:Application', MaxResults: 2 }));
    assert.equal(paged.Entries?.length, 2);
    const rest = await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[0], TypeName: 'AWS:Application', MaxResults: 2, NextToken: paged.NextToken }));
    assert.deepEqual(rest.Entries?.map((e) => e.Name), ['curl']);
    assert.equal(rest.NextToken, undefined);
  });

  it('PutInventory refuses what SSM refuses, and stores nothing of a call with one bad item', async () => {
    await sdkError(put(hosts[0]!, [{ ...custom('AWS:Application', [{ Name: 'x' }]), SchemaVersion: '1.1' }]), InvalidTypeNameException, /reported by the agent; PutInventory accepts Custom: types/);
    await sdkError(put(hosts[0]!, [custom('Foo:Bar', [{ a: 'b' }])]), InvalidTypeNameException, /must be 1-100 characters and start with AWS: or Custom:/);
    await sdkError(put('mi-0123456789abcdef0', [custom('Custom:X', [{ a: 'b' }])]), InvalidInstanceId);
    await sdkError(put(hosts[0]!, [custom('Custom:Huge', Array.from({ length: 60 }, (_, i) => ({ Blob: `${i}`.padEnd(4000, 'x') })))]), ItemSizeLimitExceededException, /limit for one custom inventory item is 204800 bytes/);
    await sdkError(put(hosts[0]!, [{ TypeName: 'Custom:HashOnly', SchemaVersion: '1.0', CaptureTime: CAPTURE, ContentHash: 'abc' }]), ItemContentMismatchException);
    const bad = await sdkError(put(hosts[0]!, [custom('Custom:Good', [{ a: 'b' }]), { ...custom('Custom:Late', [{ a: 'b' }]), CaptureTime: 'yesterday' }]), SSMServiceException);
    assert.equal(bad.name, 'ValidationException');
    const none = await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[0], TypeName: 'AWS:Application' }));
    assert.ok(none.Entries?.length);
    assert.equal((await ssm.send(new GetInventorySchemaCommand({}))).Schemas?.some((s) => s.TypeName === 'Custom:Good'), false, 'the good item of the refused call was not stored');

    // 20 custom types per account: the 21st is refused.
    const existing = (await ssm.send(new GetInventorySchemaCommand({}))).Schemas!.filter((s) => s.TypeName?.startsWith('Custom:')).length;
    for (let n = existing; n < 20; n++) await put(hosts[1]!, [custom(`Custom:Filler${n}`, [{ n: String(n) }])]);
    await sdkError(put(hosts[1]!, [custom('Custom:OneTooMany', [{ a: 'b' }])]), CustomSchemaCountLimitExceededException);
    for (let n = existing; n < 20; n++) await ssm.send(new DeleteInventoryCommand({ TypeName: `Custom:Filler${n}`, SchemaDeleteOption: 'DeleteSchema' }));
  });

  it('GetInventory filters: Equal, NotEqual, BeginWith, version LessThan/GreaterThan, numbers, Exists, registry attributes', async () => {
    const ids = async (filters: Array<{ Key: string; Values: string[]; Type?: string }>) =>
      ((await ssm.send(new GetInventoryCommand({ Filters: filters as never }))).Entities ?? []).map((entity) => entity.Id);
    assert.deepEqual(await ids([{ Key: 'AWS:Application.Name', Values: ['openssl'], Type: 'Equal' }]), [hosts[0], hosts[1]]);
    // "openssl older than 3.0.7": 3.0.2 is, 3.0.11 is not (numeric runs), on the same row as the name.
    assert.deepEqual(await ids([{ Key: 'AWS:Application.Name', Values: ['openssl'], Type: 'Equal' }, { Key: 'AWS:Application.Version', Values: ['3.0.7'], Type: 'LessThan' }]), [hosts[0]]);
    assert.deepEqual(await ids([{ Key: 'AWS:Application.Name', Values: ['openssl'], Type: 'Equal' }, { Key: 'AWS:Application.Version', Values: ['3.0.7'], Type: 'GreaterThan' }]), [hosts[1]]);
    assert.deepEqual(await ids([{ Key: 'AWS:Application.Name', Values: ['Power'], Type: 'BeginWith' }]), [hosts[2]]);
    assert.deepEqual(await ids([{ Key: 'AWS:InstanceInformation.PlatformType', Values: ['Linux'], Type: 'NotEqual' }]), [hosts[2]]);
    assert.deepEqual(await ids([{ Key: 'AWS:InstanceInformation.InstanceId', Values: [hosts[1]!], Type: 'Equal' }]), [hosts[1]]);
    assert.deepEqual(await ids([{ Key: 'AWS:InstanceDetailedInformation.CPUCores', Values: ['10'], Type: 'GreaterThan' }]), [hosts[1], hosts[2]], 'numbers compare as numbers: 16 > 10 > 4');
    assert.deepEqual(await ids([{ Key: 'TypeName', Values: ['Custom:RackInfo'], Type: 'Exists' }]), [hosts[0]]);

    // Without ResultAttributes each entity carries AWS:InstanceInformation from the registry.
    const all = await ssm.send(new GetInventoryCommand({}));
    const info = all.Entities?.[2]?.Data?.['AWS:InstanceInformation'];
    assert.equal(info?.Content?.[0]?.PlatformName, 'Microsoft Windows Server 2022 Datacenter');
    assert.equal(info?.Content?.[0]?.InstanceId, hosts[2]);
    assert.equal(info?.Content?.[0]?.ResourceType, 'ManagedInstance');
    // With ResultAttributes, the named type's rows that the filters on it select.
    const withRows = await ssm.send(new GetInventoryCommand({ Filters: [{ Key: 'AWS:Application.Name', Values: ['bash'], Type: 'Equal' }], ResultAttributes: [{ TypeName: 'AWS:Application' }] }));
    assert.deepEqual(withRows.Entities?.map((e) => e.Data?.['AWS:Application']?.Content?.map((row) => `${row.Name} ${row.Version}`)), [['bash 5.1-6ubuntu1'], ['bash 5.2.15-2+b7']]);

    await sdkError(ssm.send(new GetInventoryCommand({ Filters: [{ Key: 'AWS:Application.Colour', Values: ['red'] }] })), InvalidFilter, /has no attribute "Colour"/);
    await sdkError(ssm.send(new GetInventoryCommand({ Filters: [{ Key: 'Name', Values: ['x'] }] })), InvalidFilter, /is not TypeName or <type>.<attribute>/);
    await sdkError(ssm.send(new GetInventoryCommand({ Filters: [{ Key: 'AWS:Application.Version', Values: ['1', '2'], Type: 'LessThan' }] })), InvalidFilter, /exactly one value/);
    await sdkError(ssm.send(new GetInventoryCommand({ ResultAttributes: [{ TypeName: 'Custom:Nope' }] })), InvalidResultAttributeException);
  });

  it('GetInventory pages with NextToken and MaxResults', async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateGetInventory({ client: ssm, pageSize: 2 }, {})) {
      pages++;
      seen.push(...(page.Entities ?? []).map((entity: InventoryResultEntity) => entity.Id!));
    }
    assert.deepEqual(seen, hosts);
    assert.equal(pages, 2);
  });

  it('GetInventory aggregators: counts per value, nested across types, and groups', async () => {
    const byName = await ssm.send(new GetInventoryCommand({ Aggregators: [{ Expression: 'AWS:Application.Name' }] }));
    const counts = Object.fromEntries((byName.Entities?.[0]?.Data?.['AWS:Application']?.Content ?? []).map((row) => [row.Name, row.Count]));
    assert.deepEqual(counts, { bash: '2', curl: '1', OpenSSL: '1', openssl: '2', 'PowerShell 7': '1' });

    const nested = await ssm.send(new GetInventoryCommand({ Aggregators: [{ Expression: 'AWS:InstanceInformation.PlatformType', Aggregators: [{ Expression: 'AWS:Application.Name' }] }], Filters: [{ Key: 'AWS:Application.Name', Values: ['bash', 'PowerShell 7'] }] }));
    assert.deepEqual(nested.Entities?.[0]?.Data?.['AWS:InstanceInformation']?.Content, [
      { PlatformType: 'Linux', Name: 'bash', Count: '2' },
      { PlatformType: 'Windows', Name: 'PowerShell 7', Count: '1' },
    ]);

    const groups = await ssm.send(new GetInventoryCommand({ Aggregators: [{ Groups: [{ Name: 'HasRack', Filters: [{ Key: 'TypeName', Values: ['Custom:RackInfo'], Type: 'Exists' }] }, { Name: 'OldOpenssl', Filters: [{ Key: 'AWS:Application.Name', Values: ['openssl'] }, { Key: 'AWS:Application.Version', Values: ['3.0.7'], Type: 'LessThan' }] }] }] }));
    assert.deepEqual(groups.Entities?.[0]?.Data?.HasRack?.Content, [{ notMatchingCount: '2' }, { matchingCount: '1' }]);
    assert.deepEqual(groups.Entities?.[0]?.Data?.OldOpenssl?.Content, [{ notMatchingCount: '2' }, { matchingCount: '1' }]);

    await sdkError(ssm.send(new GetInventoryCommand({ Aggregators: [{ Expression: 'AWS:Application' }] })), InvalidAggregatorException);
    await sdkError(ssm.send(new GetInventoryCommand({ Aggregators: [{ Groups: [{ Name: 'a', Filters: [{ Key: 'TypeName', Values: ['AWS:Application'], Type: 'Exists' }] }, { Name: 'a', Filters: [{ Key: 'TypeName', Values: ['AWS:Network'], Type: 'Exists' }] }] }] })), InvalidInventoryGroupException);
  });

  it('DeleteInventory: data only (idempotent by ClientToken), DryRun, DisableSchema, DeleteSchema; DescribeInventoryDeletions; history records it', async () => {
    await put(hosts[0]!, [custom('Custom:Owner', [{ Team: 'payments' }])]);
    await put(hosts[1]!, [custom('Custom:Owner', [{ Team: 'search' }])]);
    await sdkError(ssm.send(new DeleteInventoryCommand({ TypeName: 'AWS:Application' })), InvalidTypeNameException);
    await sdkError(ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Owner', SchemaDeleteOption: 'Shred' as never })), InvalidOptionException);

    // Without SchemaDeleteOption only the data goes; the schema stays. The same ClientToken is the same deletion.
    await put(hosts[2]!, [custom('Custom:Temp', [{ Note: 'x' }])]);
    const token = '0b5e3a4c-1d2e-4f50-8a6b-7c8d9e0f1a2b';
    const dataOnly = await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Temp', ClientToken: token }));
    assert.deepEqual(dataOnly.DeletionSummary, { TotalCount: 1, RemainingCount: 0, SummaryItems: [{ Version: '1.0', Count: 1, RemainingCount: 0 }] });
    assert.deepEqual((await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[2], TypeName: 'Custom:Temp' }))).Entries, []);
    assert.equal((await ssm.send(new GetInventorySchemaCommand({ TypeName: 'Custom:Temp' }))).Schemas?.length, 1);
    assert.equal((await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Temp', ClientToken: token }))).DeletionId, dataOnly.DeletionId);
    await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Temp', SchemaDeleteOption: 'DeleteSchema' }));

    const dry = await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Owner', DryRun: true }));
    assert.deepEqual(dry.DeletionSummary, { TotalCount: 2, RemainingCount: 2, SummaryItems: [{ Version: '1.0', Count: 2, RemainingCount: 2 }] });
    assert.equal((await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[0], TypeName: 'Custom:Owner' }))).Entries?.length, 1, 'a dry run deletes nothing');

    const disabled = await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Owner', SchemaDeleteOption: 'DisableSchema' }));
    assert.equal(disabled.DeletionSummary?.RemainingCount, 0);
    assert.deepEqual((await ssm.send(new ListInventoryEntriesCommand({ InstanceId: hosts[0], TypeName: 'Custom:Owner' }))).Entries, []);
    await sdkError(put(hosts[0]!, [custom('Custom:Owner', [{ Team: 'payments' }])]), UnsupportedInventorySchemaVersionException, /disabled through schema version 1.0/);
    await put(hosts[0]!, [custom('Custom:Owner', [{ Team: 'payments' }], '1.1')]);

    const deleted = await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Owner', SchemaDeleteOption: 'DeleteSchema' }));
    await sdkError(ssm.send(new GetInventorySchemaCommand({ TypeName: 'Custom:Owner' })), InvalidTypeNameException);
    const described = await ssm.send(new DescribeInventoryDeletionsCommand({ DeletionId: deleted.DeletionId }));
    assert.equal(described.InventoryDeletions?.[0]?.LastStatus, 'Complete');
    assert.equal(described.InventoryDeletions?.[0]?.TypeName, 'Custom:Owner');
    assert.ok(described.InventoryDeletions?.[0]?.DeletionStartTime instanceof Date);
    // Newest first, in pages that go on from the last deletion shown: one started between pages repeats none.
    const newest = await ssm.send(new DescribeInventoryDeletionsCommand({ MaxResults: 1 }));
    assert.deepEqual(newest.InventoryDeletions?.map((d) => d.DeletionId), [deleted.DeletionId]);
    await put(hosts[2]!, [custom('Custom:Later', [{ Note: 'y' }])]);
    await ssm.send(new DeleteInventoryCommand({ TypeName: 'Custom:Later', SchemaDeleteOption: 'DeleteSchema' }));
    const rest = (await ssm.send(new DescribeInventoryDeletionsCommand({ NextToken: newest.NextToken }))).InventoryDeletions?.map((d) => d.DeletionId) ?? [];
    assert.ok(!rest.includes(deleted.DeletionId!), 'the deletion shown is not shown again');
    assert.ok(rest.includes(disabled.DeletionId!) && rest.includes(dataOnly.DeletionId!));

    const history = await tender<{ Entries: Array<{ TypeName: string; Reason?: string; Added: unknown[]; Removed: Array<Record<string, string>> }> }>('GetInventoryHistory', { InstanceId: hosts[0], TypeName: 'Custom:Owner' });
    assert.deepEqual(history.Entries.map((e) => [e.Reason ?? 'upload', e.Added.length, e.Removed.length]), [['DeleteInventory', 0, 1], ['upload', 1, 0], ['DeleteInventory', 0, 1], ['upload', 1, 0]]);
  });

  it('Tender.GetInventoryHistory: what changed on a host and when, newest first, paged', async () => {
    const rows = [app('openssl', '3.0.2-0ubuntu1.15'), app('bash', '5.1-6ubuntu1'), app('curl', '7.81.0-1ubuntu1.16')];
    const next = [app('openssl', '3.0.2-0ubuntu1.18'), app('bash', '5.1-6ubuntu1'), app('nginx', '1.24.0-2')];
    const ack = await cp.inventory.receiveUpload(hosts[0]!, { uploadId: 'second', items: [item('AWS:Application', next)] });
    assert.deepEqual(ack.accepted, ['AWS:Application']);
    const page = await tender<{ Entries: Array<{ Time: string; Added: unknown[]; Removed: unknown[]; Changed: Array<{ Before: Record<string, string>; After: Record<string, string> }> }>; NextToken?: string }>('GetInventoryHistory', { InstanceId: hosts[0], TypeName: 'AWS:Application', MaxResults: 1 });
    assert.equal(page.Entries.length, 1);
    const [latest] = page.Entries;
    assert.deepEqual(latest!.Added, [next[2]]);
    assert.deepEqual(latest!.Removed, [rows[2]]);
    assert.deepEqual(latest!.Changed, [{ Before: rows[0], After: next[0] }]);
    assert.ok(!Number.isNaN(Date.parse(latest!.Time)));
    // A newer change between pages: the next page goes on from the entry shown (an offset would show it again).
    await cp.inventory.receiveUpload(hosts[0]!, { uploadId: 'third', items: [item('AWS:Application', [...next, app('zsh', '5.8.1-1')])] });
    const older = await tender<{ Entries: Array<{ Added: unknown[] }> }>('GetInventoryHistory', { InstanceId: hosts[0], TypeName: 'AWS:Application', NextToken: page.NextToken });
    assert.deepEqual(older.Entries.map((e) => e.Added.length), [3]);
    await assert.rejects(tender('GetInventoryHistory', { InstanceId: 'mi-0123456789abcdef0' }), /InvalidInstanceId/);
  });
});
