import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetCommandInvocationCommand, ListAssociationsCommand, ListInventoryEntriesCommand, SendCommandCommand, StartAssociationsOnceCommand } from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AptSandbox } from '../support/apt-repository.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { AGENT_BIN, eventually, LiveProcess } from '../support/processes.js';

interface SentLine {
  msg: string;
  uploadId: string;
  full: string[];
  hashOnly: string[];
  bytes: number;
}

describe('Inventory end to end: agent process → control plane, checksum first', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let work: string;
  let apt: AptSandbox;
  let instanceId: string;
  let agent: LiveProcess;

  const sentLines = (): SentLine[] =>
    agent.output
      .split('\n')
      .filter((line) => line.includes('"inventory sent"'))
      .map((line) => JSON.parse(line) as SentLine);

  /** A Tender operation (GetInventoryHistory), SigV4-signed as the SDK signs SSM's. */
  async function tender<T>(operation: string, input: object): Promise<T> {
    const url = new URL(cp.running.endpoint);
    const body = JSON.stringify(input);
    const signer = new SignatureV4({ credentials: cp.admin, region: cp.running.region, service: 'ssm', sha256: class extends Hash { constructor(secret?: ConstructorParameters<typeof Hash>[1]) { super('sha256', secret); } } });
    const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Tender.${operation}` }, body });
    const response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body });
    const parsed = (await response.json()) as T & { __type?: string; message?: string };
    if (!response.ok) throw new Error(`${parsed.__type}: ${parsed.message}`);
    return parsed;
  }

  const applicationNames = async () => {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await cp.ssm.send(new ListInventoryEntriesCommand({ InstanceId: instanceId, TypeName: 'AWS:Application', NextToken }));
      names.push(...(page.Entries ?? []).map((entry) => entry.Name ?? ''));
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  };

  before(async function () {
    if (process.platform !== 'linux' || !(await AptSandbox.available())) {
      console.log('      (skipped: needs Linux with apt-get, dpkg-deb and dpkg-scanpackages)');
      this.skip();
    }
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-inventory-e2e-'));
    apt = await AptSandbox.create(path.join(work, 'apt'));
    await apt.addPackage('fleetbase', '1.0.0');
    await apt.addPackage('fleetdemo', '2.1.0', 'the package installed during the test');
    await apt.install('fleetbase');

    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    const stateDir = path.join(work, 'agent');
    instanceId = await cp.registerAgent(stateDir);
    // The agent reads the isolated root's dpkg database (the test hook), uploads without jitter, gathers at start.
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, '--inventory-jitter-seconds', '0'], { TENDER_INVENTORY_DPKG_ADMINDIR: apt.adminDir });
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('gathers at start and uploads every type in full the first time', async () => {
    assert.deepEqual(await eventually(async () => {
      const names = await applicationNames().catch(() => []);
      return names.length ? names : undefined;
    }, 'the first inventory upload', 60_000, 250), ['fleetbase']);
    const [first] = sentLines();
    assert.ok(first, agent.output);
    assert.deepEqual(first.hashOnly, []);
    assert.deepEqual([...first.full].sort(), ['AWS:AWSComponent', 'AWS:Application', 'AWS:InstanceDetailedInformation', 'AWS:InstanceInformation', 'AWS:Network']);
    // One gather, not two: the first start waited for the association set, and the control plane's default
    // AWS-GatherSoftwareInventory association gathered; the built-in schedule never did.
    assert.match(agent.output, /"msg":"the first inventory gather waits for the control plane's associations/);
    assert.match(agent.output, /"msg":"an association of AWS-GatherSoftwareInventory gathers inventory now: the built-in inventory schedule stands down"/);
    assert.doesNotMatch(agent.output, /"msg":"inventory gathered"/, 'the built-in schedule did not gather');
    assert.equal(sentLines().length, 1, agent.output);
  });

  it('a package installed from the local apt repository appears in the next gather; only AWS:Application goes in full; history shows the added row', async () => {
    await eventually(async () => (await fs.readFile(path.join(work, 'agent/inventory/state.json'), 'utf8').then((text) => !(JSON.parse(text) as { pending?: unknown }).pending)) || undefined, 'the first upload to be acknowledged', 30_000);
    const before = sentLines().length;
    await apt.install('fleetdemo');

    const sent = await cp.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-GatherSoftwareInventory', InstanceIds: [instanceId] }));
    const commandId = sent.Command?.CommandId ?? '';
    const invocation = await eventually(async () => {
      const got = await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
      return got && ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(got.Status ?? '') ? got : undefined;
    }, 'AWS-GatherSoftwareInventory to finish', 60_000, 200);
    assert.equal(invocation.Status, 'Success', `${invocation.StandardOutputContent}\n${invocation.StandardErrorContent}`);
    assert.match(invocation.StandardOutputContent ?? '', /AWS:Application: 2 entries/);

    assert.deepEqual((await eventually(async () => {
      const names = await applicationNames();
      return names.includes('fleetdemo') ? names : undefined;
    }, 'fleetdemo in the inventory', 30_000, 250)).sort(), ['fleetbase', 'fleetdemo']);

    const upload = sentLines().slice(before)[0]!;
    assert.deepEqual(upload.full, ['AWS:Application'], 'only the type that changed goes in full');
    assert.deepEqual([...upload.hashOnly].sort(), ['AWS:AWSComponent', 'AWS:InstanceDetailedInformation', 'AWS:InstanceInformation', 'AWS:Network']);

    const history = await tender<{ Entries: Array<{ TypeName: string; Added: Array<Record<string, string>>; Removed: unknown[]; Changed: unknown[] }> }>('GetInventoryHistory', { InstanceId: instanceId, TypeName: 'AWS:Application' });
    const [latest] = history.Entries;
    assert.deepEqual(latest?.Added.map((row) => [row.Name, row.Version, row.Architecture]), [['fleetdemo', '2.1.0', 'all']]);
    assert.deepEqual(latest?.Removed, []);
    const network = await tender<{ Entries: unknown[] }>('GetInventoryHistory', { InstanceId: instanceId, TypeName: 'AWS:Network' });
    assert.equal(network.Entries.length, 1, 'AWS:Network did not change: its only history entry is the first upload');
  });

  it('a gather on an unchanged host sends nothing', async () => {
    await eventually(async () => (await fs.readFile(path.join(work, 'agent/inventory/state.json'), 'utf8').then((text) => !(JSON.parse(text) as { pending?: unknown }).pending)) || undefined, 'the last upload to be acknowledged', 30_000);
    const before = sentLines().length;
    const sent = await cp.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-GatherSoftwareInventory', InstanceIds: [instanceId] }));
    const invocation = await eventually(async () => {
      const got = await cp.ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId ?? '', InstanceId: instanceId })).catch(() => undefined);
      return got?.Status === 'Success' ? got : undefined;
    }, 'the second gather to finish', 60_000, 200);
    assert.match(invocation.StandardOutputContent ?? '', /AWS:Application: 2 entries/);
    assert.equal(sentLines().length, before, 'no inventory message: every hash is the one the control plane acknowledged');
  });

  it('uploads this host\'s own package database in full: hundreds of kilobytes in one message', async () => {
    const expected = execFileSync('dpkg-query', ['-W', '-f', '${Package}\n'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
    await agent.kill('SIGTERM');
    agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', path.join(work, 'agent'), '--inventory-jitter-seconds', '0']);
    // The agent holds the control plane's default AWS-GatherSoftwareInventory association, so its built-in schedule
    // stands down and nothing gathers at start (the association already ran): run the association now instead.
    await agent.waitFor(/"msg":"connected to the control plane"/, 30_000);
    const gathering = (await cp.ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'Name', value: 'AWS-GatherSoftwareInventory' }] }))).Associations ?? [];
    assert.ok(gathering.length > 0, 'the default inventory association');
    await cp.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: gathering.map((a) => a.AssociationId!) }));
    const names = await eventually(async () => {
      const listed = await applicationNames();
      return listed.length === expected.length ? listed : undefined;
    }, `all ${expected.length} packages of this host in the inventory`, 90_000, 500);
    assert.deepEqual([...new Set(names)].sort(), [...new Set(expected)].sort());
    const upload = sentLines().at(-1)!;
    assert.ok(upload.full.includes('AWS:Application'), agent.output);
    assert.ok(upload.bytes > 131072, `a full upload of ${upload.bytes} bytes, more than the default message limit`);
  });
});
