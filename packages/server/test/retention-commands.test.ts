/**
 * Retention of Run Command history, with an injected clock: finished commands older than the limit go with
 * their invocations and stored outputs; recent ones and ones still in progress stay; a prune that died midway
 * is finished by the next run (which a restart runs first). ListCommandInvocations for one finished command reads
 * only its own invocations (an index, which retention keeps in step).
 */
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { commandRetention } from '../src/commands/command-retention.js';
import { COMMANDS_TABLE, INVOCATIONS_TABLE, invocationKey } from '../src/commands/command-records.js';
import { OutputStore } from '../src/commands/output-store.js';
import type { AuditEvent } from '../src/audit/audit-record.js';
import { RETENTION_INTENTS_TABLE, RetentionPruner, StoreDeletions } from '../src/retention/index.js';
import { readStoreFiles } from '../src/store/file-store.js';
import { idOf, instance, WindowBed } from './support/maintenance-window-bed.js';
import { ManualClock, testContext } from './support/operation-harness.js';

const T0 = Date.parse('2026-09-01T12:00:00Z');
const DAY = 86_400_000;
const exists = (file: string) => access(file).then(() => true, () => false);

describe('Retention: Run Command history', () => {
  let clock: ManualClock;
  let bed: WindowBed;
  let audited: AuditEvent[];
  const outputsDir = () => path.join(bed.dir, 'outputs');
  const pruner = () =>
    new RetentionPruner({
      kinds: [commandRetention({ store: bed.store, outputsDir: outputsDir(), days: 30, isRunning: (id) => bed.commands.isRunning(id), now: clock.now })],
      now: clock.now,
      audit: async (event) => audited.push(event),
      intervalMs: 0,
    });

  /** SendCommand to one instance; with `finish`, its agent reports Success and uploads a full output. */
  const run = async (n: number, finish: boolean): Promise<string> => {
    const { Command } = await bed.commands.sendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [idOf(n)], Parameters: { commands: ['echo hi'] } }, testContext);
    await bed.commands.whenSent();
    const commandId = String(Command.CommandId);
    if (finish) {
      await bed.result(idOf(n), commandId);
      await new OutputStore(outputsDir()).write(commandId, idOf(n), 'runShellScript', 'stdout', Buffer.from('hi\n'.repeat(10_000)));
    }
    return commandId;
  };

  beforeEach(async () => {
    clock = new ManualClock(T0);
    audited = [];
    bed = await WindowBed.create(clock, [instance(1), instance(2)]);
  });
  afterEach(() => bed.close());

  it('removes finished commands older than the limit with their invocations and outputs; keeps recent and running ones', async () => {
    const old = await run(1, true);
    const running = await run(2, false);
    clock.ms = T0 + 31 * DAY;
    const recent = await run(1, true);
    assert.equal((await bed.commands.getCommand(running))?.Status, 'InProgress');

    const report = await pruner().runOnce();
    assert.deepEqual(report.kinds[0]?.removed, { commands: 1, invocations: 1, outputDirectories: 1 });

    assert.equal(await bed.commands.getCommand(old), undefined, 'the old finished command is gone');
    assert.deepEqual(await bed.commands.listInvocations(old), []);
    assert.equal(await exists(path.join(outputsDir(), old)), false, 'its outputs are gone');
    assert.equal((await bed.commands.getCommand(running))?.Status, 'InProgress', 'a command still in progress stays, however old');
    assert.equal((await bed.commands.getCommand(recent))?.Status, 'Success', 'a recent command stays');
    assert.equal((await bed.commands.listInvocations(recent)).length, 1);
    assert.equal((await new OutputStore(outputsDir()).read(recent, idOf(1), 'runShellScript', 'stdout'))?.length, 30_000, 'with its output');

    // One audit event for the run, with its counts; what went is gone from disk too.
    assert.equal(audited.length, 1);
    assert.equal(audited[0]!.operation, 'tender:PruneHistory');
    assert.equal(audited[0]!.outcome, 'success');
    assert.match(audited[0]!.detail ?? '', /^commands \(30 days, before 2026-09-02T12:00:00\.000Z\): 1 commands, 1 invocations, 1 outputDirectories$/);
    const onDisk = await readStoreFiles(bed.dir);
    assert.equal(onDisk[COMMANDS_TABLE]?.[old], undefined);
    assert.equal(onDisk[INVOCATIONS_TABLE]?.[invocationKey(old, idOf(1))], undefined);
    assert.deepEqual(Object.keys(onDisk[RETENTION_INTENTS_TABLE] ?? {}), [], 'no intent left behind');

    // Nothing more to do: the next run removes nothing and audits nothing.
    const again = await pruner().runOnce();
    assert.deepEqual(again.kinds[0]?.removed, { commands: 0, invocations: 0, outputDirectories: 0 });
    assert.equal(audited.length, 1);

    // The running command finishes; once it is 30 days past its end, it goes too.
    await bed.result(idOf(2), running);
    clock.ms += 29 * DAY;
    assert.deepEqual((await pruner().runOnce()).kinds[0]?.removed, { commands: 0, invocations: 0, outputDirectories: 0 }, 'its age counts from when it finished');
    clock.ms += 2 * DAY;
    assert.deepEqual((await pruner().runOnce()).kinds[0]?.removed, { commands: 2, invocations: 2, outputDirectories: 1 }, 'it and the "recent" one, now old');
  });

  it('lists a finished command\'s invocations without reading the whole table, after a restart and a prune too', async () => {
    const first = await run(1, true);
    const both = await bed.commands.sendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [idOf(2), idOf(1)], Parameters: { commands: ['echo hi'] } }, testContext);
    await bed.commands.whenSent();
    const second = String(both.Command.CommandId);
    for (const n of [1, 2]) await bed.result(idOf(n), second);
    clock.ms = T0 + 31 * DAY;
    const recent = await run(2, true);
    const listed = async (commandId: string) => (await bed.commands.listInvocations(commandId)).map((i) => `${i.InstanceId.slice(-1)} ${i.Status}`);
    const onInstance = async (n: number) => (await bed.commands.listInvocations(undefined, idOf(n))).map((i) => i.CommandId).sort();
    const expected = { [first]: ['1 Success'], [second]: ['2 Success', '1 Success'], [recent]: ['2 Success'] };
    const readsBefore = bed.invocationReads.count;
    for (const [id, rows] of Object.entries(expected)) assert.deepEqual(await listed(id), rows, `command ${id}, in the order it was sent`);
    assert.deepEqual(await onInstance(1), [first, second].sort());
    assert.deepEqual(await onInstance(2), [second, recent].sort());
    assert.equal(bed.invocationReads.count, readsBefore, 'no listing of one command, or of one instance, read the whole table');

    await bed.restart();
    assert.equal(bed.invocationReads.count, 1, 'the start reads it once (to resume unfinished commands, and to index)');
    for (const [id, rows] of Object.entries(expected)) assert.deepEqual(await listed(id), rows, `command ${id}, after a restart`);
    assert.equal(bed.invocationReads.count, 1);

    const pruned = new RetentionPruner({
      kinds: [commandRetention({ store: bed.store, outputsDir: outputsDir(), days: 30, isRunning: (id) => bed.commands.isRunning(id), now: clock.now, onPruned: (ids) => bed.commands.forgetCommands(ids) })],
      now: clock.now,
      audit: async (event) => audited.push(event),
      intervalMs: 0,
    });
    assert.deepEqual((await pruned.runOnce()).kinds[0]?.removed, { commands: 2, invocations: 3, outputDirectories: 1 });
    assert.deepEqual(await listed(first), []);
    assert.deepEqual(await listed(second), []);
    assert.deepEqual(await listed(recent), ['2 Success']);
    assert.deepEqual(await onInstance(1), []);
    assert.deepEqual(await onInstance(2), [recent]);
    assert.deepEqual((await bed.commands.listInvocations()).map((i) => i.CommandId), [recent], 'every command\'s: what is left');
  });

  it('finishes, after a restart, a prune that died midway: no command is left half-deleted', async () => {
    const first = await run(1, true);
    const second = await run(2, true);
    clock.ms = T0 + 31 * DAY;
    const outputs = new OutputStore(outputsDir());
    // A prune gets as far as recording its intent and deleting part of it, then the process dies.
    const deletions = new StoreDeletions(bed.store, { kind: 'commands', fileRoot: outputsDir(), now: clock.now });
    await deletions.plan(
      [first, second].map((id, index) => ({
        rows: [
          { table: INVOCATIONS_TABLE, key: invocationKey(id, idOf(index + 1)) },
          { table: COMMANDS_TABLE, key: id },
        ],
        files: [outputs.directoryOf(id)],
      })),
    );
    await bed.store.table(INVOCATIONS_TABLE).delete(invocationKey(first, idOf(1)));
    await bed.store.table(COMMANDS_TABLE).delete(first);
    await bed.restart();
    assert.equal(await exists(path.join(outputsDir(), first)), true, 'the half-pruned command still has its outputs');
    assert.ok(await bed.commands.getCommand(second), 'and the other one is whole');

    const report = await pruner().runOnce();
    assert.deepEqual(report.kinds[0]?.removed, { commands: 1, invocations: 1, outputDirectories: 2 });
    assert.equal(await bed.commands.getCommand(second), undefined);
    assert.deepEqual(await readdir(outputsDir()), [], 'both commands\' outputs are gone');
    assert.deepEqual(Object.keys((await readStoreFiles(bed.dir))[RETENTION_INTENTS_TABLE] ?? {}), []);
  });
});
