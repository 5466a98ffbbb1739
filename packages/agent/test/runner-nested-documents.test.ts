import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JsonObject } from '@tender/documents';
import { loadPlugins } from '../src/plugins/plugin-loader.js';
import { actionsFromPlugins, MAX_NESTED_DOCUMENT_LEVEL, type ActionLookup, type DocumentSource } from '../src/runner/index.js';
import { document22, exists, isRunning, killAll, makeCommand, openRunner, readPids, shellStep, tempDir, unix, waitFor, type TestRunner } from './fixtures/runner/harness.js';

/** The real action plugins the agent ships: aws:runShellScript (action-script), aws:runDocument and aws:downloadContent. */
async function bundledActions(): Promise<ActionLookup> {
  return actionsFromPlugins(await loadPlugins({ packages: ['@tender/action-script', '@tender/action-document'] }));
}

/**
 * The control plane's documents, in memory: version "1" of each, with the control plane's error texts. The real
 * signed fetch is exercised end to end in test/e2e/run-document.test.ts.
 */
function documentSource(documents: Record<string, JsonObject>, fetched: string[] = []): DocumentSource {
  return async (name, version) => {
    fetched.push(version === undefined ? name : `${name}:${version}`);
    const content = documents[name];
    if (!content) throw new Error(`InvalidDocument: The specified document does not exist: ${name}`);
    if (version !== undefined && version !== '1' && version !== '$DEFAULT' && version !== '$LATEST') {
      throw new Error(`InvalidDocumentVersion: The document version is not valid or does not exist: ${name} has no version ${version}`);
    }
    return { name, version: '1', content: structuredClone(content) };
  };
}

const runDocumentStep = (name: string, inputs: JsonObject, more: JsonObject = {}): JsonObject => ({ action: 'aws:runDocument', name, inputs, ...more });

const GREETER = document22(
  [
    shellStep('hello', ['echo "hello $WHO from $AWS_SSM_INSTANCE_ID"'], {}, {}),
    shellStep('count', 'echo "count {{ times }}"'),
  ],
  { who: { type: 'String', allowedPattern: '^[a-z]+$' }, times: { type: 'Integer', default: 1 } },
);
// The greeting reads WHO from the environment, as ENV_VAR interpolation delivers it.
(GREETER.parameters as JsonObject).who = { type: 'String', allowedPattern: '^[a-z]+$', interpolationType: 'ENV_VAR' };
(GREETER.mainSteps as JsonObject[])[0] = shellStep('hello', ['echo "hello $SSM_who from $AWS_SSM_INSTANCE_ID"']);

