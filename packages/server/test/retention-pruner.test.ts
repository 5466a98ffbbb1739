/**
 * The pruner: every kind on one injected clock, one audit event per run with every kind's counts (none for a
 * run that removed nothing), a kind that fails not stopping the others; and the control plane running it at
 * start on histories it finds in its data directory.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane } from '../src/control-plane.js';
import { inventoryHistoryRetention } from '../src/inventory/history-retention.js';
import { FileInventoryPersistence } from '../src/inventory/inventory-persistence.js';
import type { HistoryEntry } from '../src/inventory/inventory-records.js';
import { windowExecutionRetention } from '../src/maintenance-windows/execution-retention.js';
import { RETENTION_AUDIT_OPERATION, RetentionPruner } from '../src/retention/index.js';
import { FileStore } from '../src/store/file-store.js';
import { app, instanceId } from './support/inventory-fixtures.js';
import { ManualClock } from './support/operation-harness.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T00:00:00Z');
const diff = (time: number, version: string): HistoryEntry => ({ time: new Date(time).toISOString(), TypeName: 'AWS:Application', added: [app('bash', version)], removed: [], changed: [] });

describe('Retention pruner', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-retention-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('audits each run once with the counts of every kind, and a failing kind without stopping the others', async () => {
    const clock = new ManualClock(T0);
    const persistence = new FileInventoryPersistence(dir);
    for (let n = 1; n <= 5; n++) await persistence.appendHistory(instanceId(n), [diff(T0 - 60 * DAY, '5.1'), diff(T0 - 45 * DAY, '5.2'), diff(T0 - DAY, '5.3')]);
    const store = await FileStore.open(dir);
    const audit = await AuditTrail.open(path.join(dir, 'audit.log'));
    try {
      const pruner = new RetentionPruner({
        kinds: [windowExecutionRetention({ store, days: 30, now: clock.now }), inventoryHistoryRetention({ persistence, days: 30 })],
        now: clock.now,
        audit: (event) => audit.append(event),
        intervalMs: 0,
      });
      const report = await pruner.runOnce();
      assert.deepEqual(report.kinds.map((k) => [k.kind, k.removed]), [
        ['maintenance-window-executions', { executions: 0, taskExecutions: 0, taskInvocations: 0 }],
        ['inventory-history', { historyEntries: 10, hosts: 5 }],
      ]);
      let events = await audit.query({});
      assert.equal(events.length, 1, 'one event for the run, not one per entry');
      assert.equal(events[0]!.operation, RETENTION_AUDIT_OPERATION);
      assert.equal(events[0]!.caller, 'tender:retention');
      assert.deepEqual(events[0]!.resources, ['maintenance-window-executions', 'inventory-history']);
      assert.equal(
        events[0]!.detail,
        'maintenance-window-executions (30 days, before 2025-12-11T00:00:00.000Z): 0 executions, 0 taskExecutions, 0 taskInvocations; inventory-history (30 days, before 2025-12-11T00:00:00.000Z): 10 historyEntries, 5 hosts',
      );

      await pruner.runOnce();
      assert.equal((await audit.query({})).length, 1, 'a run that removed nothing is not audited');

      // A history that cannot be read fails its kind; the run still covers the rest and says what failed.
      clock.ms += 40 * DAY;
      await rm(path.join(dir, 'inventory', instanceId(1), 'history.jsonl'));
      await mkdir(path.join(dir, 'inventory', instanceId(1), 'history.jsonl'));
      const failed = await new RetentionPruner({
        kinds: [inventoryHistoryRetention({ persistence, days: 30 }), windowExecutionRetention({ store, days: 30, now: clock.now })],
        now: clock.now,
        audit: (event) => audit.append(event),
        intervalMs: 0,
      }).runOnce();
      assert.match(failed.kinds[0]!.error ?? '', new RegExp(`^could not prune the history of 1 host\\(s\\): ${instanceId(1)}: .*EISDIR`));
      assert.deepEqual(failed.kinds[0]!.removed, { historyEntries: 4, hosts: 4 }, 'the other hosts\' histories were pruned');
      assert.deepEqual(failed.kinds[1]!.removed, { executions: 0, taskExecutions: 0, taskInvocations: 0 });
      events = await audit.query({});
      assert.equal(events.length, 2);
      assert.equal(events[1]!.outcome, 'error');
      assert.equal(events[1]!.errorCode, 'RetentionPruneFailed');
      assert.match(events[1]!.detail ?? '', /^inventory-history \(30 days, before .*\): 4 historyEntries, 4 hosts; failed: could not prune .*EISDIR/);
    } finally {
      await audit.close();
      await store.close();
    }
  });

  it('the control plane prunes at start, with the days its configuration gives', async () => {
    const persistence = new FileInventoryPersistence(dir);
    const now = Date.now();
    await persistence.appendHistory(instanceId(7), [diff(now - 20 * DAY, '5.1'), diff(now - 5 * DAY, '5.2')]);
    const running = await startControlPlane(
      { ...SERVER_DEFAULTS, dataDir: dir, httpPort: 0, mqttPort: 0, retentionInventoryHistoryDays: 10 },
      { logger: pino({ level: 'silent' }), retention: { intervalMs: 0 } },
    );
    try {
      // Joins the run that start() began (or, if it is over, finds nothing more to remove).
      await running.retention.runOnce();
      const left = (await readFile(path.join(dir, 'inventory', instanceId(7), 'history.jsonl'), 'utf8')).trim().split('\n');
      assert.deepEqual(left.map((line) => (JSON.parse(line) as HistoryEntry).added[0]!.Version), ['5.2'], 'the 20-day-old diff went; 10 days is the setting');
    } finally {
      await running.stop();
    }
    const audited = (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { operation: string; detail?: string });
    const prunes = audited.filter((event) => event.operation === RETENTION_AUDIT_OPERATION);
    assert.equal(prunes.length, 1);
    assert.match(prunes[0]!.detail ?? '', /inventory-history \(10 days, before .*\): 1 historyEntries, 1 hosts/);
    assert.match(prunes[0]!.detail ?? '', /^commands \(30 days, .*\): 0 commands, 0 invocations, 0 outputDirectories; maintenance-window-executions \(30 days/);
  });
});
