import assert from 'node:assert/strict';
import { stepFixture } from '@tender/plugin-api/testing';
import { inventoryContentHash } from '@tender/protocol';
import { allEnabledInputs, createSoftwareInventoryAction, parseInventoryInputs, type GatheredItem } from '../src/index.js';
import { fixture, recordedRunner } from './fixtures.js';

interface Handed {
  items: GatheredItem[];
  failures?: Array<{ TypeName: string; message: string }>;
}

async function runAction(inputs: Record<string, unknown>, run = recordedRunner({ 'dpkg-query': fixture('debian-12-dpkg-query.stdout') })) {
  const step = await stepFixture(inputs);
  const handed: Handed[] = [];
  step.context.services = {
    putInventory: async (items, failures) => {
      handed.push({ items: items as GatheredItem[], ...(failures ? { failures } : {}) });
    },
  };
  try {
    const result = await createSoftwareInventoryAction({ run, customInventoryDirectory: '/nonexistent' }).run(step.context);
    return { result, handed, stdout: step.stdout.text(), stderr: step.stderr.text() };
  } finally {
    await step.cleanup();
  }
}

describe('inventory: the aws:softwareInventory action', () => {
  it('checks its inputs as AWS-GatherSoftwareInventory passes them', () => {
    assert.deepEqual(parseInventoryInputs({ applications: 'Maybe' }), { ok: false, message: 'aws:softwareInventory: the input applications must be "Enabled" or "Disabled", not "Maybe"' });
    assert.match((parseInventoryInputs({ files: '[{"Path": "/x"' }) as { message: string }).message, /the input files is not valid JSON/);
    assert.match((parseInventoryInputs({ files: '[{"Path": "/x"}]' }) as { message: string }).message, /files\[0\] needs Pattern/);
    assert.match((parseInventoryInputs({ files: '[{"Path": "/x", "Pattern": ["*"], "FileLimit": 0}]' }) as { message: string }).message, /files\[0\]\.FileLimit must be a whole number of at least 1/);
    assert.match((parseInventoryInputs({ windowsRegistry: '[{"Recursive": true}]' }) as { message: string }).message, /windowsRegistry\[0\] needs Path/);
    const parsed = parseInventoryInputs({ ...allEnabledInputs(), files: '[{"Path":"/usr/bin","Pattern":["aws*"],"Recursive":false,"DirScanLimit":"10"}]' });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.inputs.files, [{ Path: '/usr/bin', Pattern: ['aws*'], Recursive: false, DirScanLimit: 10 }]);
  });

  it('hands the enabled types to the uploader, and hashes the same on an unchanged host', async () => {
    const first = await runAction({ applications: 'Enabled', awsComponents: 'Disabled', instanceDetailedInformation: 'Enabled' });
    assert.deepEqual(first.result, { status: 'Success', exitCode: 0 });
    assert.deepEqual(first.handed[0]!.items.map((item) => item.TypeName), ['AWS:InstanceInformation', 'AWS:Application', 'AWS:InstanceDetailedInformation']);
    assert.match(first.stdout, /AWS:Application: 8 entries/);
    const second = await runAction({ applications: 'Enabled', awsComponents: 'Disabled', instanceDetailedInformation: 'Enabled' });
    const hashes = (handed: Handed[]) => handed[0]!.items.map((item) => inventoryContentHash(item.Content));
    assert.deepEqual(hashes(second.handed), hashes(first.handed));
  });

  it('a failing gatherer does not stop the others: its failure goes with the upload and the step is Failed', async () => {
    const broken = recordedRunner({ 'dpkg-query': new Error('dpkg-query failed: database is locked') });
    const { result, handed, stderr } = await runAction({ applications: 'Enabled', awsComponents: 'Enabled', instanceDetailedInformation: 'Enabled' }, broken);
    assert.deepEqual(handed[0]!.items.map((item) => item.TypeName), ['AWS:InstanceInformation', 'AWS:InstanceDetailedInformation']);
    assert.deepEqual(handed[0]!.failures?.map((failure) => failure.TypeName), ['AWS:Application', 'AWS:AWSComponent']);
    assert.match(handed[0]!.failures![0]!.message, /AWS:Application could not be gathered: dpkg-query failed: database is locked/);
    assert.equal(result.status, 'Failed');
    assert.match(result.message ?? '', /handed to the uploader, but 2 problems were reported/);
    assert.match(stderr, /database is locked/);
  });

  it('fails clearly on bad input, and where the agent offers no uploader', async () => {
    const bad = await runAction({ networkConfig: 'yes' });
    assert.equal(bad.result.status, 'Failed');
    assert.equal(bad.handed.length, 0);
    const step = await stepFixture({ applications: 'Enabled' });
    try {
      const result = await createSoftwareInventoryAction({ run: recordedRunner({}) }).run(step.context);
      assert.deepEqual(result, { status: 'Failed', exitCode: 1, message: 'aws:softwareInventory needs the agent\'s inventory uploader, which this agent does not offer' });
    } finally {
      await step.cleanup();
    }
  });
});
