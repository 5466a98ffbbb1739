/**
 * Retention of State Manager association executions, with an injected clock: finished executions older than the
 * limit go with their per-host rows and run records; recent ones and ones still in progress stay, and so does each
 * host's latest status; DescribeAssociationExecutions stops listing what went (its index is in memory), before
 * and after a restart; a prune that died midway is finished by the next run. DescribeAssociationExecutionTargets reads
 * only the asked execution's rows (an index, like the executions'), which retention keeps in step.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AssociationRunReport, Message } from '@tender/protocol';
import { pino } from 'pino';
import { associationExecutionRetention, startStateManager, type StateManager } from '../src/associations/index.js';
import { EXECUTION_TARGETS_TABLE, executionTargetKey, EXECUTIONS_TABLE, INSTANCE_STATUS_TABLE, RUNS_TABLE, scheduledExecutionId, type ExecutionTargetRecord, type RunRecord } from '../src/associations/execution-records.js';
import type { Operation } from '../src/api/operation.js';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane } from '../src/control-plane.js';
import { DocumentService } from '../src/documents/index.js';
import { InstanceRegistry, type InstanceRecord } from '../src/instances/instance-registry.js';
import { RETENTION_AUDIT_OPERATION, RETENTION_INTENTS_TABLE, RetentionPruner, StoreDeletions } from '../src/retention/index.js';
import { FileStore, readStoreFiles } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';
import { instanceRecord } from './support/instance-records.js';
import { WholeTableReads } from './support/whole-table-reads.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T12:00:00Z');
const WEB = 'mi-0123456789abcdef1';
const DB = 'mi-0123456789abcdef2';
const iso = (ms: number) => new Date(ms).toISOString();

const instance = (id: string): InstanceRecord => instanceRecord(id, { RegistrationDate: iso(T0) });

const MOTD = JSON.stringify({ schemaVersion: '2.2', description: 'motd', mainSteps: [{ action: 'aws:runShellScript', name: 'write', inputs: { runCommand: ['echo hi > /etc/motd'] } }] });

function report(associationId: string, at: number, fields: Partial<AssociationRunReport> = {}): AssociationRunReport {
  return {
    runId: `run-${Math.random().toString(16).slice(2)}`,
    associationId,
    associationVersion: '1',
    trigger: 'schedule',
    scheduledAt: iso(at),
    status: 'Success',
    detailedStatus: 'Success',
    startedAt: iso(at + 1000),
    endedAt: iso(at + 2000),
    responseCode: 0,
    steps: [{ name: 'write', action: 'aws:runShellScript', status: 'Success', responseCode: 0, stdout: { preview: '', bytes: 0 }, stderr: { preview: '', bytes: 0 } }],
    ...fields,
  };
}

const message = (from: string, body: unknown): Message => ({ v: 1, id: `m-${Math.random()}`, type: 'association-status', from, to: 'cp', ts: T0, body });

interface Listed {
  AssociationExecutions: Array<{ ExecutionId: string; Status: string }>;
  NextToken?: string;
}

describe('Retention: association executions', function () {
  this.timeout(30000);
  let dir: string;
  let clock: ManualClock;
  let store: FileStore;
  let registry: InstanceRegistry;
  let sm: StateManager;
  let associationId: string;
  /** The State Manager's reads of the whole execution-targets table since it started. */
  let targetReads: WholeTableReads;

  const open = async () => {
    store = await FileStore.open(dir);
    registry = await InstanceRegistry.open(store, { now: clock.now });
    const documents = await DocumentService.open(store, { now: clock.now });
    targetReads = new WholeTableReads(store, EXECUTION_TARGETS_TABLE);
    sm = await startStateManager({ store: targetReads.store, registry, documents, send: async () => undefined, now: clock.now, tickMs: 0 });
    targetReads.count = 0;
  };
  const close = async () => {
    await sm.stop();
    await registry.close();
    await store.close();
  };
  const restart = async () => {
    await close();
    await open();
  };
  const call = async <T>(name: string, input: Record<string, unknown>): Promise<T> => {
    const operation = sm.operations.find((candidate: Operation) => candidate.name === name);
    if (!operation) throw new Error(`no operation ${name}`);
    return (await operation.handle(input, testContext)) as T;
  };
  /** Both hosts run the scheduled slot at `at`: one execution with two targets and two runs. Its id. */
  const scheduledRun = async (at: number): Promise<string> => {
    for (const host of [WEB, DB]) await sm.executions.onStatus(message(host, { reports: [report(associationId, at)] }));
    return scheduledExecutionId(associationId, '1', iso(at));
  };
  /** A run-now that only WEB answered: DB is still Pending, so the execution is InProgress. Its id. */
  const unfinishedRunNow = async (): Promise<string> => {
    const [ExecutionId] = await sm.executions.startOnce([associationId]);
    await sm.executions.onStatus(message(WEB, { reports: [report(associationId, clock.ms, { trigger: 'run-now', executionId: ExecutionId! })] }));
    return ExecutionId!;
  };
  const rowsOf = async (executionId: string) => ({
    targets: (await store.table<ExecutionTargetRecord>(EXECUTION_TARGETS_TABLE).list()).filter((row) => row.ExecutionId === executionId).length,
    runs: (await store.table<RunRecord>(RUNS_TABLE).list()).filter((row) => row.ExecutionId === executionId).length,
  });
  /** The first page of two, straight from the in-memory index: an id left there for a pruned execution shows as a short page with a NextToken. */
  const listed = async () => {
    const page = await call<Listed>('DescribeAssociationExecutions', { AssociationId: associationId, MaxResults: 2 });
    return { ids: page.AssociationExecutions.map((e) => e.ExecutionId), more: page.NextToken !== undefined };
  };
  /** What the in-memory index holds for the association (what every DescribeAssociationExecutions page is cut from). */
  const indexed = async () => (await sm.executions.executionsOf(associationId)).map((e) => e.ExecutionId);
  const kind = (days = 30) => associationExecutionRetention({ store, days, now: clock.now, onPruned: (ids) => sm.executions.forgetExecutions(ids) });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-assoc-retention-'));
    clock = new ManualClock(T0);
    await open();
    await registry.add(instance(WEB));
    await registry.add(instance(DB));
    const documents = await DocumentService.open(store, { now: clock.now });
    await documents.create({ Name: 'team-Motd', Content: MOTD, DocumentType: 'Command', DocumentFormat: 'JSON', Owner: '123456789012', Tags: [] });
    associationId = (await call<{ AssociationDescription: { AssociationId: string } }>('CreateAssociation', { Name: 'team-Motd', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] })).AssociationDescription.AssociationId;
    await sm.delivery.idle();
  });
  afterEach(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes finished executions past the limit with their targets and runs; keeps recent and in-progress ones and each host\'s status', async () => {
    const running = await unfinishedRunNow(); // created at T0
    const old = await scheduledRun(T0 + 3_600_000);
    const recent = await scheduledRun(T0 + 35 * DAY);
    clock.ms = T0 + 40 * DAY;
    assert.deepEqual(await rowsOf(old), { targets: 2, runs: 2 });
    assert.deepEqual(await listed(), { ids: [recent, old], more: true });

    const audited: string[] = [];
    const report = await new RetentionPruner({ kinds: [kind()], now: clock.now, audit: async (event) => audited.push(event.detail ?? ''), intervalMs: 0 }).runOnce();
    assert.deepEqual(report.kinds[0]!.removed, { executions: 1, executionTargets: 2, runs: 2 });
    assert.deepEqual(audited, ['association-executions (30 days, before 2026-11-11T12:00:00.000Z): 1 executions, 2 executionTargets, 2 runs']);

    assert.deepEqual(await rowsOf(old), { targets: 0, runs: 0 }, 'its targets and runs went with it');
    assert.deepEqual(await rowsOf(running), { targets: 2, runs: 1 }, 'in progress (DB pending): kept, however old');
    assert.deepEqual(await rowsOf(recent), { targets: 2, runs: 2 });
    assert.deepEqual(await listed(), { ids: [recent, running], more: false }, 'the pruned one is no longer listed, nor left in the index');
    assert.deepEqual(await indexed(), [recent, running]);
    await apiError(call('DescribeAssociationExecutionTargets', { AssociationId: associationId, ExecutionId: old }), 'AssociationExecutionDoesNotExist');
    const statuses = await call<{ InstanceAssociationStatusInfos: unknown[] }>('DescribeInstanceAssociationsStatus', { InstanceId: DB });
    assert.equal(statuses.InstanceAssociationStatusInfos.length, 1, 'a host\'s latest status is current state, not history');
    assert.equal(Object.keys((await readStoreFiles(dir))[INSTANCE_STATUS_TABLE] ?? {}).length, 2);

    await restart();
    assert.deepEqual(await listed(), { ids: [recent, running], more: false }, 'the same after a restart');

    // Later still, the recent one goes too; the one in progress never does.
    assert.deepEqual(await kind().prune(new Date(clock.ms + 365 * DAY)), { executions: 1, executionTargets: 2, runs: 2 });
    assert.deepEqual(await listed(), { ids: [running], more: false });
    assert.equal((await call<Listed>('DescribeAssociationExecutions', { AssociationId: associationId })).AssociationExecutions[0]!.Status, 'InProgress');
  });

  it('finishes, after a restart, a prune that died midway, and the listing forgets what it removed', async () => {
    const old = await scheduledRun(T0);
    const recent = await scheduledRun(T0 + 35 * DAY);
    const runs = (await store.table<RunRecord>(RUNS_TABLE).list()).filter((row) => row.ExecutionId === old);
    clock.ms = T0 + 40 * DAY;
    // The intent is recorded and one host's row deleted; then the process dies.
    await new StoreDeletions(store, { kind: 'association-executions', now: clock.now }).plan([
      {
        rows: [
          ...[WEB, DB].map((host) => ({ table: EXECUTION_TARGETS_TABLE, key: executionTargetKey(old, host) })),
          ...runs.map((run) => ({ table: RUNS_TABLE, key: run.runId })),
          { table: EXECUTIONS_TABLE, key: old },
        ],
      },
    ]);
    await store.table(EXECUTION_TARGETS_TABLE).delete(executionTargetKey(old, WEB));
    await restart();
    assert.deepEqual(await rowsOf(old), { targets: 1, runs: 2 }, 'half-deleted before the restart');
    assert.deepEqual(await listed(), { ids: [recent, old], more: false }, 'indexed again at start');

    // A limit that keeps everything: only the interrupted deletion is carried out.
    assert.deepEqual(await kind(3650).prune(new Date(clock.ms - 3650 * DAY)), { executions: 1, executionTargets: 1, runs: 2 });
    assert.deepEqual(await rowsOf(old), { targets: 0, runs: 0 });
    assert.deepEqual(await listed(), { ids: [recent], more: false });
    assert.deepEqual(await indexed(), [recent], 'what the interrupted run removed is forgotten too');
    assert.deepEqual(Object.keys((await readStoreFiles(dir))[RETENTION_INTENTS_TABLE] ?? {}), []);
  });

  it('DescribeAssociationExecutionTargets reads only the asked execution\'s rows, after runs, a restart and a prune', async () => {
    type Targets = { AssociationExecutionTargets: Array<{ ResourceId: string; Status: string }> };
    const targetsOf = async (ExecutionId: string) =>
      (await call<Targets>('DescribeAssociationExecutionTargets', { AssociationId: associationId, ExecutionId })).AssociationExecutionTargets.map((t) => `${t.ResourceId} ${t.Status}`);
    const old = await scheduledRun(T0);
    const running = await unfinishedRunNow();
    const recent = await scheduledRun(T0 + 35 * DAY);
    const expected = { [old]: [`${WEB} Success`, `${DB} Success`], [running]: [`${WEB} Success`, `${DB} Pending`], [recent]: [`${WEB} Success`, `${DB} Success`] };
    for (const [id, rows] of Object.entries(expected)) assert.deepEqual(await targetsOf(id), [...rows].sort(), `execution ${id}`);
    assert.equal(targetReads.count, 0, 'no listing read the whole table');

    await restart();
    for (const [id, rows] of Object.entries(expected)) assert.deepEqual(await targetsOf(id), [...rows].sort(), `execution ${id}, after a restart`);
    assert.equal(targetReads.count, 0, 'after a restart too (the index is rebuilt as the State Manager starts)');

    clock.ms = T0 + 40 * DAY;
    await kind().prune(new Date(clock.ms - 30 * DAY));
    await apiError(call('DescribeAssociationExecutionTargets', { AssociationId: associationId, ExecutionId: old }), 'AssociationExecutionDoesNotExist');
    assert.deepEqual(await targetsOf(recent), [...expected[recent]!].sort());
    assert.equal(targetReads.count, 0);
  });

  it('the control plane prunes them at start, with the days its configuration gives', async () => {
    const old = await scheduledRun(Date.now() - 10 * DAY);
    const recent = await scheduledRun(Date.now() - 3 * DAY);
    await close();
    const running = await startControlPlane(
      { ...SERVER_DEFAULTS, dataDir: dir, httpPort: 0, mqttPort: 0, retentionAssociationExecutionDays: 7 },
      { logger: pino({ level: 'silent' }), retention: { intervalMs: 0 } },
    );
    try {
      await running.retention.runOnce(); // joins the run start() began
      assert.deepEqual((await running.stateManager.executions.executionsOf(associationId)).map((e) => e.ExecutionId), [recent]);
    } finally {
      await running.stop();
    }
    await open(); // for afterEach, and to read what is left
    assert.deepEqual(await rowsOf(old), { targets: 0, runs: 0 });
    assert.deepEqual(await rowsOf(recent), { targets: 2, runs: 2 });
    const audited = (await readFile(path.join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { operation: string; detail?: string });
    const prunes = audited.filter((event) => event.operation === RETENTION_AUDIT_OPERATION);
    assert.equal(prunes.length, 1);
    assert.match(prunes[0]!.detail ?? '', /association-executions \(7 days, before .*\): 1 executions, 2 executionTargets, 2 runs/);
  });
});
