/**
 * Compliance through the official @aws-sdk/client-ssm against a started control plane with registered
 * (simulated) instances: custom compliance put and listed, fleet and per-resource summaries, SSM's errors, and
 * an instance's compliance gone once it is deregistered; and `tender compliance summary | list`.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ComplianceTypeCountLimitExceededException,
  DeregisterManagedInstanceCommand,
  InvalidFilter,
  InvalidResourceId,
  InvalidResourceType,
  ListComplianceItemsCommand,
  ListComplianceSummariesCommand,
  ListResourceComplianceSummariesCommand,
  paginateListComplianceItems,
  PutComplianceItemsCommand,
  SSMClient,
  type ComplianceItem,
  type PutComplianceItemsCommandInput,
} from '@aws-sdk/client-ssm';
import { readAudit } from '../support/audit-file.js';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { startFleet, type Fleet } from '../support/fleet-simulator.js';
import { runCli, TENDER_BIN } from '../support/processes.js';

const EXIT_API_ERROR = 3;
const EXIT_USAGE = 2;

describe('Compliance through the AWS SDK', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let fleet: Fleet;
  let web: string;
  let db: string;
  const executionTime = new Date('2030-01-01T10:00:00Z');

  const put = (input: Partial<PutComplianceItemsCommandInput> & Pick<PutComplianceItemsCommandInput, 'Items'>) =>
    cp.ssm.send(new PutComplianceItemsCommand({ ResourceId: web, ResourceType: 'ManagedInstance', ComplianceType: 'Custom:Baseline', ExecutionSummary: { ExecutionTime: executionTime, ExecutionType: 'Command' }, ...input }));

  async function allItems(resourceId: string): Promise<ComplianceItem[]> {
    const out: ComplianceItem[] = [];
    for await (const page of paginateListComplianceItems({ client: cp.ssm, pageSize: 7 }, { ResourceIds: [resourceId], ResourceTypes: ['ManagedInstance'] })) out.push(...(page.ComplianceItems ?? []));
    return out;
  }

  before(async () => {
    cp = await startTestControlPlane();
    const activation = await cp.createActivation({ limit: 2 });
    fleet = await startFleet({ size: 2, endpoint: cp.running.endpoint, activation });
    [web, db] = [...fleet.instanceIds].sort() as [string, string];
  });
  after(async () => {
    await fleet?.stop();
    await cp?.stop();
  });

  it('puts custom compliance and reads it back, page by page, with the SDK', async () => {
    await put({
      Items: Array.from({ length: 20 }, (_, i) => ({ Id: `rule-${String(i).padStart(2, '0')}`, Title: `Rule ${i}`, Severity: i === 3 ? 'CRITICAL' : 'LOW', Status: i === 3 ? 'NON_COMPLIANT' : 'COMPLIANT', Details: { Source: 'cis' } })),
    });
    const items = await allItems(web);
    assert.equal(items.length, 20);
    const failing = items.find((item) => item.Id === 'rule-03');
    assert.equal(failing?.Status, 'NON_COMPLIANT');
    assert.equal(failing?.Severity, 'CRITICAL');
    assert.deepEqual(failing?.Details, { Source: 'cis' });
    assert.equal(failing?.ExecutionSummary?.ExecutionTime?.toISOString(), executionTime.toISOString());
    const filtered = await cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [web], Filters: [{ Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' }] }));
    assert.deepEqual(filtered.ComplianceItems?.map((item) => item.Id), ['rule-03']);
  });

  it('summarises the fleet per type and each resource per type', async () => {
    await put({ ResourceId: db, Items: [{ Id: 'rule-00', Severity: 'HIGH', Status: 'COMPLIANT' }] });
    await put({ ResourceId: db, ComplianceType: 'Association', Items: [{ Id: 'assoc-1', Severity: 'UNSPECIFIED', Status: 'COMPLIANT' }] });
    const summaries = await cp.ssm.send(new ListComplianceSummariesCommand({}));
    const baseline = summaries.ComplianceSummaryItems?.find((item) => item.ComplianceType === 'Custom:Baseline');
    assert.equal(baseline?.CompliantSummary?.CompliantCount, 1);
    assert.equal(baseline?.CompliantSummary?.SeveritySummary?.HighCount, 1);
    assert.equal(baseline?.NonCompliantSummary?.NonCompliantCount, 1);
    assert.equal(baseline?.NonCompliantSummary?.SeveritySummary?.CriticalCount, 1);
    assert.deepEqual(summaries.ComplianceSummaryItems?.map((item) => item.ComplianceType), ['Association', 'Custom:Baseline']);

    const resources = await cp.ssm.send(new ListResourceComplianceSummariesCommand({ Filters: [{ Key: 'Status', Values: ['NON_COMPLIANT'] }] }));
    assert.deepEqual(resources.ResourceComplianceSummaryItems?.map((item) => [item.ResourceId, item.ComplianceType, item.OverallSeverity]), [[web, 'Custom:Baseline', 'CRITICAL']]);
    const [summary] = resources.ResourceComplianceSummaryItems ?? [];
    assert.equal(summary?.CompliantSummary?.CompliantCount, 19);
    assert.equal(summary?.NonCompliantSummary?.NonCompliantCount, 1);
    assert.equal(summary?.ExecutionSummary?.ExecutionTime?.toISOString(), executionTime.toISOString());
  });

  it("answers bad input with SSM's exceptions", async () => {
    await assert.rejects(put({ ResourceType: 'EC2Instance', Items: [] }), InvalidResourceType);
    await assert.rejects(put({ ResourceId: 'mi-00000000000000000', Items: [] }), InvalidResourceId);
    await assert.rejects(cp.ssm.send(new ListResourceComplianceSummariesCommand({ Filters: [{ Key: 'Severity', Values: ['HIGH'] }] })), InvalidFilter);
    for (let i = 0; i < 9; i++) await put({ ResourceId: db, ComplianceType: `Custom:Extra${i}`, Items: [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT' }] });
    await assert.rejects(put({ ResourceId: db, ComplianceType: 'Custom:OneTooMany', Items: [{ Id: 'x', Severity: 'LOW', Status: 'COMPLIANT' }] }), ComplianceTypeCountLimitExceededException);
  });

  it('holds writers to their policy per instance ARN, and audits both outcomes', async () => {
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-compliance-policy-'));
    try {
      const arn = (id: string) => `arn:aws:ssm:${cp.running.region}:${cp.running.accountId}:managed-instance/${id}`;
      const policyFile = path.join(work, 'policy.json');
      await fs.writeFile(policyFile, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:PutComplianceItems', Resource: arn(web) }, { Effect: 'Allow', Action: 'ssm:List*', Resource: '*' }] }));
      const created = await runCli(TENDER_BIN, ['access-keys', 'create', '--user-name', 'web-scanner', '--policy', policyFile, '--json', '--data-dir', cp.dataDir]);
      assert.equal(created.code, 0, created.stderr);
      const key = JSON.parse(created.stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string }; Arn: string };
      const scanner = new SSMClient({ region: cp.running.region, endpoint: cp.running.endpoint, credentials: { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey }, maxAttempts: 1 });
      try {
        const input = { ResourceType: 'ManagedInstance', ComplianceType: 'Custom:Scanner', ExecutionSummary: { ExecutionTime: executionTime }, Items: [{ Id: 'x', Severity: 'LOW' as const, Status: 'COMPLIANT' as const }] };
        await scanner.send(new PutComplianceItemsCommand({ ...input, ResourceId: web }));
        await assert.rejects(scanner.send(new PutComplianceItemsCommand({ ...input, ResourceId: db })), { name: 'AccessDeniedException' });
        const listed = await scanner.send(new ListComplianceItemsCommand({ ResourceIds: [web], Filters: [{ Key: 'ComplianceType', Values: ['Custom:Scanner'] }] }));
        assert.deepEqual(listed.ComplianceItems?.map((item) => item.Id), ['x']);
      } finally {
        scanner.destroy();
      }
      const mine = (await readAudit(cp.dataDir)).filter((record) => record.caller === key.Arn && record.operation === 'AmazonSSM.PutComplianceItems');
      assert.deepEqual(mine.map((record) => [record.outcome, record.resources]), [['success', [arn(web)]], ['denied', [arn(db)]]]);
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  });

  it("removes an instance's compliance when it is deregistered", async () => {
    assert.ok((await allItems(db)).length > 0);
    await cp.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: db }));
    await assert.rejects(cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [db] })), InvalidResourceId);
    const resources = await cp.ssm.send(new ListResourceComplianceSummariesCommand({}));
    assert.deepEqual([...new Set(resources.ResourceComplianceSummaryItems?.map((item) => item.ResourceId))], [web]);
    const summaries = await cp.ssm.send(new ListComplianceSummariesCommand({}));
    assert.deepEqual(summaries.ComplianceSummaryItems?.map((item) => [item.ComplianceType, item.CompliantSummary?.CompliantCount, item.NonCompliantSummary?.NonCompliantCount]), [['Custom:Baseline', 0, 1], ['Custom:Scanner', 1, 0]]);
  });
});

describe('tender compliance summary and list, against a started control plane', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let fleet: Fleet;
  let web: string;
  let db: string;
  const tender = (...args: string[]) => runCli(TENDER_BIN, [...args, '--data-dir', cp.dataDir]);
  const ok = async (...args: string[]) => {
    const result = await tender(...args);
    assert.equal(result.code, 0, `tender ${args.join(' ')} failed: ${result.stderr}`);
    return result;
  };

  before(async () => {
    cp = await startTestControlPlane();
    fleet = await startFleet({ size: 2, endpoint: cp.running.endpoint, activation: await cp.createActivation({ limit: 2 }) });
    [web, db] = [...fleet.instanceIds].sort() as [string, string];
    const put = (ResourceId: string, ComplianceType: string, Items: PutComplianceItemsCommandInput['Items']) =>
      cp.ssm.send(new PutComplianceItemsCommand({ ResourceId, ResourceType: 'ManagedInstance', ComplianceType, ExecutionSummary: { ExecutionTime: new Date('2030-01-01T10:00:00Z'), ExecutionId: 'exec-7' }, Items }));
    await put(web, 'Patch', [
      { Id: 'KB100', Title: 'Security update', Severity: 'CRITICAL', Status: 'NON_COMPLIANT' },
      { Id: 'KB200', Title: 'Feature update', Severity: 'LOW', Status: 'COMPLIANT' },
    ]);
    await put(db, 'Patch', [{ Id: 'KB100', Title: 'Security update', Severity: 'CRITICAL', Status: 'COMPLIANT' }]);
    await put(db, 'Custom:Baseline', [{ Id: 'sshd', Severity: 'HIGH', Status: 'NON_COMPLIANT' }]);
  });
  after(async () => {
    await fleet?.stop();
    await cp?.stop();
  });

  it('prints the fleet summary per type, narrowed by --type, and as JSON', async () => {
    const table = await ok('compliance', 'summary');
    assert.match(table.stdout, /^ComplianceType\s+Compliant\s+NonCompliant\s+Critical\s+High\s+Medium\s+Low\s+Informational\s+Unspecified$/m);
    assert.match(table.stdout, /^Custom:Baseline\s+0\s+1\s+0\s+1\s+0\s+0\s+0\s+0$/m);
    assert.match(table.stdout, /^Patch\s+1\s+1\s+1\s+0\s+0\s+0\s+0\s+0$/m);
    const patchOnly = await ok('compliance', 'summary', '--type', 'Patch');
    assert.doesNotMatch(patchOnly.stdout, /Custom:Baseline/);
    const json = JSON.parse((await ok('compliance', 'summary', '--json')).stdout) as Array<{ ComplianceType: string; NonCompliantSummary: { NonCompliantCount: number } }>;
    assert.deepEqual(json.map((item) => [item.ComplianceType, item.NonCompliantSummary.NonCompliantCount]), [['Custom:Baseline', 1], ['Patch', 1]]);
  });

  it('prints one instance per type with --instance', async () => {
    const table = await ok('compliance', 'summary', '--instance', db);
    assert.match(table.stdout, /^Custom:Baseline\s+NON_COMPLIANT\s+HIGH\s+0\s+1\s+2030-01-01T10:00:00.000Z\s+exec-7$/m);
    assert.match(table.stdout, /^Patch\s+COMPLIANT\s+CRITICAL\s+1\s+0\s/m);
    const json = JSON.parse((await ok('compliance', 'summary', '--instance', db, '--type', 'Patch', '--json')).stdout) as Array<{ ResourceId: string; ComplianceType: string; Status: string }>;
    assert.deepEqual(json.map((item) => [item.ResourceId, item.ComplianceType, item.Status]), [[db, 'Patch', 'COMPLIANT']]);
    assert.match((await ok('compliance', 'summary', '--instance', web, '--type', 'Custom:Baseline')).stdout, /no compliance recorded for/);
  });

  it("lists an instance's items, filtered, as a table and as JSON", async () => {
    const table = await ok('compliance', 'list', web);
    assert.match(table.stdout, /^ComplianceType\s+Id\s+Status\s+Severity\s+Title\s+ExecutionTime$/m);
    assert.match(table.stdout, /^Patch\s+KB100\s+NON_COMPLIANT\s+CRITICAL\s+Security update\s+2030-01-01T10:00:00.000Z$/m);
    assert.match(table.stdout, /2 item\(s\) on mi-\w+, 1 non-compliant/);
    const failing = JSON.parse((await ok('compliance', 'list', web, '--status', 'NON_COMPLIANT', '--json')).stdout) as Array<{ Id: string }>;
    assert.deepEqual(failing.map((item) => item.Id), ['KB100']);
    assert.match((await ok('compliance', 'list', db, '--type', 'Custom:Baseline')).stdout, /^Custom:Baseline\s+sshd\s+NON_COMPLIANT\s+HIGH\s+-/m);
  });

  it('gives --help, refuses bad flags with a usage error and an unknown instance with the API error', async () => {
    const help = await ok('compliance', 'summary', '--help');
    assert.match(help.stdout, /ListComplianceSummaries/);
    assert.match(help.stdout, /--instance/);
    assert.match((await ok('compliance', 'list', '--help')).stdout, /--status/);
    const bad = await tender('compliance', 'list', web, '--status', 'BROKEN');
    assert.equal(bad.code, EXIT_USAGE);
    const missing = await tender('compliance', 'list');
    assert.equal(missing.code, EXIT_USAGE);
    const unknown = await tender('compliance', 'list', 'mi-00000000000000000');
    assert.equal(unknown.code, EXIT_API_ERROR);
    assert.match(unknown.message, /InvalidResourceId/);
  });
});