(unix ? describe : describe.skip)('agent runner: nested documents (aws:runDocument, aws:downloadContent SSMDocument) with real actions', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner;
  let fetched: string[];

  async function open(documents: Record<string, JsonObject>): Promise<void> {
    fetched = [];
    t = await openRunner(stateDir, { actions: await bundledActions(), documents: documentSource(documents, fetched) });
  }

  beforeEach(async () => {
    stateDir = await tempDir();
  });
  afterEach(async () => {
    await t?.runner.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('AWS-RunDocument\'s shape: downloadContent (SSMDocument) into "ssmdocument", then runDocument LocalPath runs it with its parameters', async () => {
    await open({ Greeter: GREETER });
    const command = makeCommand(
      document22([
        { action: 'aws:downloadContent', name: 'downloadContent', inputs: { sourceType: 'SSMDocument', sourceInfo: '{"name": "Greeter:1"}', destinationPath: 'ssmdocument' } },
        runDocumentStep('runDocument', { documentType: 'LocalPath', documentPath: 'ssmdocument', documentParameters: '{"who": "tender", "times": "3"}' }),
      ]),
    );
    const result = await t.run(command);
    assert.equal(result.status, 'Success', JSON.stringify(result.steps.map((s) => s.message)));
    const [download, run] = result.steps;
    const file = path.join(stateDir, 'runs', command.commandId, '.downloads', 'ssmdocument');
    assert.match(download!.stdout.preview, /^Downloaded document Greeter version 1 to .*ssmdocument/);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), GREETER, 'the download stays for the next step, in the command\'s downloads folder');
    // The nested steps' output is the calling step's, byte for byte; they ran as this instance.
    assert.equal(run!.stdout.preview, 'hello tender from mi-0123456789abcdef0\ncount 3\n');
    assert.equal(await fs.readFile(run!.stdout.file, 'utf8'), 'hello tender from mi-0123456789abcdef0\ncount 3\n');
    assert.equal(run!.responseCode, 0);
    assert.deepEqual(fetched, ['Greeter:1']);
  });

  it('runDocument SSMDocument: nested onFailure and 168 stop only the nested document; a failing nested step fails the calling step', async () => {
    const marker = path.join(stateDir, 'skipped-ran');
    await open({
      StopsEarly: document22([shellStep('done', ['echo early', 'exit 168']), shellStep('never', `touch ${marker}`)]),
      Fails: document22([shellStep('bad', ['echo bad >&2', 'exit 7']), shellStep('cleanup', 'echo cleanup', { finallyStep: true })]),
    });
    const result = await t.run(
      makeCommand(
        document22([
          runDocumentStep('early', { documentType: 'SSMDocument', documentPath: 'StopsEarly' }),
          runDocumentStep('failing', { documentType: 'SSMDocument', documentPath: 'Fails' }),
          shellStep('after', 'echo after'),
        ]),
      ),
    );
    const [early, failing, after] = result.steps;
    assert.equal(early!.status, 'Success');
    assert.equal(early!.responseCode, 0, 'the nested 168 is not passed up');
    assert.match(early!.stdout.preview, /^early\n/);
    assert.equal(await exists(marker), false);
    assert.equal(failing!.status, 'Failed');
    assert.equal(failing!.responseCode, 1);
    assert.equal(failing!.message, 'aws:runDocument: Fails (version 1): step bad failed: failed to run commands: exit status 7');
    assert.match(failing!.stderr.preview, /^bad\n/);
    assert.match(failing!.stdout.preview, /cleanup/, 'the nested finallyStep ran');
    assert.equal(after!.status, 'Success', 'the calling document goes on');
    assert.equal(result.status, 'Failed');
  });

  it('bad input fails the calling step with a clear message: unknown document, unknown version, invalid document, bad and missing parameters', async () => {
    await open({
      Greeter: GREETER,
      Invalid: { schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: { runCommand: 'echo' }, bogus: true }] },
    });
    const result = await t.run(
      makeCommand(
        document22([
          runDocumentStep('unknown', { documentType: 'SSMDocument', documentPath: 'Nope' }),
          runDocumentStep('version', { documentType: 'SSMDocument', documentPath: 'Greeter:5' }),
          runDocumentStep('invalid', { documentType: 'SSMDocument', documentPath: 'Invalid' }),
          runDocumentStep('pattern', { documentType: 'SSMDocument', documentPath: 'Greeter', documentParameters: { who: 'x; touch /tmp/pwned' } }),
          runDocumentStep('missing', { documentType: 'SSMDocument', documentPath: 'Greeter' }),
          runDocumentStep('extra', { documentType: 'SSMDocument', documentPath: 'Greeter', documentParameters: { who: 'a', colour: 'red' } }),
        ]),
      ),
    );
    assert.equal(result.status, 'Failed');
    const messages = Object.fromEntries(result.steps.map((step) => [step.name, [step.status, step.message]]));
    assert.deepEqual(messages.unknown, ['Failed', 'aws:runDocument: could not get the document Nope from the control plane: InvalidDocument: The specified document does not exist: Nope']);
    assert.deepEqual(messages.version, ['Failed', 'aws:runDocument: could not get the document Greeter version 5 from the control plane: InvalidDocumentVersion: The document version is not valid or does not exist: Greeter has no version 5']);
    assert.match(String(messages.invalid![1]), /^aws:runDocument: Invalid \(version 1\): mainSteps\[0\]/);
    assert.equal(messages.pattern![1], 'aws:runDocument: Parameter "who" value "x; touch /tmp/pwned" does not match pattern ^[a-z]+$');
    assert.equal(messages.missing![1], 'aws:runDocument: Parameter "who" is required: it has no default and no value was given');
    assert.equal(messages.extra![1], 'aws:runDocument: Parameter "colour" is not defined in document "Greeter (version 1)"');
    for (const step of result.steps) assert.equal(step.stdout.preview, '', `${step.name}: nothing ran`);
  });

  it(`stops recursion: a document that runs itself runs ${MAX_NESTED_DOCUMENT_LEVEL} levels deep, then the step fails`, async () => {
    await open({
      Recursive: document22(
        [shellStep('say', 'echo "level {{ level }}"'), runDocumentStep('again', { documentType: 'SSMDocument', documentPath: 'Recursive', documentParameters: '{"level": "deeper"}' })],
        { level: { type: 'String', default: 'one' } },
      ),
    });
    const result = await t.run(makeCommand(document22([runDocumentStep('start', { documentType: 'SSMDocument', documentPath: 'Recursive' })])));
    const step = result.steps[0]!;
    assert.equal(step.status, 'Failed');
    assert.equal(step.stdout.preview, 'level one\nlevel deeper\nlevel deeper\n', 'levels 1, 2 and 3 ran');
    assert.match(step.stderr.preview, /Maximum depth for document execution exceeded: documents nest at most 3 levels deep, and running Recursive \(version 1\) would be level 4/);
    assert.match(step.message!, /^aws:runDocument: Recursive \(version 1\): step again failed: .*Recursive \(version 1\): step again failed: .*Maximum depth/);
    assert.equal(fetched.length, 4, 'the fourth fetch happens, its run does not');
  });

  it('a cancel stops the nested step\'s processes; the calling step is Cancelled', async () => {
    const pids = path.join(stateDir, 'pids');
    await open({ Sleeper: document22([shellStep('long', [`sleep 60 & echo $! >> ${pids}`, `echo $$ >> ${pids}`, 'sleep 60']), shellStep('never', 'echo never')]) });
    const command = makeCommand(document22([runDocumentStep('nested', { documentType: 'SSMDocument', documentPath: 'Sleeper' }), shellStep('after', 'echo after')]));
    try {
      await t.runner.accept(command);
      await waitFor('the nested step to start its processes', async () => (await readPids(pids)).length === 2);
      assert.equal(await t.runner.cancel(command.commandId), 'cancelling');
      const result = await t.waitForResult(command.commandId);
      assert.equal(result.status, 'Cancelled');
      assert.deepEqual(result.steps.map((step) => [step.name, step.status]), [['nested', 'Cancelled'], ['after', 'Cancelled']]);
      assert.equal(result.steps[0]!.stdout.preview, '', 'the second nested step did not run');
      for (const pid of await readPids(pids)) assert.equal(await isRunning(pid), false, `process ${pid} is gone`);
    } finally {
      killAll(await readPids(pids));
    }
  });

  it('the command\'s execution timeout reaches the nested step: TimedOut', async () => {
    await open({ Sleeper: document22([shellStep('long', 'sleep 30')]) });
    const result = await t.run(makeCommand(document22([runDocumentStep('nested', { documentType: 'SSMDocument', documentPath: 'Sleeper' })]), { executionTimeoutSeconds: 1 }));
    assert.equal(result.status, 'TimedOut');
    assert.equal(result.steps[0]!.status, 'TimedOut');
    assert.match(result.steps[0]!.message!, /timed out while running Sleeper/);
  });

  it('a nested step cannot reboot the host: exit 194 fails it clearly and the rebooter is never called', async () => {
    await open({ Reboots: document22([shellStep('reboot', 'exit 194')]) });
    const result = await t.run(makeCommand(document22([runDocumentStep('nested', { documentType: 'SSMDocument', documentPath: 'Reboots' })])));
    assert.equal(result.steps[0]!.status, 'Failed');
    assert.match(result.steps[0]!.message!, /exited with 194 to ask for a reboot, which a step of a nested document cannot do/);
  });

  it('without a document source (an agent with no control plane to ask), SSMDocument steps fail clearly', async () => {
    t = await openRunner(stateDir, { actions: await bundledActions() });
    const result = await t.run(makeCommand(document22([runDocumentStep('nested', { documentType: 'SSMDocument', documentPath: 'Greeter' })])));
    assert.equal(result.steps[0]!.message, 'aws:runDocument: documentType SSMDocument needs an agent that can fetch documents from its control plane, and this one cannot');
  });
});
