import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '@tender/documents';
import { loadPlugins } from '../src/plugins/plugin-loader.js';
import { actionsFromPlugins } from '../src/runner/index.js';
import { makeCommand, openRunner, tempDir } from './fixtures/runner/harness.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/ssm-corpus');

describe('agent inventory: AWS-GatherSoftwareInventory through the runner', function () {
  this.timeout(60_000);

  it('SSM\'s own document runs aws:softwareInventory, whose gathered types reach services.putInventory', async function () {
    const text = await fs.readFile(path.join(CORPUS, 'command/AWS-GatherSoftwareInventory.json'), 'utf8').catch(() => undefined);
    if (text === undefined) {
      console.log(`      (skipped: SSM corpus not found at ${CORPUS})`);
      this.skip();
    }
    const stateDir = await tempDir();
    const handed: Array<{ items: Array<{ TypeName: string; Content: unknown[] }>; failures?: unknown[] }> = [];
    const actions = actionsFromPlugins(await loadPlugins({ packages: ['@tender/inventory'] }));
    const t = await openRunner(stateDir, {
      actions,
      inventory: { putInventory: async (items, failures) => void handed.push({ items, ...(failures ? { failures } : {}) }) },
    });
    try {
      const command = makeCommand(JSON.parse(text as string) as JsonObject, { parameters: { applications: 'Enabled', awsComponents: 'Disabled', networkConfig: 'Disabled', windowsUpdates: 'Disabled', instanceDetailedInformation: 'Enabled', services: 'Disabled', windowsRoles: 'Disabled', customInventory: 'Disabled', billingInfo: 'Disabled' } });
      const result = await t.run(command);
      assert.equal(result.status, 'Success', result.steps[0]?.statusDetails);
      assert.equal(result.steps[0]?.action, 'aws:softwareInventory');
      assert.equal(handed.length, 1);
      const types = handed[0]!.items.map((item) => item.TypeName);
      assert.deepEqual(types, process.platform === 'linux' ? ['AWS:InstanceInformation', 'AWS:Application', 'AWS:InstanceDetailedInformation'] : types);
      assert.ok(handed[0]!.items[1]!.Content.length > 0, 'applications were listed');
      assert.match(result.steps[0]!.stdout.preview, /AWS:Application: \d+ entries/);
    } finally {
      await t.runner.stop();
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });
});
