/** The in-memory order of every stored command that ListCommands and ListCommandInvocations walk page by page. */
import { strict as assert } from 'node:assert';
import { CommandOrder } from '../src/commands/command-order.js';

describe('CommandOrder', () => {
  const at = (second: number, id: string) => ({ t: `2026-09-01T12:00:${String(second).padStart(2, '0')}.000Z`, id });

  it('lists newest first, ties by id, from a position inclusive or not, including commands added out of order', () => {
    const order = new CommandOrder();
    for (const position of [at(1, 'a'), at(3, 'c'), at(2, 'b2'), at(2, 'b1'), at(4, 'd')]) order.add(position);
    assert.deepEqual([...order.newestFirst()], ['d', 'c', 'b1', 'b2', 'a']);
    assert.deepEqual([...order.newestFirst({ position: at(2, 'b1'), inclusive: false })], ['b2', 'a']);
    assert.deepEqual([...order.newestFirst({ position: at(2, 'b1'), inclusive: true })], ['b1', 'b2', 'a']);
    assert.deepEqual([...order.newestFirst({ position: at(2, 'b0'), inclusive: true })], ['b1', 'b2', 'a'], 'a position no command holds');
    assert.deepEqual([...order.newestFirst({ position: at(0, 'z'), inclusive: false })], []);
    order.forget(new Set(['c', 'b2']));
    assert.deepEqual([...order.newestFirst()], ['d', 'b1', 'a']);
  });

  it('starts from the stored commands in any order', () => {
    const order = new CommandOrder([at(2, 'b'), at(4, 'd'), at(1, 'a'), at(3, 'c2'), at(3, 'c1')]);
    assert.deepEqual([...order.newestFirst()], ['d', 'c1', 'c2', 'b', 'a']);
    order.add(at(5, 'e'));
    assert.deepEqual([...order.newestFirst({ position: at(3, 'c1'), inclusive: false })], ['c2', 'b', 'a']);
    assert.equal([...order.newestFirst()][0], 'e');
  });

  it('a listing under way is not disturbed by commands added or forgotten meanwhile', () => {
    const order = new CommandOrder();
    for (const position of [at(1, 'a'), at(2, 'b'), at(3, 'c')]) order.add(position);
    const walking = order.newestFirst();
    assert.equal(walking.next().value, 'c');
    order.add(at(4, 'd')); // the newest: before where the listing is
    order.add(at(0, 'z')); // out of order, behind it
    order.forget(new Set(['b']));
    assert.deepEqual([...walking], ['b', 'a'], 'what it set out to list, once each');
    assert.deepEqual([...order.newestFirst()], ['d', 'c', 'a', 'z']);
  });
});
