import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Input, Operation } from '../src/api/operation.js';
import type { Tag } from '../src/api/validate.js';
import { InstanceRegistry, type InstanceRecord, type PingStatus, type PlatformInfo } from '../src/instances/instance-registry.js';
import { instanceOperations } from '../src/instances/operations.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';
import { instanceRecord } from './support/instance-records.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const ACTIVATION_A = '11111111-1111-4111-8111-111111111111';
const ACTIVATION_B = '22222222-2222-4222-8222-222222222222';

const idOf = (n: number): string => `mi-${n.toString(16).padStart(17, '0')}`;

function info(over: Partial<PlatformInfo> = {}): PlatformInfo {
  return {
    PlatformType: 'Linux',
    PlatformName: 'Ubuntu',
    PlatformVersion: '24.04',
    AgentVersion: '1.0.0',
    ComputerName: 'host',
    IPAddress: '10.0.0.1',
    ...over,
  };
}

function instance(n: number, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return instanceRecord(idOf(n), {
    ActivationId: ACTIVATION_A,
    RegistrationDate: new Date(T0).toISOString(),
    publicKey: Buffer.alloc(32, n).toString('base64'),
    boxPublicKey: Buffer.alloc(32, n + 1).toString('base64'),
    brokerPasswordHash: sha256hex(`password-${n}`),
    PingStatus: 'ConnectionLost',
    ...over,
  });
}

