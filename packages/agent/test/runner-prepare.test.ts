import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ActionContext, ActionHandler, PreparedStep } from '@tender/plugin-api';
import { actionsFromMap } from '../src/runner/index.js';
import { document22, makeCommand, openRunner, tempDir, type TestRunner } from './fixtures/runner/harness.js';

/**
 * An action's prepare() is a head start that overlaps the save of the step's record: called before that save, with
 * the context run() then gets and the step's orchestration folder in place; run() only once the record is on disk,
 * and never when it could not be saved.
 */
describe('agent runner: an action gets ready while its step is saved (prepare)', function () {
  this.timeout(20_000);
  let stateDir: string;
  let t: TestRunner | undefined;
  let calls: string[];
  let prepared: PreparedStep | undefined;

  const recordOf = (commandId: string) => path.join(stateDir, 'commands', 'current', `${commandId}.json`);
  /** An action that notes, at each call, whether the step's record was on disk yet. */
  const watching = (commandId: () => string, prepare?: (step: PreparedStep) => void): ActionHandler => ({
    prepare(step) {
      calls.push(`prepare: record saved ${existsSync(recordOf(commandId()))}, step folder made ${existsSync(step.orchestrationDirectory)}`);
      prepared = step;
      prepare?.(step);
    },
    async run(context) {
      calls.push(`run: record saved ${existsSync(recordOf(commandId()))}, step folder made ${existsSync(context.orchestrationDirectory)}, same step ${sameStep(context)}`);
      return { status: 'Success', exitCode: 0 };
    },
  });
  const step = { action: 'test:watching', name: 'watched', inputs: {} };
  /** Whether run() was given the step prepare() was told of. */
  const sameStep = (context: ActionContext) =>
    prepared !== undefined && (['inputs', 'orchestrationDirectory', 'downloadsDirectory', 'env', 'run', 'platform'] as const).every((key) => JSON.stringify(context[key]) === JSON.stringify(prepared![key]));

  beforeEach(async () => {
    stateDir = await tempDir();
    calls = [];
    prepared = undefined;
  });
  afterEach(async () => {
    await t?.runner.stop();
    t = undefined;
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('calls prepare() before the step\'s folder is made and its record saved (what it starts overlaps both), and run() after them with the same step', async () => {
    const command = makeCommand(document22([step]));
    t = await openRunner(stateDir, { actions: actionsFromMap({ 'test:watching': watching(() => command.commandId) }) });
    assert.equal((await t.run(command)).status, 'Success');
    assert.deepEqual(calls, ['prepare: record saved false, step folder made false', 'run: record saved true, step folder made true, same step true']);
  });

  it('never calls run() when the record cannot be saved (prepare() was only a head start)', async () => {
    const command = makeCommand(document22([step]));
    t = await openRunner(stateDir, { actions: actionsFromMap({ 'test:watching': watching(() => command.commandId) }) });
    // current/ and results/ become files: neither the record nor a result can be written.
    for (const dir of [path.join(stateDir, 'commands', 'current'), path.join(stateDir, 'results')]) {
      await fs.rm(dir, { recursive: true });
      await fs.writeFile(dir, 'not a folder');
    }
    await assert.rejects(t.runner.accept(command), /could not save or read this command's state/);
    assert.deepEqual(calls, ['prepare: record saved false, step folder made false']);
  });

  it('runs the step as usual when prepare() throws, and says so in the log', async () => {
    const command = makeCommand(document22([step]));
    const failing = watching(() => command.commandId, () => {
      throw new Error('no interpreter to start');
    });
    t = await openRunner(stateDir, { actions: actionsFromMap({ 'test:watching': failing }) });
    assert.equal((await t.run(command)).status, 'Success');
    assert.equal(calls.length, 2);
    assert.ok(
      t.logger.lines.some((line) => line.level === 'warn' && /could not get ready ahead of its step/.test(line.message) && JSON.stringify(line.fields).includes('no interpreter to start')),
      'the failure is logged',
    );
  });
});
