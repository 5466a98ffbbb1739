import assert from 'node:assert/strict';
import type { ActionContext, ActionHandler } from '@tender/plugin-api';
import { DEFAULT_GATHER_INPUTS, InventorySchedule, type InventoryScheduleOptions } from '../src/inventory/index.js';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A schedule whose action only records each run's command id. */
function counting(options: Partial<InventoryScheduleOptions> = {}) {
  const runs: string[] = [];
  const schedule = new InventorySchedule({
    action: { run: async (context) => (runs.push(context.run.commandId), { status: 'Success', exitCode: 0 }) },
    services: { putInventory: async () => undefined },
    stateDir: '/tmp/unused',
    instance: { instanceId: 'mi-00000000000000001', region: 'local' },
    platform: 'linux',
    logger,
    intervalMinutes: 30,
    ...options,
  });
  return { schedule, runs };
}

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
    schedule.standDown(false); // the agent's association set holds no AWS-GatherSoftwareInventory
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

  describe('a first start, before the agent has heard its association set', () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('waits for the set: one that holds an AWS-GatherSoftwareInventory association means no gather of its own at all', async () => {
      const { schedule, runs } = counting();
      schedule.start();
      await sleep(50);
      assert.deepEqual(runs, [], 'no gather before the set is known');
      schedule.standDown(true);
      await sleep(50);
      assert.deepEqual(runs, [], 'the association gathers instead');
      await schedule.stop();
    });

    it('a set without one: the gather starts as soon as the set is known', async () => {
      const { schedule, runs } = counting();
      schedule.start();
      await sleep(50);
      assert.equal(runs.length, 0);
      schedule.standDown(false);
      await schedule.runOnce();
      assert.equal(runs.length, 1, 'one gather: the one started when the set came (runs never overlap)');
      await schedule.stop();
    });

    it('no set within awaitAssociationsMs (a control plane out of reach): it gathers anyway', async () => {
      const { schedule, runs } = counting({ awaitAssociationsMs: 100 });
      schedule.start();
      await sleep(20);
      assert.equal(runs.length, 0);
      for (let waited = 0; runs.length === 0 && waited < 5000; waited += 20) await sleep(20);
      assert.equal(runs.length, 1);
      await schedule.stop();
    });
  });

  it('interval 0 turns the agent\'s own gathering off', async () => {
    const { schedule, runs } = counting({ intervalMinutes: 0 });
    schedule.standDown(false);
    schedule.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(runs, []);
    await schedule.stop();
  });
});