function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('InstanceRegistry', () => {
  let dir: string;
  let clock: ManualClock;
  const registries: InstanceRegistry[] = [];

  async function openRegistry(): Promise<InstanceRegistry> {
    const registry = await InstanceRegistry.open(await FileStore.open(dir), { now: clock.now, flushEveryMs: 3_600_000 });
    registries.push(registry);
    return registry;
  }

  /** What another process would see: a fresh store and registry on the same directory, without any flush. */
  async function onDisk(id: string): Promise<InstanceRecord | undefined> {
    return (await FileStore.open(dir)).table<InstanceRecord>('instances').get(id);
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-instances-'));
    clock = new ManualClock(T0);
  });
  afterEach(async () => {
    for (const registry of registries.splice(0)) await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('issues instance ids of the SSM shape and fresh broker passwords', () => {
    const ids = new Set(Array.from({ length: 50 }, () => InstanceRegistry.newInstanceId()));
    assert.equal(ids.size, 50);
    for (const id of ids) assert.match(id, /^mi-[0-9a-f]{17}$/);
    const { password, hash } = InstanceRegistry.newBrokerPassword();
    assert.ok(password.length >= 40);
    assert.equal(hash, sha256hex(password));
    assert.notEqual(InstanceRegistry.newBrokerPassword().password, password);
  });

  it('adds, gets, lists and removes instances, through to the store', async () => {
    const registry = await openRegistry();
    await registry.add(instance(1));
    await registry.add(instance(2, { Name: 'two' }));
    assert.equal(registry.get(idOf(1))?.InstanceId, idOf(1));
    assert.equal(registry.get(idOf(2))?.Name, 'two');
    assert.equal(registry.get(idOf(3)), undefined);
    assert.deepEqual(registry.all().map((r) => r.InstanceId).sort(), [idOf(1), idOf(2)]);
    assert.equal((await onDisk(idOf(2)))?.Name, 'two');

    const removed = await registry.remove(idOf(1));
    assert.equal(removed?.InstanceId, idOf(1));
    assert.equal(await registry.remove(idOf(1)), undefined);
    assert.equal(registry.get(idOf(1)), undefined);
    assert.equal(await onDisk(idOf(1)), undefined);

    const reopened = await openRegistry();
    assert.deepEqual(reopened.all().map((r) => r.InstanceId), [idOf(2)]);
  });

  it('markSeen makes an instance Online with LastPingDateTime, and tells listeners once', async () => {
    const registry = await openRegistry();
    await registry.add(instance(1));
    const events: Array<{ id: string; status: PingStatus; previous: PingStatus | undefined }> = [];
    registry.onStatusChange((record, previous) => events.push({ id: record.InstanceId, status: record.PingStatus, previous }));

    clock.ms = T0 + 1000;
    await registry.markSeen(idOf(1), 'session-1', info());
    const record = registry.get(idOf(1));
    assert.equal(record?.PingStatus, 'Online');
    assert.equal(record?.LastPingDateTime, new Date(T0 + 1000).toISOString());
    assert.equal(record?.sessionId, 'session-1');
    assert.equal(record?.info?.AgentVersion, '1.0.0');
    assert.deepEqual(events, [{ id: idOf(1), status: 'Online', previous: 'ConnectionLost' }]);
    // A status change is written at once.
    assert.equal((await onDisk(idOf(1)))?.PingStatus, 'Online');

    clock.ms = T0 + 2000;
    await registry.markSeen(idOf(1), 'session-1');
    await registry.markSeen(idOf(1), 'session-2', info({ AgentVersion: '1.0.1' })); // reconnect while Online
    assert.equal(events.length, 1, 'heartbeats and a new session while Online are not status changes');
    assert.equal(registry.get(idOf(1))?.LastPingDateTime, new Date(T0 + 2000).toISOString());
    assert.equal(registry.get(idOf(1))?.sessionId, 'session-2');
    assert.equal(registry.get(idOf(1))?.info?.AgentVersion, '1.0.1');
    assert.equal((await onDisk(idOf(1)))?.info?.AgentVersion, '1.0.1', 'a change of facts is written at once');

    await registry.markSeen(idOf(9), 'session-x');
    assert.equal(registry.get(idOf(9)), undefined, 'an unknown instance is not created by a ping');
  });

  it('markConnectionLost ignores a stale session and applies the current one', async () => {
    const registry = await openRegistry();
    await registry.add(instance(1));
    const events: Array<[PingStatus, PingStatus | undefined]> = [];
    await registry.markSeen(idOf(1), 'old');
    await registry.markSeen(idOf(1), 'current');
    registry.onStatusChange((record, previous) => events.push([record.PingStatus, previous]));

    assert.equal(await registry.markConnectionLost(idOf(1), 'old'), false);
    assert.equal(registry.get(idOf(1))?.PingStatus, 'Online');
    assert.deepEqual(events, []);

    assert.equal(await registry.markConnectionLost(idOf(1), 'current'), true);
    assert.equal(registry.get(idOf(1))?.PingStatus, 'ConnectionLost');
    assert.equal((await onDisk(idOf(1)))?.PingStatus, 'ConnectionLost');
    assert.deepEqual(events, [['ConnectionLost', 'Online']]);

    assert.equal(await registry.markConnectionLost(idOf(1), 'current'), false, 'already lost');
    assert.equal(events.length, 1);
    assert.equal(await registry.markConnectionLost(idOf(7)), false, 'unknown instance');

    // Without a session id (missed heartbeats) it applies to whatever session is current.
    await registry.markSeen(idOf(1), 'third');
    assert.equal(await registry.markConnectionLost(idOf(1)), true);
    assert.equal(registry.get(idOf(1))?.PingStatus, 'ConnectionLost');
  });

  it('silentSince lists Online instances whose last ping is older than the limit', async () => {
    const registry = await openRegistry();
    await registry.add(instance(1));
    await registry.add(instance(2));
    await registry.add(instance(3));
    clock.ms = T0;
    await registry.markSeen(idOf(1), 's');
    clock.ms = T0 + 50_000;
    await registry.markSeen(idOf(2), 's');
    // 3 never pinged and is not Online: not "silent", it is already lost.

    clock.ms = T0 + 100_000;
    assert.deepEqual(registry.silentSince(60_000).map((r) => r.InstanceId), [idOf(1)]);
    assert.deepEqual(registry.silentSince(40_000).map((r) => r.InstanceId).sort(), [idOf(1), idOf(2)]);
    assert.deepEqual(registry.silentSince(100_000), [], 'exactly at the limit is not silent');
    clock.ms = T0 + 100_001;
    assert.deepEqual(registry.silentSince(100_000).map((r) => r.InstanceId), [idOf(1)]);
    await registry.markConnectionLost(idOf(1));
    assert.deepEqual(registry.silentSince(0).map((r) => r.InstanceId), [idOf(2)]);
  });

  it('checkBrokerPassword: right, wrong, unknown', async () => {
    const registry = await openRegistry();
    await registry.add(instance(1));
    assert.equal(registry.checkBrokerPassword(idOf(1), 'password-1'), true);
    assert.equal(registry.checkBrokerPassword(idOf(1), 'password-2'), false);
    assert.equal(registry.checkBrokerPassword(idOf(1), ''), false);
    assert.equal(registry.checkBrokerPassword(idOf(2), 'password-2'), false, 'unknown instance');
    await registry.remove(idOf(1));
    assert.equal(registry.checkBrokerPassword(idOf(1), 'password-1'), false, 'removed instance');
  });

  it('batches pings in memory and flush() persists them', async () => {
    const registry = await openRegistry();
    await registry.add(instance(1));
    clock.ms = T0 + 1000;
    await registry.markSeen(idOf(1), 's', info());
    clock.ms = T0 + 61_000;
    await registry.markSeen(idOf(1), 's', info()); // a plain heartbeat: same session, same facts
    assert.equal(registry.get(idOf(1))?.LastPingDateTime, new Date(T0 + 61_000).toISOString());
    assert.equal((await onDisk(idOf(1)))?.LastPingDateTime, new Date(T0 + 1000).toISOString(), 'not written per heartbeat');

    await registry.flush();
    assert.equal((await onDisk(idOf(1)))?.LastPingDateTime, new Date(T0 + 61_000).toISOString());
    const reopened = await openRegistry();
    assert.equal(reopened.get(idOf(1))?.LastPingDateTime, new Date(T0 + 61_000).toISOString());
    assert.equal(reopened.get(idOf(1))?.PingStatus, 'Online');
  });

  it('close() flushes pending pings', async () => {
    const registry = await InstanceRegistry.open(await FileStore.open(dir), { now: clock.now, flushEveryMs: 3_600_000 });
    await registry.add(instance(1));
    await registry.markSeen(idOf(1), 's');
    clock.ms = T0 + 5000;
    await registry.markSeen(idOf(1), 's');
    await registry.close();
    assert.equal((await onDisk(idOf(1)))?.LastPingDateTime, new Date(T0 + 5000).toISOString());
  });

  it('flushes on its own timer', async () => {
    const registry = await InstanceRegistry.open(await FileStore.open(dir), { now: clock.now, flushEveryMs: 20 });
    registries.push(registry);
    await registry.add(instance(1));
    await registry.markSeen(idOf(1), 's');
    clock.ms = T0 + 9000;
    await registry.markSeen(idOf(1), 's');
    const deadline = Date.now() + 3000;
    while ((await onDisk(idOf(1)))?.LastPingDateTime !== new Date(T0 + 9000).toISOString()) {
      assert.ok(Date.now() < deadline, 'the timer never flushed the ping');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});

describe('instanceOperations', () => {
  let dir: string;
  let registry: InstanceRegistry;
  let ops: Map<string, Operation>;
  let deregistered: string[];
  let connected: Set<string>;

  const call = (name: string, input: Input): Promise<unknown> => {
    const op = ops.get(name);
    assert.ok(op, `operation ${name} exists`);
    return op.handle(input, testContext);
  };

  interface Info {
    InstanceId: string;
    PingStatus: PingStatus;
    LastPingDateTime?: number;
    AgentVersion?: string;
    PlatformType?: string;
    PlatformName?: string;
    ActivationId: string;
    ResourceType: string;
    Name?: string;
    IPAddress?: string;
    ComputerName?: string;
    RegistrationDate: number;
  }
  const describeInfo = (input: Input) => call('DescribeInstanceInformation', input) as Promise<{ InstanceInformationList: Info[]; NextToken?: string }>;
  const ids = async (input: Input): Promise<string[]> => (await describeInfo(input)).InstanceInformationList.map((i) => i.InstanceId);

  /**
   * 12 instances:
   *  1-4  Linux 1.0.0, activation A, Online        (1,2 tagged env=prod; 3 env=dev)
   *  5-8  Windows 2.0.0, activation B, ConnectionLost (5 tagged team=ops)
   *  9-10 MacOS 2.0.0, activation B, Online
   *  11-12 never reported (no info), activation A, ConnectionLost
   */
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-instance-ops-'));
    const clock = new ManualClock(T0);
    registry = await InstanceRegistry.open(await FileStore.open(dir), { now: clock.now, flushEveryMs: 3_600_000 });
    const tags: Record<number, Tag[]> = {
      1: [{ Key: 'env', Value: 'prod' }],
      2: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }],
      3: [{ Key: 'env', Value: 'dev' }],
      5: [{ Key: 'team', Value: 'ops' }],
    };
    // Add in a scrambled order: the listing must come out sorted by id whatever the insertion order.
    for (const n of [7, 3, 12, 1, 10, 5, 8, 2, 11, 4, 9, 6]) {
      await registry.add(instance(n, { Tags: tags[n] ?? [], ActivationId: n >= 5 && n <= 10 ? ACTIVATION_B : ACTIVATION_A, Name: `host-${n}` }));
      if (n <= 4) await registry.markSeen(idOf(n), 's', info({ ComputerName: `host-${n}` }));
      else if (n <= 8) await registry.markSeen(idOf(n), 's', info({ PlatformType: 'Windows', PlatformName: 'Windows Server', AgentVersion: '2.0.0' }));
      else if (n <= 10) await registry.markSeen(idOf(n), 's', info({ PlatformType: 'MacOS', PlatformName: 'macOS', AgentVersion: '2.0.0' }));
      if (n >= 5 && n <= 8) await registry.markConnectionLost(idOf(n));
    }
    deregistered = [];
    connected = new Set();
    ops = new Map(
      instanceOperations({
        registry,
        deregister: async (id) => {
          deregistered.push(id);
          await registry.remove(id);
        },
        isConnected: (id) => connected.has(id),
      }).map((op) => [op.name, op]),
    );
  });
  afterEach(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => idOf(from + i));

  describe('DescribeInstanceInformation', () => {
    it('describes every instance in SSM shape, sorted by id', async () => {
      const { InstanceInformationList, NextToken } = await describeInfo({});
      assert.equal(NextToken, undefined);
      assert.deepEqual(InstanceInformationList.map((i) => i.InstanceId), range(1, 12));
      const first = InstanceInformationList[0]!;
      assert.equal(first.PingStatus, 'Online');
      assert.equal(first.LastPingDateTime, T0 / 1000);
      assert.equal(first.RegistrationDate, T0 / 1000);
      assert.equal(first.PlatformType, 'Linux');
      assert.equal(first.PlatformName, 'Ubuntu');
      assert.equal(first.AgentVersion, '1.0.0');
      assert.equal(first.ComputerName, 'host-1');
      assert.equal(first.IPAddress, '10.0.0.1');
      assert.equal(first.ResourceType, 'ManagedInstance');
      assert.equal(first.ActivationId, ACTIVATION_A);
      assert.equal(first.Name, 'host-1');
      const neverReported = InstanceInformationList[11]!;
      assert.equal(neverReported.PlatformType, undefined);
      assert.equal(neverReported.LastPingDateTime, undefined);
      assert.ok(!JSON.stringify(InstanceInformationList).includes('brokerPasswordHash'), 'no secrets or internals');
      assert.ok(!JSON.stringify(InstanceInformationList).includes('publicKey'));
    });

    it('filters by InstanceIds, PingStatus, PlatformTypes, AgentVersion, ActivationIds, ResourceType', async () => {
      assert.deepEqual(await ids({ Filters: [{ Key: 'InstanceIds', Values: [idOf(3), idOf(11), idOf(99)] }] }), [idOf(3), idOf(11)]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'PingStatus', Values: ['Online'] }] }), [...range(1, 4), ...range(9, 10)]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] }), [...range(5, 8), ...range(11, 12)]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'PingStatus', Values: ['Inactive'] }] }), []);
      assert.deepEqual(await ids({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows', 'MacOS'] }] }), range(5, 10));
      assert.deepEqual(await ids({ Filters: [{ Key: 'AgentVersion', Values: ['1.0.0'] }] }), range(1, 4));
      assert.deepEqual(await ids({ Filters: [{ Key: 'ActivationIds', Values: [ACTIVATION_B] }] }), range(5, 10));
      assert.deepEqual(await ids({ Filters: [{ Key: 'ResourceType', Values: ['ManagedInstance'] }] }), range(1, 12));
      assert.deepEqual(await ids({ Filters: [{ Key: 'ResourceType', Values: ['EC2Instance'] }] }), []);
      // Several filters: all must match.
      assert.deepEqual(
        await ids({ Filters: [{ Key: 'ActivationIds', Values: [ACTIVATION_B] }, { Key: 'PingStatus', Values: ['Online'] }] }),
        range(9, 10),
      );
    });

    it('filters by tag:<key> and tag-key', async () => {
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag:env', Values: ['prod'] }] }), [idOf(1), idOf(2)]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag:env', Values: ['prod', 'dev'] }] }), range(1, 3));
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag:env', Values: ['staging'] }] }), []);
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag:team', Values: ['ops', 'web'] }] }), [idOf(2), idOf(5)]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag-key', Values: ['team'] }] }), [idOf(2), idOf(5)]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag-key', Values: ['env'] }, { Key: 'tag-key', Values: ['team'] }] }), [idOf(2)]);
    });

    it('accepts the legacy InstanceInformationFilterList', async () => {
      assert.deepEqual(await ids({ InstanceInformationFilterList: [{ key: 'PlatformTypes', valueSet: ['MacOS'] }] }), range(9, 10));
      assert.deepEqual(
        await ids({ InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }, { key: 'AgentVersion', valueSet: ['2.0.0'] }] }),
        range(9, 10),
      );
    });

    it('refuses mixing both filter styles with InvalidFilterKey', async () => {
      await apiError(
        describeInfo({ InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }], Filters: [{ Key: 'PlatformTypes', Values: ['Linux'] }] }),
        'InvalidFilterKey',
        /InstanceInformationFilterList and Filters cannot be used in the same request/,
      );
    });

    it('refuses an unknown key with InvalidFilterKey, naming it', async () => {
      await apiError(describeInfo({ Filters: [{ Key: 'Color', Values: ['red'] }] }), 'InvalidFilterKey', /Filters\[0\] key "Color" is not one of InstanceIds, .*tag:<key>, tag-key/);
      await apiError(describeInfo({ InstanceInformationFilterList: [{ key: 'Nope', valueSet: ['x'] }] }), 'InvalidFilterKey', /"Nope"/);
    });

    it('refuses a bad value of an enumerated key with InvalidInstanceInformationFilterValue', async () => {
      await apiError(describeInfo({ Filters: [{ Key: 'PingStatus', Values: ['Online', 'Sleeping'] }] }), 'InvalidInstanceInformationFilterValue', /Sleeping is not a valid PingStatus value; valid values: Online, ConnectionLost, Inactive/);
      await apiError(describeInfo({ Filters: [{ Key: 'PlatformTypes', Values: ['linux'] }] }), 'InvalidInstanceInformationFilterValue', /linux is not a valid PlatformTypes value/);
      await apiError(describeInfo({ Filters: [{ Key: 'InstanceIds', Values: [] }] }), 'InvalidInstanceInformationFilterValue', /needs at least one value/);
    });

    it('refuses MaxResults below 5 or above 50 with ValidationException', async () => {
      await apiError(describeInfo({ MaxResults: 4 }), 'ValidationException', /Value '4' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 5/);
      await apiError(describeInfo({ MaxResults: 51 }), 'ValidationException', /less than or equal to 50/);
    });

    it('pages 12 instances 5 at a time: 3 pages, every instance once', async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page: { InstanceInformationList: Info[]; NextToken?: string } = await describeInfo({ MaxResults: 5, ...(token ? { NextToken: token } : {}) });
        pages++;
        sizes.push(page.InstanceInformationList.length);
        seen.push(...page.InstanceInformationList.map((i) => i.InstanceId));
        token = page.NextToken;
        assert.ok(pages <= 3, 'too many pages');
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(sizes, [5, 5, 2]);
      assert.equal(new Set(seen).size, 12, 'no duplicates');
      assert.deepEqual(seen, range(1, 12));
    });

    it('goes on from the last instance shown: hosts registered or removed between pages repeat none and hide none', async () => {
      const first = await ids({ MaxResults: 5 });
      assert.deepEqual(first, range(1, 5));
      const token = (await describeInfo({ MaxResults: 5 })).NextToken;
      await registry.add(instance(0, { Name: 'host-0' })); // sorts before every other: an offset of 5 would show host 5 again
      await registry.remove(idOf(6)); // after the position: simply not shown
      const second = await describeInfo({ MaxResults: 5, NextToken: token });
      assert.deepEqual(second.InstanceInformationList.map((i) => i.InstanceId), range(7, 11));
      const third = await describeInfo({ MaxResults: 5, NextToken: second.NextToken });
      assert.deepEqual(third.InstanceInformationList.map((i) => i.InstanceId), [idOf(12)]);
      assert.equal(third.NextToken, undefined);
    });

    it('pages a filtered listing and refuses a token of another operation', async () => {
      const first = await describeInfo({ MaxResults: 5, Filters: [{ Key: 'PingStatus', Values: ['Online'] }] });
      assert.deepEqual(first.InstanceInformationList.map((i) => i.InstanceId), [...range(1, 4), idOf(9)]);
      const second = await describeInfo({ MaxResults: 5, NextToken: first.NextToken, Filters: [{ Key: 'PingStatus', Values: ['Online'] }] });
      assert.deepEqual(second.InstanceInformationList.map((i) => i.InstanceId), [idOf(10)]);
      assert.equal(second.NextToken, undefined);
      const foreign = Buffer.from(JSON.stringify({ op: 'DescribeActivations', s: { offset: 5 } })).toString('base64url');
      await apiError(describeInfo({ NextToken: foreign }), 'InvalidNextToken');
    });
  });

  describe('tags on a ManagedInstance', () => {
    const resource = (n: number) => ({ ResourceType: 'ManagedInstance', ResourceId: idOf(n) });
    const list = async (n: number): Promise<Tag[]> => ((await call('ListTagsForResource', resource(n))) as { TagList: Tag[] }).TagList;

    it('adds (merging by key), lists and removes tags, persisting them', async () => {
      assert.deepEqual(await list(1), [{ Key: 'env', Value: 'prod' }]);
      assert.deepEqual(await call('AddTagsToResource', { ...resource(1), Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ana' }] }), {});
      assert.deepEqual(await list(1), [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ana' }]);
      assert.deepEqual(await ids({ Filters: [{ Key: 'tag:owner', Values: ['ana'] }] }), [idOf(1)]);

      assert.deepEqual(await call('RemoveTagsFromResource', { ...resource(1), TagKeys: ['env', 'not-there'] }), {});
      assert.deepEqual(await list(1), [{ Key: 'owner', Value: 'ana' }]);

      const stored = await (await FileStore.open(dir)).table<InstanceRecord>('instances').get(idOf(1));
      assert.deepEqual(stored?.Tags, [{ Key: 'owner', Value: 'ana' }]);
    });

    it('refuses more than 50 tags with TooManyTagsError and keeps the old ones', async () => {
      const many = (count: number, prefix: string): Tag[] => Array.from({ length: count }, (_, i) => ({ Key: `${prefix}${i}`, Value: 'v' }));
      await call('AddTagsToResource', { ...resource(4), Tags: many(50, 'k') });
      assert.equal((await list(4)).length, 50);
      // Replacing existing keys does not add to the count.
      await call('AddTagsToResource', { ...resource(4), Tags: [{ Key: 'k0', Value: 'changed' }] });
      assert.equal((await list(4)).length, 50);
      await apiError(call('AddTagsToResource', { ...resource(4), Tags: many(1, 'extra') }), 'TooManyTagsError', /at most 50 tags; this would make 51/);
      const after = await list(4);
      assert.equal(after.length, 50);
      assert.ok(!after.some((t) => t.Key.startsWith('extra')));
      assert.deepEqual(after[0], { Key: 'k0', Value: 'changed' });
    });

    it('refuses other resource types with InvalidResourceType and unknown ids with InvalidResourceId', async () => {
      await apiError(call('AddTagsToResource', { ResourceType: 'Document', ResourceId: 'AWS-RunShellScript', Tags: [{ Key: 'a', Value: 'b' }] }), 'InvalidResourceType', /not Document/);
      await apiError(call('ListTagsForResource', { ResourceType: 'Document', ResourceId: 'AWS-RunShellScript' }), 'InvalidResourceType');
      await apiError(call('RemoveTagsFromResource', { ResourceType: 'Document', ResourceId: 'x', TagKeys: ['a'] }), 'InvalidResourceType');
      await apiError(call('AddTagsToResource', { ...resource(99), Tags: [{ Key: 'a', Value: 'b' }] }), 'InvalidResourceId', new RegExp(`The resource ID ${idOf(99)} is not valid`));
      await apiError(call('ListTagsForResource', resource(99)), 'InvalidResourceId');
      await apiError(call('RemoveTagsFromResource', { ...resource(99), TagKeys: ['a'] }), 'InvalidResourceId');
      await apiError(call('AddTagsToResource', { ...resource(1), Tags: [{ Key: 'aws:x', Value: 'b' }] }), 'InvalidParameters');
      assert.deepEqual(await list(1), [{ Key: 'env', Value: 'prod' }], 'refused calls changed nothing');
    });

    it('names the managed-instance ARN as the resource', () => {
      assert.deepEqual(ops.get('AddTagsToResource')?.resources?.(resource(1), testContext), [`arn:aws:ssm:us-east-1:123456789012:managed-instance/${idOf(1)}`]);
      assert.deepEqual(ops.get('DeregisterManagedInstance')?.resources?.({ InstanceId: idOf(2) }, testContext), [`arn:aws:ssm:us-east-1:123456789012:managed-instance/${idOf(2)}`]);
      assert.deepEqual(ops.get('GetConnectionStatus')?.resources?.({ Target: idOf(3) }, testContext), [`arn:aws:ssm:us-east-1:123456789012:managed-instance/${idOf(3)}`]);
    });
  });

  describe('DeregisterManagedInstance', () => {
    it('calls the deregister dependency with the instance id', async () => {
      assert.deepEqual(await call('DeregisterManagedInstance', { InstanceId: idOf(3) }), {});
      assert.deepEqual(deregistered, [idOf(3)]);
      assert.equal(registry.get(idOf(3)), undefined);
      assert.ok(!(await ids({})).includes(idOf(3)));
    });

    it('refuses an unknown or malformed id with InvalidInstanceId, calling nothing', async () => {
      await apiError(call('DeregisterManagedInstance', { InstanceId: idOf(99) }), 'InvalidInstanceId', new RegExp(`Instance ${idOf(99)} is not a registered managed instance`));
      await apiError(call('DeregisterManagedInstance', { InstanceId: 'i-0123456789abcdef0' }), 'InvalidInstanceId');
      await apiError(call('DeregisterManagedInstance', {}), 'ValidationException', /at 'instanceId'/);
      assert.deepEqual(deregistered, []);
      // Deregistering twice: the second time it is unknown.
      await call('DeregisterManagedInstance', { InstanceId: idOf(1) });
      await apiError(call('DeregisterManagedInstance', { InstanceId: idOf(1) }), 'InvalidInstanceId');
      assert.deepEqual(deregistered, [idOf(1)]);
    });
  });

  describe('GetConnectionStatus', () => {
    it('is connected only for a registered instance the broker has a live connection of', async () => {
      connected.add(idOf(1));
      connected.add(idOf(99)); // connected but not registered (e.g. removed a moment ago)
      assert.deepEqual(await call('GetConnectionStatus', { Target: idOf(1) }), { Target: idOf(1), Status: 'connected' });
      assert.deepEqual(await call('GetConnectionStatus', { Target: idOf(2) }), { Target: idOf(2), Status: 'notconnected' });
      assert.deepEqual(await call('GetConnectionStatus', { Target: idOf(99) }), { Target: idOf(99), Status: 'notconnected' });
      connected.delete(idOf(1));
      assert.deepEqual(await call('GetConnectionStatus', { Target: idOf(1) }), { Target: idOf(1), Status: 'notconnected' });
      await apiError(call('GetConnectionStatus', {}), 'ValidationException', /at 'target'/);
    });
  });
});
