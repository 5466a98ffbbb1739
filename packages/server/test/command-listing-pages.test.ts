/**
 * ListCommands and ListCommandInvocations without a CommandId or InstanceId, page by page: a page reads its own rows
 * (never the whole commands or invocations table, which a month of a large fleet fills with hundreds of thousands),
 * and the NextToken is a position, so commands sent and commands pruned between pages neither repeat an item nor hide
 * one. Filters apply along the walk; a restart rebuilds the order.
 */
import assert from 'node:assert/strict';
import { commandOperations } from '../src/commands/index.js';
import { commandRetention } from '../src/commands/command-retention.js';
import { RetentionPruner } from '../src/retention/index.js';
import { idOf, instance, WindowBed } from './support/maintenance-window-bed.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';

const T0 = Date.parse('2026-09-01T12:00:00Z');
const DAY = 86_400_000;

interface Listed {
  Commands?: Array<{ CommandId: string; Status: string }>;
  CommandInvocations?: Array<{ CommandId: string; InstanceId: string }>;
  NextToken?: string;
}

describe('Run Command listings of everything, page by page', () => {
  let clock: ManualClock;
  let bed: WindowBed;

  const call = async (name: string, input: Record<string, unknown>): Promise<Listed> => {
    const operation = commandOperations(bed.commands).find((op) => op.name === name)!;
    return (await operation.handle(input, testContext)) as Listed;
  };
  const send = async (...instances: number[]): Promise<string> => {
    const { Command } = await bed.commands.sendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: instances.map(idOf), Parameters: { commands: ['echo hi'] } }, testContext);
    await bed.commands.whenSent();
    return String(Command.CommandId);
  };
  /** Every page of a listing, with `between(page)` run after each page but the last. */
  const walk = async <T>(name: string, input: Record<string, unknown>, pick: (listed: Listed) => T[], between?: (page: number) => Promise<void>): Promise<T[][]> => {
    const pages: T[][] = [];
    let NextToken: string | undefined;
    do {
      const listed = await call(name, { ...input, ...(NextToken ? { NextToken } : {}) });
      pages.push(pick(listed));
      NextToken = listed.NextToken;
      if (NextToken) await between?.(pages.length);
    } while (NextToken);
    return pages;
  };
  const ids = (listed: Listed) => (listed.Commands ?? []).map((command) => command.CommandId);
  const pairs = (listed: Listed) => (listed.CommandInvocations ?? []).map((invocation) => `${invocation.CommandId.slice(0, 8)} ${invocation.InstanceId.slice(-1)}`);

  beforeEach(async () => {
    clock = new ManualClock(T0);
    bed = await WindowBed.create(clock, [instance(1), instance(2), instance(3)]);
  });
  afterEach(() => bed.close());

  it('walks every command newest first, reading only its pages, with commands sent between pages', async () => {
    const sent: string[] = [];
    for (let n = 0; n < 7; n++) {
      sent.push(await send(1));
      if (n !== 2) clock.ms += 1000; // two commands at the same time: ordered by CommandId
    }
    const [tiedA, tiedB] = [sent[2]!, sent[3]!].sort();
    const newestFirst = [sent[6], sent[5], sent[4], tiedA, tiedB, sent[1], sent[0]];
    bed.commandReads.count = 0;
    bed.invocationReads.count = 0;

    const later: string[] = [];
    const pages = await walk('ListCommands', { MaxResults: 3 }, ids, async () => {
      clock.ms += 1000;
      later.push(await send(2)); // newest of all: before the walk's position, so not in it, and nothing shifts
    });
    assert.deepEqual(pages, [newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)], 'each command once, in order; no empty last page');
    assert.equal(bed.commandReads.count + bed.invocationReads.count, 0, 'no page read a whole table');

    // An offset would have shown the first page's last command again: two commands arrived in front of it.
    const everything = [...[...later].reverse(), ...newestFirst];
    assert.deepEqual((await call('ListCommands', {})).Commands?.map((c) => c.CommandId), everything);
    await bed.restart();
    bed.commandReads.count = 0;
    assert.deepEqual((await walk('ListCommands', { MaxResults: 4 }, ids)).flat(), everything, 'the same order after a restart');
    assert.equal(bed.commandReads.count, 0);
  });

  it('walks every invocation by command, newest first, then in dispatch order, across pages that split a command', async () => {
    const first = await send(2, 1, 3);
    clock.ms += 1000;
    const second = await send(3, 1);
    clock.ms += 1000;
    const third = await send(2);
    bed.commandReads.count = 0;
    bed.invocationReads.count = 0;
    const pages = await walk('ListCommandInvocations', { MaxResults: 2 }, pairs, async (page) => {
      if (page === 1) {
        clock.ms += 1000;
        await send(1, 2);
      }
    });
    const short = (id: string, n: number) => `${id.slice(0, 8)} ${n}`;
    assert.deepEqual(pages, [
      [short(third, 2), short(second, 3)],
      [short(second, 1), short(first, 2)],
      [short(first, 1), short(first, 3)],
    ]);
    assert.equal(bed.commandReads.count + bed.invocationReads.count, 0, 'no page read a whole table');
  });

  it('applies filters along the walk, and carries on past a command that retention removed between pages', async () => {
    // Retention counts from when a command finished, so it can remove one listed before another that stays.
    const a = await send(1); // requested first, finished last: kept
    clock.ms += DAY;
    const b = await send(1); // finished at once: removed after the second page
    await bed.result(idOf(1), b);
    clock.ms += DAY;
    const c = await send(1);
    clock.ms += DAY;
    await send(2); // never finishes: not Success, so not listed
    clock.ms = T0 + 5 * DAY;
    await bed.result(idOf(1), c);
    clock.ms = T0 + 10 * DAY;
    await bed.result(idOf(1), a);
    clock.ms = T0 + 31 * DAY;
    const prune = new RetentionPruner({
      kinds: [commandRetention({ store: bed.store, outputsDir: `${bed.dir}/outputs`, days: 29, isRunning: (id) => bed.commands.isRunning(id), now: clock.now, onPruned: (pruned) => bed.commands.forgetCommands(pruned) })],
      now: clock.now,
      audit: async () => undefined,
      intervalMs: 0,
    });
    const pages = await walk('ListCommands', { MaxResults: 1, Filters: [{ key: 'Status', value: 'Success' }] }, ids, async (page) => {
      if (page === 2) assert.deepEqual((await prune.runOnce()).kinds[0]?.removed.commands, 1);
    });
    // An offset (2) into what is left ([c, a]) would have ended the walk without a.
    assert.deepEqual(pages, [[c], [b], [a]]);
    assert.equal(await bed.commands.getCommand(b), undefined, 'b is gone');
  });

  it('refuses a token that is not a position in this listing', async () => {
    await send(1);
    clock.ms += 1000;
    await send(1);
    const fromCommands = (await call('ListCommands', { MaxResults: 1 })).NextToken!;
    await apiError(call('ListCommandInvocations', { NextToken: fromCommands }), 'InvalidNextToken');
    const offset = Buffer.from(JSON.stringify({ op: 'ListCommands', s: { offset: 1 } })).toString('base64url');
    await apiError(call('ListCommands', { NextToken: offset }), 'InvalidNextToken');
    const noSeq = Buffer.from(JSON.stringify({ op: 'ListCommandInvocations', s: { t: '2026-09-01T12:00:00.000Z', id: 'x' } })).toString('base64url');
    await apiError(call('ListCommandInvocations', { NextToken: noSeq }), 'InvalidNextToken');
  });
});
