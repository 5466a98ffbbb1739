/**
 * Compliance through the official @aws-sdk/client-ssm against a started control plane with registered
 * (simulated) instances: custom compliance put and listed, fleet and per-resource summaries, SSM's errors, and
 * an instance's compliance gone once it is deregistered.
 */
import assert from 'node:assert/strict';
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
  type ComplianceItem,
  type PutComplianceItemsCommandInput,
} from '@aws-sdk/client-ssm';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { startFleet, type Fleet } from '../support/fleet-simulator.js';

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

  it("removes an instance's compliance when it is deregistered", async () => {
    assert.ok((await allItems(db)).length > 0);
    await cp.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: db }));
    await assert.rejects(cp.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [db] })), InvalidResourceId);
    const resources = await cp.ssm.send(new ListResourceComplianceSummariesCommand({}));
    assert.deepEqual([...new Set(resources.ResourceComplianceSummaryItems?.map((item) => item.ResourceId))], [web]);
    const summaries = await cp.ssm.send(new ListComplianceSummariesCommand({}));
    assert.deepEqual(summaries.ComplianceSummaryItems?.map((item) => [item.ComplianceType, item.CompliantSummary?.CompliantCount, item.NonCompliantSummary?.NonCompliantCount]), [['Custom:Baseline', 0, 1]]);
  });
});
