/**
 * GetInventory filters and aggregators over 1,000 simulated hosts' inventories, through the AWS SDK against a
 * started control plane, checked against answers computed here by brute force over the same generated data.
 * (Correctness only; the latency over 1,000 × 1,000 is `npm run bench -- inventory`.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetInventoryCommand, paginateGetInventory, SSMClient, type GetInventoryCommandInput } from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane, type RunningControlPlane } from '../src/control-plane.js';
import type { InventoryRow } from '../src/inventory/inventory-records.js';
import { compareVersions } from '../src/inventory/version-compare.js';
import { instanceId, instanceRecord, item } from './support/inventory-fixtures.js';

const HOSTS = 1000;
const APPS = 40;

interface SimHost {
  id: string;
  platform: 'Linux' | 'Windows';
  apps: InventoryRow[];
  rack?: string;
}

/** Deterministic variety: platforms, openssl versions (some Debian-style, some absent), a custom type on some. */
function simulate(n: number): SimHost {
  const platform = n % 4 === 3 ? 'Windows' : 'Linux';
  const apps: InventoryRow[] = [];
  for (let a = 0; a < APPS; a++) apps.push({ Name: `${a % 2 ? 'lib' : 'app'}${a}`, Version: `${1 + (n % 3)}.${a}.${n % 7}`, Architecture: 'amd64' });
  if (n % 10 !== 0) {
    const patch = n % 14;
    apps.push({ Name: 'openssl', Version: n % 5 === 0 ? `3.0.${patch}-1~deb12u${n % 3}` : `3.0.${patch}`, Architecture: 'amd64' });
  }
  return { id: instanceId(n + 1), platform, apps, ...(n % 3 === 0 ? { rack: `R${n % 12}` } : {}) };
}

