/**
 * The compliance service through its operations: PutComplianceItems (COMPLETE and PARTIAL, ItemContentHash,
 * SSM's limits), ListComplianceItems, ListComplianceSummaries, ListResourceComplianceSummaries, filters,
 * pagination, the in-process ComplianceRecorder, persistence and removal on deregistration.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Input, Operation } from '../src/api/operation.js';
import { ComplianceService, complianceOperations, MAX_CUSTOM_TYPES, MAX_ITEM_BYTES, type ComplianceRecorder } from '../src/compliance/index.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, testContext } from './support/operation-harness.js';

const WEB = 'mi-0123456789abcdef1';
const DB = 'mi-0123456789abcdef2';
const GONE = 'mi-0123456789abcdef9';
const T1 = Date.parse('2030-01-01T10:00:00Z') / 1000;
const T2 = Date.parse('2030-01-02T10:00:00Z') / 1000;

interface Item {
  ComplianceType: string;
  ResourceId: string;
  ResourceType: string;
  Id?: string;
  Title?: string;
  Severity: string;
  Status: string;
  Details?: Record<string, string>;
  ExecutionSummary: { ExecutionTime: number; ExecutionId?: string; ExecutionType?: string };
}
type Severities = { CriticalCount: number; HighCount: number; MediumCount: number; LowCount: number; InformationalCount: number; UnspecifiedCount: number };
interface TypeSummary {
  ComplianceType: string;
  CompliantSummary: { CompliantCount: number; SeveritySummary: Severities };
  NonCompliantSummary: { NonCompliantCount: number; SeveritySummary: Severities };
}
interface ResourceSummary extends TypeSummary {
  ResourceId: string;
  ResourceType: string;
  Status: string;
  OverallSeverity: string;
  ExecutionSummary: { ExecutionTime: number; ExecutionId?: string };
}

const severities = (counts: Partial<Severities> = {}): Severities => ({ CriticalCount: 0, HighCount: 0, MediumCount: 0, LowCount: 0, InformationalCount: 0, UnspecifiedCount: 0, ...counts });

describe('compliance', () => {
  let dir: string;
  let store: FileStore;
  let service: ComplianceService;
  let ops: Map<string, Operation>;
  const registered = new Set([WEB, DB]);

  async function open(): Promise<void> {
    service = await ComplianceService.open({ store, resourceExists: (id) => registered.has(id) });
    ops = new Map(complianceOperations(service, (id) => registered.has(id)).map((op) => [op.name, op]));
  }

  function call(name: string, input: Input): Promise<unknown> {
    const op = ops.get(name);
    assert.ok(op, `no operation ${name}`);
    return op.handle(input, testContext);
  }

  const put = (input: Partial<Input> & { Items: unknown[] }) =>
    call('PutComplianceItems', { ResourceId: WEB, ResourceType: 'ManagedInstance', ComplianceType: 'Custom:Config', ExecutionSummary: { ExecutionTime: T1 }, ...input });
  const items = async (input: Input = {}) => (await call('ListComplianceItems', input)) as { ComplianceItems: Item[]; NextToken?: string };
  const ids = async (input: Input = {}) => (await items(input)).ComplianceItems.map((item) => `${item.ResourceId === WEB ? 'web' : 'db'}:${item.Id}`);
  const summaries = async (input: Input = {}) => ((await call('ListComplianceSummaries', input)) as { ComplianceSummaryItems: TypeSummary[] }).ComplianceSummaryItems;
  const resources = async (input: Input = {}) => (await call('ListResourceComplianceSummaries', input)) as { ResourceComplianceSummaryItems: ResourceSummary[]; NextToken?: string };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-compliance-'));
    store = await FileStore.open(dir);
    await open();
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a put and lists its items as SSM shows them', async () => {
    await put({
      ExecutionSummary: { ExecutionTime: T1, ExecutionId: 'run-1', ExecutionType: 'Command' },
      Items: [
        { Id: 'sshd', Title: 'sshd hardened', Severity: 'HIGH', Status: 'NON_COMPLIANT', Details: { DocumentName: 'Harden', Reason: 'PermitRootLogin yes' } },
        { Id: 'ntp', Severity: 'LOW', Status: 'COMPLIANT' },
      ],
    });
    const listed = await items({ ResourceIds: [WEB], ResourceTypes: ['ManagedInstance'] });
    assert.deepEqual(listed.ComplianceItems, [
      {
        ComplianceType: 'Custom:Config',
        ResourceType: 'ManagedInstance',
        ResourceId: WEB,
        ExecutionSummary: { ExecutionTime: T1, ExecutionId: 'run-1', ExecutionType: 'Command' },
        Id: 'sshd',
        Title: 'sshd hardened',
        Severity: 'HIGH',
        Status: 'NON_COMPLIANT',
        Details: { DocumentName: 'Harden', Reason: 'PermitRootLogin yes' },
      },
      { ComplianceType: 'Custom:Config', ResourceType: 'ManagedInstance', ResourceId: WEB, ExecutionSummary: { ExecutionTime: T1, ExecutionId: 'run-1', ExecutionType: 'Command' }, Id: 'ntp', Severity: 'LOW', Status: 'COMPLIANT' },
    ]);
    assert.equal(listed.NextToken, undefined);
    assert.deepEqual(await ids({ ResourceIds: [DB] }), []);
  });

  it('COMPLETE replaces every item of the type, PARTIAL only those it names, and other types stay', async () => {
    await put({ Items: [{ Id: 'a', Severity: 'LOW', Status: 'COMPLIANT' }, { Id: 'b', Severity: 'LOW', Status: 'COMPLIANT' }] });
    await put({ ComplianceType: 'Association', Items: [{ Id: 'assoc-1', Severity: 'MEDIUM', Status: 'COMPLIANT' }] });
    await put({ UploadType: 'PARTIAL', Items: [{ Id: 'b', Severity: 'HIGH', Status: 'NON_COMPLIANT' }, { Id: 'c', Severity: 'LOW', Status: 'COMPLIANT' }] });
    const partial = (await items({ ResourceIds: [WEB] })).ComplianceItems.map((item) => `${item.ComplianceType}:${item.Id}:${item.Status}`);
    assert.deepEqual(partial, ['Association:assoc-1:COMPLIANT', 'Custom:Config:a:COMPLIANT', 'Custom:Config:b:NON_COMPLIANT', 'Custom:Config:c:COMPLIANT']);

    await put({ Items: [{ Id: 'z', Severity: 'LOW', Status: 'COMPLIANT' }] });
    assert.deepEqual(await ids({ Filters: [{ Key: 'ComplianceType', Values: ['Custom:Config'] }] }), ['web:z']);

    // A complete upload of nothing removes the type from the resource.
    await put({ Items: [] });
    assert.deepEqual(await ids(), ['web:assoc-1']);
    assert.deepEqual((await summaries()).map((s) => s.ComplianceType), ['Association']);
  });

  it('ignores a put whose ItemContentHash matches the stored one', async () => {
    await put({ ItemContentHash: 'hash-1', Items: [{ Id: 'a', Severity: 'LOW', Status: 'COMPLIANT' }] });
    await put({ ItemContentHash: 'hash-1', Items: [{ Id: 'b', Severity: 'LOW', Status: 'COMPLIANT' }] });
    assert.deepEqual(await ids(), ['web:a']);
    await put({ ItemContentHash: 'hash-2', Items: [{ Id: 'b', Severity: 'LOW', Status: 'COMPLIANT' }] });
    assert.deepEqual(await ids(), ['web:b']);
  });

  it('refuses bad input with SSM errors and writes nothing', async () => {
    await put({ Items: [{ Id: 'keep', Severity: 'LOW', Status: 'COMPLIANT' }] });
    const good = [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT' }];
    await apiError(put({ ResourceType: 'EC2Instance', Items: good }), 'InvalidResourceType', /ManagedInstance/);
    await apiError(put({ ResourceId: GONE, Items: good }), 'InvalidResourceId', new RegExp(GONE));
    await apiError(put({ ComplianceType: 'Custom:', Items: good }), 'ValidationException', /complianceType/);
    await apiError(put({ ComplianceType: 'Bad Type', Items: good }), 'ValidationException', /complianceType/);
    await apiError(put({ ExecutionSummary: {}, Items: good }), 'ValidationException', /executionTime/);
    await apiError(put({ ExecutionSummary: undefined, Items: good }), 'ValidationException', /executionSummary/);
    await apiError(put({ Items: [{ Id: 'x', Severity: 'SEVERE', Status: 'COMPLIANT' }] }), 'ValidationException', /severity.*enum/);
    await apiError(put({ Items: [{ Id: 'x', Severity: 'LOW' }] }), 'ValidationException', /status.*not be null/);
    await apiError(put({ Items: [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT', Title: 't'.repeat(501) }] }), 'ValidationException', /title/);
    await apiError(put({ Items: [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT', Details: { ['k'.repeat(65)]: 'v' } }] }), 'ValidationException', /details/);
    await apiError(put({ UploadType: 'SOME', Items: good }), 'ValidationException', /uploadType/);
    await apiError(put({ Items: [...good, ...good] }), 'InvalidItemContentException', /x appears more than once/);
    await apiError(put({ UploadType: 'PARTIAL', Items: [{ Severity: 'LOW', Status: 'COMPLIANT' }] }), 'InvalidItemContentException', /no Id/);
    const huge = { Id: 'big', Severity: 'LOW', Status: 'COMPLIANT', Details: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(4096)])) };
    await apiError(put({ Items: [huge] }), 'ItemSizeLimitExceededException', new RegExp(`big.*${MAX_ITEM_BYTES}`));
    await apiError(put({ Items: Array.from({ length: 10_001 }, (_, i) => ({ Id: `i${i}`, Severity: 'LOW', Status: 'COMPLIANT' })) }), 'ValidationException', /10000/);
    assert.deepEqual(await ids(), ['web:keep']);
  });

  it(`allows ${MAX_CUSTOM_TYPES} custom types per resource, not more`, async () => {
    const good = [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT' }];
    for (let i = 1; i < MAX_CUSTOM_TYPES; i++) await put({ ComplianceType: `Custom:T${i}`, Items: good }); // plus Custom:Config below
    await put({ Items: good });
    await put({ ComplianceType: 'Association', Items: good }); // not custom: does not count
    await apiError(put({ ComplianceType: 'Custom:Eleventh', Items: good }), 'ComplianceTypeCountLimitExceededException', /at most 10/);
    await put({ ComplianceType: 'Custom:T1', Items: [{ Id: 'y', Severity: 'LOW', Status: 'COMPLIANT' }] }); // rewriting an existing one is fine
    await put({ ResourceId: DB, ComplianceType: 'Custom:Eleventh', Items: good }); // the limit is per resource
    await put({ ComplianceType: 'Custom:T1', Items: [] });
    await put({ ComplianceType: 'Custom:Eleventh', Items: good });
  });

  it('holds the custom type limit when puts to one resource arrive at once', async () => {
    const good = [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT' }];
    const results = await Promise.allSettled(Array.from({ length: MAX_CUSTOM_TYPES + 2 }, (_, i) => put({ ComplianceType: `Custom:Race${i}`, Items: good })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, MAX_CUSTOM_TYPES);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(refused.map((r) => (r.reason as { code: string }).code), ['ComplianceTypeCountLimitExceededException', 'ComplianceTypeCountLimitExceededException']);
    assert.equal((await resources({ Filters: [{ Key: 'ResourceId', Values: [WEB] }] })).ResourceComplianceSummaryItems.length, MAX_CUSTOM_TYPES);
  });

  it('filters items with EQUAL, NOT_EQUAL, BEGIN_WITH, LESS_THAN and GREATER_THAN', async () => {
    await put({
      Items: [
        { Id: 'crit', Severity: 'CRITICAL', Status: 'NON_COMPLIANT' },
        { Id: 'high', Severity: 'HIGH', Status: 'COMPLIANT' },
        { Id: 'med', Severity: 'MEDIUM', Status: 'NON_COMPLIANT' },
        { Id: 'low', Severity: 'LOW', Status: 'COMPLIANT' },
      ],
    });
    await put({ ResourceId: DB, ComplianceType: 'Patch', ExecutionSummary: { ExecutionTime: T2, ExecutionType: 'Command' }, Items: [{ Id: 'KB1', Title: 'Security update', Severity: 'CRITICAL', Status: 'COMPLIANT' }] });
    // Resources come in id order (web's id sorts before db's), items as uploaded.
    assert.deepEqual(await ids({ Filters: [{ Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' }] }), ['web:crit', 'web:med']);
    assert.deepEqual(await ids({ Filters: [{ Key: 'Severity', Values: ['MEDIUM'], Type: 'GREATER_THAN' }] }), ['web:crit', 'web:high', 'db:KB1']);
    assert.deepEqual(await ids({ Filters: [{ Key: 'Severity', Values: ['HIGH'], Type: 'LESS_THAN' }] }), ['web:med', 'web:low']);
    assert.deepEqual(await ids({ Filters: [{ Key: 'Severity', Values: ['CRITICAL', 'LOW'], Type: 'NOT_EQUAL' }] }), ['web:high', 'web:med']);
    assert.deepEqual(await ids({ Filters: [{ Key: 'Title', Values: ['Secur'], Type: 'BEGIN_WITH' }] }), ['db:KB1']);
    // As AWS CLI's examples filter: by type and Id, and by time after an ISO instant.
    assert.deepEqual(await ids({ Filters: [{ Key: 'ComplianceType', Values: ['Patch'], Type: 'EQUAL' }, { Key: 'Id', Values: ['KB1'], Type: 'EQUAL' }] }), ['db:KB1']);
    assert.deepEqual(await ids({ Filters: [{ Key: 'ExecutionTime', Values: ['2030-01-02T00:00:00Z'], Type: 'GREATER_THAN' }] }), ['db:KB1']);
    assert.deepEqual(
      await ids({ Filters: [{ Key: 'Status', Values: ['COMPLIANT'] }, { Key: 'ComplianceType', Values: ['Custom:'], Type: 'BEGIN_WITH' }] }),
      ['web:high', 'web:low'],
    );
    await apiError(items({ Filters: [{ Key: 'Colour', Values: ['red'] }] }), 'InvalidFilter', /Colour.*ComplianceType/);
    await apiError(items({ Filters: [{ Key: 'Severity', Values: ['SEVERE'] }] }), 'InvalidFilter', /not a severity/);
    await apiError(items({ Filters: [{ Key: 'Severity', Values: ['LOW'], Type: 'LIKE' }] }), 'InvalidFilter', /EQUAL, NOT_EQUAL/);
    await apiError(items({ Filters: [{ Key: 'Severity', Values: [] }] }), 'InvalidFilter', /1 to 20/);
    await apiError(items({ ResourceTypes: ['EC2Instance'] }), 'InvalidResourceType');
    await apiError(items({ ResourceIds: [GONE] }), 'InvalidResourceId');
  });

  it('pages through items, and refuses a token from another operation', async () => {
    await put({ Items: Array.from({ length: 120 }, (_, i) => ({ Id: `item-${String(i).padStart(3, '0')}`, Severity: 'LOW', Status: 'COMPLIANT' })) });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await items({ ResourceIds: [WEB], MaxResults: 50, NextToken: token });
      seen.push(...page.ComplianceItems.map((item) => item.Id!));
      token = page.NextToken;
      pages += 1;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 120);
    const first = await items({ MaxResults: 1 });
    await apiError(resources({ NextToken: first.NextToken }), 'InvalidNextToken');
    await apiError(items({ MaxResults: 51 }), 'ValidationException');
  });

  it('summarises per type by resource and per resource by item', async () => {
    // web: Custom:Config non-compliant (worst non-compliant item HIGH); db: compliant (highest item CRITICAL).
    await put({ Items: [{ Id: 'a', Severity: 'HIGH', Status: 'NON_COMPLIANT' }, { Id: 'b', Severity: 'LOW', Status: 'NON_COMPLIANT' }, { Id: 'c', Severity: 'CRITICAL', Status: 'COMPLIANT' }] });
    await put({ ResourceId: DB, ExecutionSummary: { ExecutionTime: T2, ExecutionId: 'run-2' }, Items: [{ Id: 'a', Severity: 'CRITICAL', Status: 'COMPLIANT' }, { Id: 'b', Severity: 'LOW', Status: 'COMPLIANT' }] });
    await put({ ComplianceType: 'Patch', Items: [{ Id: 'KB1', Severity: 'MEDIUM', Status: 'COMPLIANT' }] });

    assert.deepEqual(await summaries(), [
      {
        ComplianceType: 'Custom:Config',
        CompliantSummary: { CompliantCount: 1, SeveritySummary: severities({ CriticalCount: 1 }) },
        NonCompliantSummary: { NonCompliantCount: 1, SeveritySummary: severities({ HighCount: 1 }) },
      },
      {
        ComplianceType: 'Patch',
        CompliantSummary: { CompliantCount: 1, SeveritySummary: severities({ MediumCount: 1 }) },
        NonCompliantSummary: { NonCompliantCount: 0, SeveritySummary: severities() },
      },
    ]);
    assert.deepEqual((await summaries({ Filters: [{ Key: 'ComplianceType', Values: ['Patch'] }] })).map((s) => s.ComplianceType), ['Patch']);
    const onlyDb = await summaries({ Filters: [{ Key: 'ResourceId', Values: [DB] }] });
    assert.deepEqual(onlyDb.map((s) => [s.ComplianceType, s.CompliantSummary.CompliantCount, s.NonCompliantSummary.NonCompliantCount]), [['Custom:Config', 1, 0]]);

    const all = (await resources()).ResourceComplianceSummaryItems;
    assert.deepEqual(all.map((r) => `${r.ResourceId === WEB ? 'web' : 'db'}:${r.ComplianceType}:${r.Status}:${r.OverallSeverity}`), [
      'web:Custom:Config:NON_COMPLIANT:HIGH',
      'web:Patch:COMPLIANT:MEDIUM',
      'db:Custom:Config:COMPLIANT:CRITICAL',
    ]);
    const web = all.find((r) => r.ResourceId === WEB && r.ComplianceType === 'Custom:Config')!;
    assert.deepEqual(web.CompliantSummary, { CompliantCount: 1, SeveritySummary: severities({ CriticalCount: 1 }) });
    assert.deepEqual(web.NonCompliantSummary, { NonCompliantCount: 2, SeveritySummary: severities({ HighCount: 1, LowCount: 1 }) });
    assert.equal(web.ResourceType, 'ManagedInstance');
    assert.deepEqual(all.find((r) => r.ResourceId === DB)!.ExecutionSummary, { ExecutionTime: T2, ExecutionId: 'run-2' });

    const nonCompliant = (await resources({ Filters: [{ Key: 'Status', Values: ['NON_COMPLIANT'] }] })).ResourceComplianceSummaryItems;
    assert.deepEqual(nonCompliant.map((r) => r.ResourceId), [WEB]);
    const severe = (await resources({ Filters: [{ Key: 'OverallSeverity', Values: ['HIGH'], Type: 'GREATER_THAN' }] })).ResourceComplianceSummaryItems;
    assert.deepEqual(severe.map((r) => r.ResourceId), [DB]);
    const paged = await resources({ MaxResults: 2 });
    assert.equal(paged.ResourceComplianceSummaryItems.length, 2);
    assert.equal((await resources({ NextToken: paged.NextToken })).ResourceComplianceSummaryItems.length, 1);
    await apiError(resources({ Filters: [{ Key: 'Severity', Values: ['HIGH'] }] }), 'InvalidFilter', /OverallSeverity/);

    // A later write moves the resource between the counts rather than adding to them.
    await put({ Items: [{ Id: 'a', Severity: 'HIGH', Status: 'COMPLIANT' }] });
    const after = (await summaries()).find((s) => s.ComplianceType === 'Custom:Config')!;
    assert.deepEqual([after.CompliantSummary.CompliantCount, after.NonCompliantSummary.NonCompliantCount], [2, 0]);
    assert.deepEqual(after.CompliantSummary.SeveritySummary, severities({ CriticalCount: 1, HighCount: 1 }));
  });

  it('ListResourceComplianceSummaries and ListComplianceItems go on from the last one shown: a host that reports between pages repeats none', async () => {
    const early = 'mi-0123456789abcdef0'; // sorts before WEB and DB
    registered.add(early);
    try {
      await put({ Items: [{ Id: 'a', Severity: 'HIGH', Status: 'COMPLIANT' }] });
      await put({ ResourceId: DB, Items: [{ Id: 'a', Severity: 'HIGH', Status: 'COMPLIANT' }] });
      const first = await resources({ MaxResults: 1 });
      assert.deepEqual(first.ResourceComplianceSummaryItems.map((r) => r.ResourceId), [WEB]);
      await put({ ResourceId: early, Items: [{ Id: 'a', Severity: 'HIGH', Status: 'COMPLIANT' }] }); // an offset of 1 would show WEB again
      const second = await resources({ MaxResults: 1, NextToken: first.NextToken });
      assert.deepEqual(second.ResourceComplianceSummaryItems.map((r) => r.ResourceId), [DB]);
      assert.equal(second.NextToken, undefined);

      // ListComplianceItems too, item by item within an upload.
      await put({ Items: [{ Id: 'a', Severity: 'HIGH', Status: 'COMPLIANT' }, { Id: 'b', Severity: 'LOW', Status: 'COMPLIANT' }] });
      const firstItems = await items({ MaxResults: 2 });
      assert.deepEqual(firstItems.ComplianceItems.map((item) => [item.ResourceId, item.Id]), [[early, 'a'], [WEB, 'a']]);
      await put({ ResourceId: early, ComplianceType: 'Custom:Other', Items: [{ Id: 'z', Severity: 'LOW', Status: 'COMPLIANT' }] });
      const rest: string[][] = [];
      let token = firstItems.NextToken;
      while (token) {
        const page = await items({ MaxResults: 1, NextToken: token }); // an offset of 2 would show WEB's 'a' again
        rest.push(...page.ComplianceItems.map((item) => [item.ResourceId, item.Id!]));
        token = page.NextToken;
      }
      assert.deepEqual(rest, [[WEB, 'b'], [DB, 'a']]);
    } finally {
      registered.delete(early);
    }
  });

  it('records through the in-process ComplianceRecorder with the same rules', async () => {
    const recorder: ComplianceRecorder = service;
    await recorder.put({
      ResourceId: DB,
      ResourceType: 'ManagedInstance',
      ComplianceType: 'Association',
      ExecutionSummary: { ExecutionTime: new Date(T2 * 1000), ExecutionId: 'exec-1', ExecutionType: 'Command' },
      Items: [{ Id: 'assoc-1', Title: 'Harden', Severity: 'UNSPECIFIED', Status: 'NON_COMPLIANT', Details: { DocumentName: 'Harden', DocumentVersion: '1' } }],
    });
    const [item] = (await items({ ResourceIds: [DB] })).ComplianceItems;
    assert.deepEqual(item?.ExecutionSummary, { ExecutionTime: T2, ExecutionId: 'exec-1', ExecutionType: 'Command' });
    assert.equal(item?.Status, 'NON_COMPLIANT');
    await apiError(recorder.put({ ResourceId: GONE, ResourceType: 'ManagedInstance', ComplianceType: 'Association', ExecutionSummary: { ExecutionTime: new Date() }, Items: [] }), 'InvalidResourceId');
    await apiError(recorder.put({ ResourceId: DB, ResourceType: 'ManagedInstance', ComplianceType: 'Association', ExecutionSummary: { ExecutionTime: new Date('nonsense') }, Items: [] }), 'SerializationException');
  });

  it('keeps what was recorded across a restart and forgets a deregistered instance', async () => {
    await put({ Items: [{ Id: 'a', Severity: 'HIGH', Status: 'NON_COMPLIANT' }] });
    await put({ ResourceId: DB, Items: [{ Id: 'a', Severity: 'LOW', Status: 'COMPLIANT' }] });
    await put({ ResourceId: DB, ComplianceType: 'Patch', Items: [{ Id: 'KB1', Severity: 'LOW', Status: 'COMPLIANT' }] });
    await store.close();
    store = await FileStore.open(dir);
    await open();
    assert.deepEqual(await ids(), ['web:a', 'db:a', 'db:KB1']);
    const before = await summaries();
    assert.deepEqual(before.map((s) => [s.ComplianceType, s.CompliantSummary.CompliantCount, s.NonCompliantSummary.NonCompliantCount]), [['Custom:Config', 1, 1], ['Patch', 1, 0]]);

    assert.equal(await service.removeResource(DB), 2);
    registered.delete(DB);
    try {
      assert.deepEqual(await ids(), ['web:a']);
      assert.deepEqual((await summaries()).map((s) => [s.ComplianceType, s.CompliantSummary.CompliantCount, s.NonCompliantSummary.NonCompliantCount]), [['Custom:Config', 0, 1]]);
      await apiError(items({ ResourceIds: [DB] }), 'InvalidResourceId');
      await store.close();
      store = await FileStore.open(dir);
      await open();
      assert.deepEqual(await ids(), ['web:a']);
    } finally {
      registered.add(DB);
    }
  });
});
