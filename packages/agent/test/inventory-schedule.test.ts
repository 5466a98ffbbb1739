import assert from 'node:assert/strict';
import type { ActionContext, ActionHandler } from '@tender/plugin-api';
import { DEFAULT_GATHER_INPUTS, InventorySchedule } from '../src/inventory/index.js';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('agent inventory: the gathering schedule', () => {
  it('runs aws:softwareInventory at start with AWS-GatherSoftwareInventory\'s defaults and the uploader as putInventory', async () => {
    const contexts: ActionContext[] = [];
    const handed: unknown[] = [];
    const action: ActionHandler = {
      async run(context) {
        contexts.push(context);
        await context.services!.putInventory!([{ TypeName: 'AWS:Network', SchemaVersion: '1.0', CaptureTime: '2026-11-28T22:00:00Z', Content: [] }]);
        return { status: 'Success', exitCode: 0 };
      },
    };
    const schedule = new InventorySchedule({
      action,
      services: { putInventory: async (items) => void handed.push(items) },
      stateDir: '/tmp/unused',
      instance: { instanceId: 'mi-00000000000000001', region: 'local' },
      platform: 'linux',
      logger,
      intervalMinutes: 30,
    });
    schedule.start();
    await schedule.runOnce(); // the start-up run, already in progress: runs never overlap
    assert.equal(contexts.length, 1);
    assert.deepEqual(contexts[0]!.inputs, DEFAULT_GATHER_INPUTS);
    assert.equal(contexts[0]!.run.documentName, 'AWS-GatherSoftwareInventory');
    assert.equal(handed.length, 1);
    await schedule.stop();
    await schedule.runOnce();
    assert.equal(contexts.length, 1, 'nothing runs after stop()');
  });

  it('interval 0 turns the agent\'s own gathering off', async () => {
    let runs = 0;
    const schedule = new InventorySchedule({
      action: { run: async () => ((runs += 1), { status: 'Success', exitCode: 0 }) },
      services: { putInventory: async () => undefined },
      stateDir: '/tmp/unused',
      instance: { instanceId: 'mi-00000000000000001', region: 'local' },
      platform: 'linux',
      logger,
      intervalMinutes: 0,
    });
    schedule.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(runs, 0);
    await schedule.stop();
  });
});