describe('inventory: GetInventory over 1,000 simulated hosts (correctness)', function () {
  this.timeout(120_000);
  let dir: string;
  let cp: RunningControlPlane;
  let ssm: SSMClient;
  const fleet = Array.from({ length: HOSTS }, (_, n) => simulate(n));

  async function ids(input: GetInventoryCommandInput): Promise<string[]> {
    const found: string[] = [];
    for await (const page of paginateGetInventory({ client: ssm, pageSize: 50 }, input)) found.push(...(page.Entities ?? []).map((entity) => entity.Id!));
    return found;
  }

  async function aggregate(input: GetInventoryCommandInput, key: string): Promise<InventoryRow[]> {
    const result = await ssm.send(new GetInventoryCommand(input));
    assert.equal(result.Entities?.length, 1);
    return result.Entities![0]!.Data![key]!.Content!;
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-inventory-fleet-'));
    cp = await startControlPlane({ ...SERVER_DEFAULTS, dataDir: dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }, { logger: pino({ level: 'silent' }) });
    const text = await readFile(cp.credentialsFile, 'utf8');
    const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    ssm = new SSMClient({ region: cp.region, endpoint: cp.endpoint, credentials: { accessKeyId: get('aws_access_key_id'), secretAccessKey: get('aws_secret_access_key') }, maxAttempts: 1 });
    for (const host of fleet) {
      await cp.registry.add(instanceRecord(host.id, { PlatformType: host.platform }));
      const items = [item('AWS:Application', host.apps), ...(host.rack ? [item('Custom:Rack', [{ Location: host.rack }])] : [])];
      const ack = await cp.inventory.receiveUpload(host.id, { uploadId: `u-${host.id}`, items });
      assert.equal(ack.accepted.length, items.length);
    }
  });

  after(async () => {
    ssm?.destroy();
    await cp?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers "openssl older than 3.0.7" with exactly the hosts that have such a row', async () => {
    const expected = fleet.filter((h) => h.apps.some((a) => a.Name === 'openssl' && compareVersions(a.Version!, '3.0.7') < 0)).map((h) => h.id);
    assert.ok(expected.length > 100 && expected.length < HOSTS);
    assert.deepEqual(await ids({ Filters: [{ Key: 'AWS:Application.Name', Values: ['openssl'], Type: 'Equal' }, { Key: 'AWS:Application.Version', Values: ['3.0.7'], Type: 'LessThan' }] }), expected);
  });

  it('combines filters across types, NotEqual, BeginWith and Exists', async () => {
    const windowsNewOpenssl = fleet.filter((h) => h.platform === 'Windows' && h.apps.some((a) => a.Name === 'openssl' && compareVersions(a.Version!, '3.0.10') > 0)).map((h) => h.id);
    assert.deepEqual(
      await ids({ Filters: [{ Key: 'AWS:InstanceInformation.PlatformType', Values: ['Linux'], Type: 'NotEqual' }, { Key: 'AWS:Application.Name', Values: ['openssl'] }, { Key: 'AWS:Application.Version', Values: ['3.0.10'], Type: 'GreaterThan' }] }),
      windowsNewOpenssl,
    );
    const noOpenssl = fleet.filter((h) => !h.apps.some((a) => a.Name.startsWith('open'))).map((h) => h.id);
    const withOpen = await ids({ Filters: [{ Key: 'AWS:Application.Name', Values: ['open'], Type: 'BeginWith' }] });
    assert.deepEqual(withOpen, fleet.map((h) => h.id).filter((id) => !noOpenssl.includes(id)));
    assert.deepEqual(await ids({ Filters: [{ Key: 'TypeName', Values: ['Custom:Rack'], Type: 'Exists' }] }), fleet.filter((h) => h.rack).map((h) => h.id));
  });

  it('returns only the matching rows of the result type', async () => {
    const result = await ssm.send(new GetInventoryCommand({ Filters: [{ Key: 'AWS:Application.Name', Values: ['lib1', 'lib3'] }], ResultAttributes: [{ TypeName: 'AWS:Application' }], MaxResults: 5 }));
    assert.equal(result.Entities?.length, 5);
    for (const entity of result.Entities!) {
      const host = fleet.find((h) => h.id === entity.Id)!;
      assert.deepEqual(entity.Data?.['AWS:Application']?.Content, host.apps.filter((a) => a.Name === 'lib1' || a.Name === 'lib3'));
    }
  });

  it('counts hosts per application, per openssl version, per platform and application, and per group', async () => {
    const byName = new Map<string, number>();
    for (const host of fleet) for (const name of new Set(host.apps.map((a) => a.Name))) byName.set(name, (byName.get(name) ?? 0) + 1);
    const names = await aggregate({ Aggregators: [{ Expression: 'AWS:Application.Name' }] }, 'AWS:Application');
    assert.deepEqual(Object.fromEntries(names.map((row) => [row.Name, Number(row.Count)])), Object.fromEntries(byName));

    const byVersion = new Map<string, number>();
    for (const host of fleet) for (const a of host.apps) if (a.Name === 'openssl') byVersion.set(a.Version!, (byVersion.get(a.Version!) ?? 0) + 1);
    const versions = await aggregate({ Filters: [{ Key: 'AWS:Application.Name', Values: ['openssl'] }], Aggregators: [{ Expression: 'AWS:Application.Name', Aggregators: [{ Expression: 'AWS:Application.Version' }] }] }, 'AWS:Application');
    assert.deepEqual(Object.fromEntries(versions.map((row) => [row.Version, Number(row.Count)])), Object.fromEntries(byVersion));
    assert.ok(versions.every((row) => row.Name === 'openssl'));
    // Sorted by version, as versions.
    const order = versions.map((row) => row.Version!);
    assert.deepEqual(order, [...order].sort(compareVersions));

    const platformApp = await aggregate({ Filters: [{ Key: 'AWS:Application.Name', Values: ['app0'] }], Aggregators: [{ Expression: 'AWS:InstanceInformation.PlatformType', Aggregators: [{ Expression: 'AWS:Application.Name' }] }] }, 'AWS:InstanceInformation');
    assert.deepEqual(platformApp, [
      { PlatformType: 'Linux', Name: 'app0', Count: String(fleet.filter((h) => h.platform === 'Linux').length) },
      { PlatformType: 'Windows', Name: 'app0', Count: String(fleet.filter((h) => h.platform === 'Windows').length) },
    ]);

    const oldOnWindows = fleet.filter((h) => h.platform === 'Windows');
    const matching = oldOnWindows.filter((h) => h.rack).length;
    const groups = await aggregate({ Filters: [{ Key: 'AWS:InstanceInformation.PlatformType', Values: ['Windows'] }], Aggregators: [{ Groups: [{ Name: 'Racked', Filters: [{ Key: 'TypeName', Values: ['Custom:Rack'], Type: 'Exists' }] }] }] }, 'Racked');
    assert.deepEqual(groups, [{ notMatchingCount: String(oldOnWindows.length - matching) }, { matchingCount: String(matching) }]);
  });
});
