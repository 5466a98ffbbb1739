import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ActivationService, RegistrationRefused, type NewActivation } from '../src/activations/activation-service.js';
import { activationOperations } from '../src/activations/operations.js';
import type { Input, Operation } from '../src/api/operation.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2030-06-01T12:00:00.000Z');

function request(over: Partial<NewActivation> = {}): NewActivation {
  return { IamRole: 'SSMServiceRole', RegistrationLimit: 5, ExpirationDate: new Date(T0 + DAY), Tags: [], ...over };
}

async function refusal(promise: Promise<unknown>): Promise<RegistrationRefused> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistrationRefused, `expected a RegistrationRefused, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the claim to be refused');
}

describe('ActivationService', () => {
  let dir: string;
  let store: FileStore;
  let clock: ManualClock;
  let service: ActivationService;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-activations-'));
    store = await FileStore.open(dir);
    clock = new ManualClock(T0);
    service = new ActivationService(store, clock.now);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('create returns a uuid ActivationId and a 20-character code, and stores the activation', async () => {
    const { ActivationId, ActivationCode } = await service.create(request({ Description: 'lab', DefaultInstanceName: 'web' }));
    assert.match(ActivationId, UUID);
    assert.equal(ActivationCode.length, 20);
    assert.match(ActivationCode, /^[A-Za-z0-9_-]{20}$/, 'URL-safe, paste-able into a shell');
    const second = await service.create(request());
    assert.notEqual(second.ActivationId, ActivationId);
    assert.notEqual(second.ActivationCode, ActivationCode);

    const record = await service.get(ActivationId);
    assert.ok(record);
    assert.equal(record.IamRole, 'SSMServiceRole');
    assert.equal(record.Description, 'lab');
    assert.equal(record.DefaultInstanceName, 'web');
    assert.equal(record.RegistrationLimit, 5);
    assert.equal(record.RegistrationsCount, 0);
    assert.equal(record.CreatedDate, new Date(T0).toISOString());
    assert.equal(record.ExpirationDate, new Date(T0 + DAY).toISOString());
  });

  it('never stores the activation code', async () => {
    const { ActivationId, ActivationCode } = await service.create(request());
    const files = await readdir(dir);
    const text = (await Promise.all(files.map((name) => readFile(path.join(dir, name), 'utf8')))).join('\n');
    assert.ok(text.includes(ActivationId), 'the activation itself is in the store files');
    assert.ok(!text.includes(ActivationCode), `the code must not be in any file of the data directory (${files.join(', ')})`);
    const record = await service.get(ActivationId);
    assert.ok(record);
    assert.ok(!JSON.stringify(record).includes(ActivationCode));
    assert.match(record.codeHash, /^[0-9a-f]{64}$/);
  });

  it('claim() with the right code takes one registration, durably', async () => {
    const { ActivationId, ActivationCode } = await service.create(request({ RegistrationLimit: 2 }));
    const used = await service.claim(ActivationId, ActivationCode);
    assert.equal(used.ActivationId, ActivationId);
    assert.equal(used.RegistrationsCount, 1);
    const reopened = new ActivationService(await FileStore.open(dir), clock.now);
    assert.equal((await reopened.get(ActivationId))?.RegistrationsCount, 1);
  });

  it('claim() with a wrong code is refused as wrong-code and takes nothing', async () => {
    const { ActivationId, ActivationCode } = await service.create(request());
    const wrong = `${ActivationCode.slice(0, 19)}${ActivationCode.endsWith('A') ? 'B' : 'A'}`;
    const error = await refusal(service.claim(ActivationId, wrong));
    assert.equal(error.reason, 'wrong-code');
    assert.equal(error.code, 'InvalidActivation');
    assert.ok(error.message.includes(ActivationId));
    assert.match(error.message, /does not match.*check it for typos/);
    assert.equal((await service.get(ActivationId))?.RegistrationsCount, 0);
    assert.equal((await refusal(service.claim(ActivationId, ''))).reason, 'wrong-code');
  });

  it('claim() of an unknown activation is refused as unknown-activation', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const error = await refusal(service.claim(id, 'x'.repeat(20)));
    assert.equal(error.reason, 'unknown-activation');
    assert.equal(error.code, 'InvalidActivation');
    assert.match(error.message, new RegExp(`activation ${id} does not exist`));
    assert.equal(await service.get(id), undefined, 'a refused claim creates no record');
  });

  it('claim() after the expiry is refused as expired, with what to do', async () => {
    const { ActivationId, ActivationCode } = await service.create(request({ ExpirationDate: new Date(T0 + HOUR) }));
    clock.ms = T0 + HOUR - 1;
    await service.claim(ActivationId, ActivationCode); // still valid a millisecond before
    clock.ms = T0 + HOUR;
    const error = await refusal(service.claim(ActivationId, ActivationCode));
    assert.equal(error.reason, 'expired');
    assert.match(error.message, /expired at 2030-06-01T13:00:00\.000Z: create a new activation/);
    assert.equal((await service.get(ActivationId))?.RegistrationsCount, 1);
  });

  it('claim() beyond the limit is refused as limit-reached, with what to do', async () => {
    const { ActivationId, ActivationCode } = await service.create(request({ RegistrationLimit: 1 }));
    await service.claim(ActivationId, ActivationCode);
    const error = await refusal(service.claim(ActivationId, ActivationCode));
    assert.equal(error.reason, 'limit-reached');
    assert.match(error.message, /registration limit of 1: create a new activation or deregister an instance/);
  });

  it('20 concurrent claims on a limit of 5: exactly 5 succeed', async () => {
    const { ActivationId, ActivationCode } = await service.create(request({ RegistrationLimit: 5 }));
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => service.claim(ActivationId, ActivationCode)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 5);
    assert.equal(refused.length, 15);
    for (const r of refused) {
      assert.ok(r.reason instanceof RegistrationRefused);
      assert.equal(r.reason.reason, 'limit-reached');
    }
    // Each success saw a distinct count: 1..5.
    const counts = ok.map((r) => (r.status === 'fulfilled' ? r.value.RegistrationsCount : 0)).sort();
    assert.deepEqual(counts, [1, 2, 3, 4, 5]);
    const reopened = new ActivationService(await FileStore.open(dir), clock.now);
    assert.equal((await reopened.get(ActivationId))?.RegistrationsCount, 5);
  });

  it('release() gives one registration back (never below zero)', async () => {
    const { ActivationId, ActivationCode } = await service.create(request({ RegistrationLimit: 2 }));
    await service.claim(ActivationId, ActivationCode);
    await service.claim(ActivationId, ActivationCode);
    assert.equal((await refusal(service.claim(ActivationId, ActivationCode))).reason, 'limit-reached');

    await service.release(ActivationId);
    assert.equal((await service.get(ActivationId))?.RegistrationsCount, 1);
    assert.equal((await service.claim(ActivationId, ActivationCode)).RegistrationsCount, 2);
    assert.equal((await refusal(service.claim(ActivationId, ActivationCode))).reason, 'limit-reached');

    for (let i = 0; i < 4; i++) await service.release(ActivationId);
    assert.equal((await service.get(ActivationId))?.RegistrationsCount, 0);

    await service.release('00000000-0000-4000-8000-000000000000');
    assert.equal(await service.get('00000000-0000-4000-8000-000000000000'), undefined, 'releasing an unknown activation creates nothing');
  });

  it('delete() removes the activation so it can no longer be claimed', async () => {
    const { ActivationId, ActivationCode } = await service.create(request());
    assert.equal(await service.delete(ActivationId), true);
    assert.equal(await service.delete(ActivationId), false);
    assert.equal((await refusal(service.claim(ActivationId, ActivationCode))).reason, 'unknown-activation');
  });
});

describe('activationOperations', () => {
  let dir: string;
  let clock: ManualClock;
  let service: ActivationService;
  let ops: Map<string, Operation>;

  const call = (name: string, input: Input): Promise<unknown> => {
    const op = ops.get(name);
    assert.ok(op, `operation ${name} exists`);
    return op.handle(input, testContext);
  };
  const create = (input: Input) => call('CreateActivation', { IamRole: 'SSMServiceRole', ...input }) as Promise<{ ActivationId: string; ActivationCode: string }>;

  interface Described {
    ActivationId: string;
    Description?: string;
    DefaultInstanceName?: string;
    IamRole: string;
    RegistrationLimit: number;
    RegistrationsCount: number;
    ExpirationDate: number;
    Expired: boolean;
    CreatedDate: number;
    Tags: Array<{ Key: string; Value: string }>;
  }
  const describeActivations = (input: Input) => call('DescribeActivations', input) as Promise<{ ActivationList: Described[]; NextToken?: string }>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-activation-ops-'));
    clock = new ManualClock(T0);
    service = new ActivationService(await FileStore.open(dir), clock.now);
    ops = new Map(activationOperations(service, clock.now).map((op) => [op.name, op]));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('declares the three SSM operations with their resources', () => {
    assert.deepEqual([...ops.keys()].sort(), ['CreateActivation', 'DeleteActivation', 'DescribeActivations']);
    for (const op of ops.values()) assert.equal(op.service, 'AmazonSSM');
    assert.deepEqual(ops.get('CreateActivation')?.resources?.({}, testContext), ['arn:aws:ssm:us-east-1:123456789012:activation/*']);
    assert.deepEqual(ops.get('DeleteActivation')?.resources?.({ ActivationId: 'abc' }, testContext), ['arn:aws:ssm:us-east-1:123456789012:activation/abc']);
  });

  describe('CreateActivation', () => {
    it('creates an activation with defaults: limit 1, expiry 24 hours from now', async () => {
      const created = await create({ Description: 'build farm', DefaultInstanceName: 'builder', Tags: [{ Key: 'env', Value: 'lab' }] });
      assert.match(created.ActivationId, UUID);
      assert.equal(created.ActivationCode.length, 20);
      const { ActivationList } = await describeActivations({});
      assert.equal(ActivationList.length, 1);
      const a = ActivationList[0]!;
      assert.equal(a.ActivationId, created.ActivationId);
      assert.equal(a.RegistrationLimit, 1);
      assert.equal(a.RegistrationsCount, 0);
      assert.equal(a.ExpirationDate, (T0 + DAY) / 1000);
      assert.equal(a.CreatedDate, T0 / 1000);
      assert.equal(a.Expired, false);
      assert.equal(a.Description, 'build farm');
      assert.equal(a.DefaultInstanceName, 'builder');
      assert.equal(a.IamRole, 'SSMServiceRole');
      assert.deepEqual(a.Tags, [{ Key: 'env', Value: 'lab' }]);
      assert.ok(!JSON.stringify(ActivationList).includes(created.ActivationCode), 'the code is never described');
    });

    it('requires IamRole, in AWS validation style', async () => {
      await apiError(
        call('CreateActivation', { RegistrationLimit: 1 }),
        'ValidationException',
        /^1 validation error detected: Value 'null' at 'iamRole' failed to satisfy constraint: Member must not be null$/,
      );
      await apiError(call('CreateActivation', { IamRole: 'r'.repeat(65) }), 'ValidationException', /at 'iamRole' failed to satisfy constraint: Member must have length less than or equal to 64/);
      await apiError(call('CreateActivation', { IamRole: 42 }), 'SerializationException', /IamRole must be a string/);
      assert.deepEqual((await describeActivations({})).ActivationList, [], 'nothing was created');
    });

    it('refuses RegistrationLimit 0 and 1001 with ValidationException', async () => {
      await apiError(
        create({ RegistrationLimit: 0 }),
        'ValidationException',
        /^1 validation error detected: Value '0' at 'registrationLimit' failed to satisfy constraint: Member must have value greater than or equal to 1$/,
      );
      await apiError(
        create({ RegistrationLimit: 1001 }),
        'ValidationException',
        /^1 validation error detected: Value '1001' at 'registrationLimit' failed to satisfy constraint: Member must have value less than or equal to 1000$/,
      );
      await apiError(create({ RegistrationLimit: 2.5 }), 'SerializationException');
      const ok = await create({ RegistrationLimit: 1000 });
      assert.equal((await service.get(ok.ActivationId))?.RegistrationLimit, 1000);
      assert.equal((await describeActivations({})).ActivationList.length, 1, 'only the valid one was created');
    });

    it('refuses an ExpirationDate in the past or more than 30 days ahead with InvalidParameters', async () => {
      await apiError(create({ ExpirationDate: (T0 - 1000) / 1000 }), 'InvalidParameters', /ExpirationDate 2030-06-01T11:59:59\.000Z is in the past/);
      await apiError(create({ ExpirationDate: T0 / 1000 }), 'InvalidParameters', /in the past/);
      await apiError(create({ ExpirationDate: (T0 + 30 * DAY + 1000) / 1000 }), 'InvalidParameters', /at most 30 days from now/);
      await apiError(create({ ExpirationDate: 'not a date' }), 'SerializationException', /ExpirationDate must be a timestamp/);
      assert.deepEqual((await describeActivations({})).ActivationList, []);

      const edge = await create({ ExpirationDate: (T0 + 30 * DAY) / 1000 });
      assert.equal((await service.get(edge.ActivationId))?.ExpirationDate, new Date(T0 + 30 * DAY).toISOString());
      const iso = await create({ ExpirationDate: new Date(T0 + 2 * HOUR).toISOString() });
      assert.equal((await service.get(iso.ActivationId))?.ExpirationDate, new Date(T0 + 2 * HOUR).toISOString());
    });

    it('checks tags and names', async () => {
      await apiError(create({ Tags: [{ Key: 'aws:reserved', Value: 'x' }] }), 'InvalidParameters', /aws: are reserved/);
      await apiError(create({ Tags: [{ Key: '', Value: 'x' }] }), 'ValidationException', /at 'key'/);
      await apiError(create({ DefaultInstanceName: 'bad;name' }), 'ValidationException', /at 'defaultInstanceName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
      await apiError(create({ Description: 'd'.repeat(257) }), 'ValidationException', /at 'description'/);
    });
  });

  describe('DescribeActivations', () => {
    let a: string;
    let b: string;
    let c: string;

    beforeEach(async () => {
      a = (await create({ DefaultInstanceName: 'web', IamRole: 'RoleA', RegistrationLimit: 3, ExpirationDate: (T0 + HOUR) / 1000 })).ActivationId;
      clock.ms += 1000;
      b = (await create({ DefaultInstanceName: 'db', IamRole: 'RoleB', RegistrationLimit: 2, ExpirationDate: (T0 + DAY) / 1000 })).ActivationId;
      clock.ms += 1000;
      c = (await create({ IamRole: 'RoleA', RegistrationLimit: 1, ExpirationDate: (T0 + DAY) / 1000 })).ActivationId;
    });

    const ids = async (input: Input): Promise<string[]> => (await describeActivations(input)).ActivationList.map((x) => x.ActivationId);

    it('lists all activations, oldest first', async () => {
      assert.deepEqual(await ids({}), [a, b, c]);
    });

    it('filters by ActivationIds, DefaultInstanceName and IamRole (values OR, filters AND)', async () => {
      assert.deepEqual(await ids({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [b, c] }] }), [b, c]);
      assert.deepEqual(await ids({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: ['00000000-0000-4000-8000-000000000000'] }] }), []);
      assert.deepEqual(await ids({ Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: ['web'] }] }), [a]);
      assert.deepEqual(await ids({ Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: ['web', 'db'] }] }), [a, b]);
      assert.deepEqual(await ids({ Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }] }), [a, c]);
      assert.deepEqual(
        await ids({ Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }, { FilterKey: 'DefaultInstanceName', FilterValues: ['web'] }] }),
        [a],
      );
      assert.deepEqual(
        await ids({ Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleB'] }, { FilterKey: 'DefaultInstanceName', FilterValues: ['web'] }] }),
        [],
      );
    });

    it('refuses an unknown FilterKey with InvalidFilter', async () => {
      await apiError(describeActivations({ Filters: [{ FilterKey: 'Name', FilterValues: ['x'] }] }), 'InvalidFilter', /Filters\[0\]\.FilterKey "Name" is not one of ActivationIds, DefaultInstanceName, IamRole/);
      await apiError(describeActivations({ Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }, { FilterValues: ['x'] }] }), 'InvalidFilter', /Filters\[1\]/);
    });

    it('reports Expired and RegistrationsCount as they are now', async () => {
      const codeOf = await create({ RegistrationLimit: 4 });
      await service.claim(codeOf.ActivationId, codeOf.ActivationCode);
      await service.claim(codeOf.ActivationId, codeOf.ActivationCode);
      let list = (await describeActivations({})).ActivationList;
      const byId = (id: string) => list.find((x) => x.ActivationId === id)!;
      assert.equal(byId(codeOf.ActivationId).RegistrationsCount, 2);
      assert.equal(byId(codeOf.ActivationId).RegistrationLimit, 4);
      assert.equal(byId(a).RegistrationsCount, 0);
      assert.deepEqual(list.map((x) => x.Expired), [false, false, false, false]);

      clock.ms = T0 + 2 * HOUR; // a expired after one hour; the others last a day
      list = (await describeActivations({})).ActivationList;
      assert.equal(byId(a).Expired, true);
      assert.equal(byId(b).Expired, false);
      assert.equal(byId(c).Expired, false);
    });

    it('pages with MaxResults and NextToken, without duplicates', async () => {
      clock.ms += 1000;
      const d = (await create({})).ActivationId;
      clock.ms += 1000;
      const e = (await create({})).ActivationId;
      const first = await describeActivations({ MaxResults: 2 });
      assert.deepEqual(first.ActivationList.map((x) => x.ActivationId), [a, b]);
      assert.ok(first.NextToken);
      const second = await describeActivations({ MaxResults: 2, NextToken: first.NextToken });
      assert.deepEqual(second.ActivationList.map((x) => x.ActivationId), [c, d]);
      assert.ok(second.NextToken);
      const third = await describeActivations({ MaxResults: 2, NextToken: second.NextToken });
      assert.deepEqual(third.ActivationList.map((x) => x.ActivationId), [e]);
      assert.equal(third.NextToken, undefined);

      const filtered = await describeActivations({ MaxResults: 1, Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }] });
      assert.deepEqual(filtered.ActivationList.map((x) => x.ActivationId), [a]);
      const filteredNext = await describeActivations({ MaxResults: 1, NextToken: filtered.NextToken, Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }] });
      assert.deepEqual(filteredNext.ActivationList.map((x) => x.ActivationId), [c]);
      assert.equal(filteredNext.NextToken, undefined);
    });

    it('goes on from the last activation shown: one deleted or created between pages hides none and repeats none', async () => {
      const first = await describeActivations({ MaxResults: 2 });
      assert.deepEqual(first.ActivationList.map((x) => x.ActivationId), [a, b]);
      await call('DeleteActivation', { ActivationId: a }); // already shown: an offset of 2 would now skip c
      clock.ms += 1000;
      const d = (await create({})).ActivationId;
      const second = await describeActivations({ MaxResults: 2, NextToken: first.NextToken });
      assert.deepEqual(second.ActivationList.map((x) => x.ActivationId), [c, d]);
      assert.equal(second.NextToken, undefined);
    });

    it('lists activations made in the same millisecond in one order, by id', async () => {
      const same = [(await create({})).ActivationId, (await create({})).ActivationId, (await create({})).ActivationId];
      const shown: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await describeActivations({ MaxResults: 1, ...(NextToken ? { NextToken } : {}) });
        shown.push(...page.ActivationList.map((x) => x.ActivationId));
        NextToken = page.NextToken;
      } while (NextToken);
      assert.deepEqual(shown.slice(0, 2), [a, b]);
      assert.deepEqual(shown.slice(2), [c, ...same].sort(), 'c and the three made with it, by id, each once');
    });

    it('refuses MaxResults out of range and a bad NextToken', async () => {
      await apiError(describeActivations({ MaxResults: 0 }), 'ValidationException', /Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1/);
      await apiError(describeActivations({ MaxResults: 51 }), 'ValidationException', /less than or equal to 50/);
      await apiError(describeActivations({ NextToken: 'garbage!' }), 'InvalidNextToken');
    });
  });

  describe('DeleteActivation', () => {
    it('deletes an activation', async () => {
      const { ActivationId, ActivationCode } = await create({});
      assert.deepEqual(await call('DeleteActivation', { ActivationId }), {});
      assert.deepEqual((await describeActivations({})).ActivationList, []);
      assert.equal((await refusal(service.claim(ActivationId, ActivationCode))).reason, 'unknown-activation');
    });

    it('refuses a malformed id with InvalidActivationId', async () => {
      await apiError(call('DeleteActivation', { ActivationId: 'not-a-uuid' }), 'InvalidActivationId', /The activation ID not-a-uuid is not valid/);
      await apiError(call('DeleteActivation', {}), 'ValidationException', /at 'activationId'/);
    });

    it('refuses an unknown id with InvalidActivation', async () => {
      const { ActivationId } = await create({});
      await apiError(call('DeleteActivation', { ActivationId: '00000000-0000-4000-8000-000000000000' }), 'InvalidActivation', /Activation 00000000-0000-4000-8000-000000000000 does not exist/);
      await call('DeleteActivation', { ActivationId });
      await apiError(call('DeleteActivation', { ActivationId }), 'InvalidActivation', /does not exist/);
    });
  });
});
