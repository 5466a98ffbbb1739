import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '@tender/documents';
import { STDERR_PREVIEW_CHARACTERS, STDOUT_PREVIEW_CHARACTERS } from '../src/runner/index.js';
import { document22, exists, isRunning, killAll, makeCommand, openRunner, readPids, shellStep, tempDir, unix, type TestRunner } from './fixtures/runner/harness.js';

// From dist/test/ up to the folder that holds the repository and ../shared.
const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/ssm-corpus');
/** A corpus document, or a skipped test (saying so) where ../shared/ssm-corpus is not beside the repository. */
async function corpusDocument(context: Mocha.Context, file: string): Promise<JsonObject> {
  const text = await fs.readFile(path.join(CORPUS, file), 'utf8').catch(() => undefined);
  if (text === undefined) {
    console.log(`      (skipped: SSM corpus not found at ${CORPUS})`);
    context.skip();
  }
  return JSON.parse(text as string) as JsonObject;
}

(unix ? describe : describe.skip)('agent runner: documents, steps and exit codes (real /bin/sh through @tender/action-script)', function () {
  this.timeout(30_000);
  let stateDir: string;
  let t: TestRunner;

  beforeEach(async () => {
    stateDir = await tempDir();
    t = await openRunner(stateDir);
  });
  afterEach(async () => {
    await t.runner.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('runs a multi-step 2.2 document in order, every byte of output in files, previews in the result', async () => {
    const order = path.join(stateDir, 'order');
    const command = makeCommand(
      document22([
        shellStep('first', [`echo first >> ${order}`, 'echo "out of first"', 'echo "err of first" >&2']),
        shellStep('second', [`echo second >> ${order}`, 'echo "instance $AWS_SSM_INSTANCE_ID in $AWS_SSM_REGION_NAME"', 'echo "platform $AWS_SSM_PLATFORM_NAME $AWS_SSM_PLATFORM_VERSION"']),
        shellStep('third', [`echo third >> ${order}`, 'pwd', 'printf "no newline"']),
      ]),
    );
    const result = await t.run(command);
    assert.equal(result.status, 'Success');
    assert.equal(result.statusDetails, 'Success');
    assert.equal(result.responseCode, 0);
    assert.ok(result.startedAt && result.endedAt >= result.startedAt);
    assert.equal(await fs.readFile(order, 'utf8'), 'first\nsecond\nthird\n');
    assert.deepEqual(result.steps.map((step) => [step.name, step.action, step.status, step.statusDetails, step.responseCode, step.runs]), [
      ['first', 'aws:runShellScript', 'Success', 'Success', 0, 1],
      ['second', 'aws:runShellScript', 'Success', 'Success', 0, 1],
      ['third', 'aws:runShellScript', 'Success', 'Success', 0, 1],
    ]);
    const [first, second, third] = result.steps;
    assert.equal(first!.stdout.preview, 'out of first\n');
    assert.equal(first!.stderr.preview, 'err of first\n');
    assert.equal(first!.stdout.file, path.join(stateDir, 'runs', command.commandId, 'first', 'stdout'));
    assert.equal(await fs.readFile(first!.stdout.file, 'utf8'), 'out of first\n');
    assert.equal(await fs.readFile(first!.stderr.file, 'utf8'), 'err of first\n');
    assert.equal(first!.stdout.bytes, 13);
    assert.equal(first!.stdout.truncated, false);
    assert.equal(second!.stdout.preview, 'instance mi-0123456789abcdef0 in eu-west-1\nplatform Tender Test Linux 1.0\n');
    // The script ran in its orchestration folder, which the runner removes once the step is over.
    const orchestration = path.join(stateDir, 'runs', command.commandId, 'third', 'orchestration');
    assert.equal(third!.stdout.preview, `${await fs.realpath(path.dirname(orchestration))}/orchestration\nno newline`);
    assert.equal(await exists(orchestration), false);
    // Ended: in the spool and nowhere else; once acknowledged, in completed/.
    const where = async () =>
      Promise.all(['commands/pending', 'commands/current', 'results', 'commands/completed'].map((dir) => exists(path.join(stateDir, dir, `${command.commandId}.json`))));
    assert.deepEqual(await where(), [false, false, true, false]);
    await t.runner.ackResult(command.commandId);
    assert.deepEqual(await where(), [false, false, false, true]);
  });

  it('runs the corpus AWS-RunShellScript (schema 1.2) with its parameters', async function () {
    const result = await t.run(
      makeCommand(await corpusDocument(this, 'command/AWS-RunShellScript.json'), {
        documentName: 'AWS-RunShellScript',
        parameters: { commands: ['echo hello from 1.2', 'echo "$((6 * 7))"'] },
      }),
    );
    assert.equal(result.status, 'Success', JSON.stringify(result.steps));
    assert.equal(result.steps.length, 1);
    assert.equal(result.steps[0]!.name, 'aws:runShellScript');
    assert.equal(path.basename(path.dirname(result.steps[0]!.stdout.file)), 'aws_runShellScript', 'a : is not kept in a folder name');
    assert.equal(result.steps[0]!.stdout.preview, 'hello from 1.2\n42\n');
  });

  it('skips a Windows step by its precondition on Linux and runs the Linux one (corpus cross-platform document)', async function () {
    const written = await corpusDocument(this, 'command/awsdocs-CrossPlatformSample.json');
    // The corpus runs a placeholder ("cmds"); derive a runnable variant, as its README asks.
    const steps = (written.mainSteps as JsonObject[]).map((step) =>
      step.name === 'PatchLinux' ? { ...step, inputs: { runCommand: ['echo patched linux'] } } : step,
    );
    const result = await t.run(makeCommand({ ...written, mainSteps: steps }, { documentName: 'awsdocs-CrossPlatformSample' }));
    assert.equal(result.status, 'Success');
    const [windows, linux] = result.steps;
    assert.equal(windows!.status, 'Skipped');
    assert.equal(windows!.statusDetails, 'Skipped');
    assert.equal(windows!.responseCode, 0);
    assert.equal(windows!.runs, 0);
    assert.equal(windows!.message, `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, Windows]'. Step name: PatchWindows`);
    assert.equal(windows!.stdout.preview, windows!.message);
    assert.equal(linux!.status, 'Success');
    assert.equal(linux!.stdout.preview, 'patched linux\n');
  });

  it('a step printing 10 MB keeps every byte in its file and a 24,000-character preview', async () => {
    // Printable text with two-byte characters, so characters and bytes differ.
    const unit = 'abcdefghij0123456789é\n';
    const text = unit.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(unit)));
    const source = path.join(stateDir, 'ten-megabytes.txt');
    await fs.writeFile(source, text);
    const errText = 'E'.repeat(20_000);
    const result = await t.run(makeCommand(document22([shellStep('big', [`cat ${source}`, `printf '${errText}' >&2`])])));
    assert.equal(result.status, 'Success');
    const step = result.steps[0]!;
    const expected = await fs.readFile(source);
    assert.ok(expected.byteLength > 10 * 1024 * 1024);
    assert.equal(step.stdout.bytes, expected.byteLength);
    const kept = await fs.readFile(step.stdout.file);
    assert.equal(createHash('sha256').update(kept).digest('hex'), createHash('sha256').update(expected).digest('hex'));
    assert.equal(step.stdout.preview.length, STDOUT_PREVIEW_CHARACTERS);
    assert.equal(step.stdout.preview, text.slice(0, STDOUT_PREVIEW_CHARACTERS));
    assert.equal(step.stdout.truncated, true);
    assert.equal(step.stderr.preview, errText.slice(0, STDERR_PREVIEW_CHARACTERS));
    assert.equal(step.stderr.bytes, 20_000);
    assert.equal(step.stderr.truncated, true);
  });

  it('output that is not UTF-8 is kept byte for byte; the preview decodes it with U+FFFD', async () => {
    const result = await t.run(makeCommand(document22([shellStep('binary', "printf 'ok \\377\\376 end'")])));
    const step = result.steps[0]!;
    assert.deepEqual([...(await fs.readFile(step.stdout.file))], [...Buffer.from('ok '), 0xff, 0xfe, ...Buffer.from(' end')]);
    assert.equal(step.stdout.preview, 'ok \uFFFD\uFFFD end');
  });

  it('an unknown action fails its step; onFailure exit skips the rest, and a finallyStep still runs', async () => {
    const marker = path.join(stateDir, 'should-not-exist');
    const result = await t.run(
      makeCommand(
        document22([
          { action: 'aws:foo', name: 'unknown', inputs: { onFailure: 'exit' } },
          shellStep('skipped', `touch ${marker}`),
          shellStep('cleanup', 'echo cleaning up', { finallyStep: true }),
        ]),
      ),
    );
    assert.equal(result.status, 'Failed');
    assert.equal(result.statusDetails, 'Failed');
    const [unknown, skipped, cleanup] = result.steps;
    assert.equal(unknown!.status, 'Failed');
    assert.equal(unknown!.responseCode, -1, 'nothing ran, so there is no exit code');
    assert.match(unknown!.message!, /^the action aws:foo is not available on this agent \(no plugin provides it\)/);
    assert.match(unknown!.stderr.preview, /not available on this agent[\s\S]*Step was found to have onFailure property\. Further document steps will be skipped\./);
    assert.equal(skipped!.status, 'Skipped');
    assert.equal(skipped!.message, 'Plugin with name aws:runShellScript and id skipped skipped due to prior step with an exit condition');
    assert.equal(await exists(marker), false);
    assert.equal(cleanup!.status, 'Success');
    assert.equal(cleanup!.stdout.preview, 'cleaning up\n');
    assert.equal(result.responseCode, -1);
  });

  it('without onFailure, an unknown action fails its step and the document goes on', async () => {
    const result = await t.run(makeCommand(document22([{ action: 'tender:nothing', name: 'unknown', inputs: {} }, shellStep('next', 'echo next')])));
    assert.equal(result.status, 'Failed');
    assert.deepEqual(result.steps.map((step) => step.status), ['Failed', 'Success']);
  });

  it('exit 168 marks the step succeeded and skips the rest (but not a finallyStep)', async () => {
    const result = await t.run(
      makeCommand(document22([shellStep('stop', ['echo stopping', 'exit 168']), shellStep('after', 'echo after'), shellStep('finally', 'echo finally', { finallyStep: true })])),
    );
    assert.equal(result.status, 'Success');
    assert.equal(result.responseCode, 0, 'the deciding step of a success is the last that ran');
    const [stop, after, last] = result.steps;
    assert.equal(stop!.status, 'Success');
    assert.equal(stop!.responseCode, 168);
    assert.equal(stop!.stdout.preview, 'stopping\n\nStep exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped.');
    assert.equal(stop!.stderr.preview, '', 'SSM drops the error of a step that 168 made a success');
    assert.equal(stop!.message, undefined);
    assert.equal(after!.status, 'Skipped');
    assert.equal(last!.status, 'Success');
  });

  it('exit 169 marks the step failed and skips the rest', async () => {
    const result = await t.run(makeCommand(document22([shellStep('stop', ['echo failing', 'exit 169']), shellStep('after', 'echo after')])));
    assert.equal(result.status, 'Failed');
    assert.equal(result.responseCode, 169);
    const [stop, after] = result.steps;
    assert.equal(stop!.status, 'Failed');
    assert.equal(stop!.responseCode, 169);
    assert.match(stop!.stdout.preview, /^failing\n\nStep exited with code 169\. Therefore, marking step as Failed\. Further document steps will be skipped\.$/);
    assert.equal(stop!.stderr.preview, 'failed to run commands: exit status 169\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped.');
    assert.equal(after!.status, 'Skipped');
  });

  it('onFailure successAndExit reports the failed step successful with 168; onSuccess exit stops after a success', async () => {
    const first = await t.run(makeCommand(document22([shellStep('fails', 'exit 3', { onFailure: 'successAndExit' }), shellStep('after', 'echo after')])));
    assert.equal(first.status, 'Success');
    assert.deepEqual(first.steps.map((step) => [step.status, step.responseCode]), [['Success', 168], ['Skipped', 0]]);
    const second = await t.run(makeCommand(document22([shellStep('done', 'true', { onSuccess: 'exit' }), shellStep('after', 'echo after')])));
    assert.deepEqual(second.steps.map((step) => step.status), ['Success', 'Skipped']);
  });

  it('a failing step does not stop the document without onFailure; the invocation is Failed with its code', async () => {
    const result = await t.run(makeCommand(document22([shellStep('fails', ['echo oops >&2', 'exit 7']), shellStep('next', 'echo next')])));
    assert.equal(result.status, 'Failed');
    assert.equal(result.responseCode, 7);
    assert.deepEqual(result.steps.map((step) => [step.status, step.responseCode]), [['Failed', 7], ['Success', 0]]);
    // SSM Agent appends its error after a newline (iohandler.AppendError), whatever the output ended with.
    assert.equal(result.steps[0]!.stderr.preview, 'oops\n\nfailed to run commands: exit status 7');
    assert.equal(await fs.readFile(result.steps[0]!.stderr.file, 'utf8'), 'oops\n', 'the file holds only what the process wrote');
  });

  it('an ENV_VAR parameter reaches the script as data: x; touch /tmp/pwned-<rand> creates nothing', async () => {
    const pwned = path.join(os.tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
    const value = `x; touch ${pwned}`;
    const command = makeCommand(
      document22([shellStep('echo', ['echo "message: {{ Message }}"', 'echo {{Message}}', 'printf %s "$SSM_Message"'])], {
        Message: { type: 'String', interpolationType: 'ENV_VAR' },
      }),
      { parameters: { Message: value } },
    );
    const result = await t.run(command);
    assert.equal(result.status, 'Success', JSON.stringify(result.steps[0]));
    assert.equal(result.steps[0]!.stdout.preview, `message: ${value}\n${value}\n${value}`);
    assert.equal(await exists(pwned), false, 'the value was never run as a command');
  });

  it('an invalid document or parameter fails the whole command with the error, before anything runs', async () => {
    const bad = await t.run(makeCommand({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', inputs: { runCommand: 'true' } }] }, { documentName: 'Bad-Doc' }));
    assert.equal(bad.status, 'Failed');
    assert.equal(bad.responseCode, -1);
    assert.deepEqual(bad.steps, []);
    assert.equal(bad.startedAt, undefined);
    assert.match(bad.message!, /^Bad-Doc: mainSteps\[0\]/);
    const badParameter = await t.run(
      makeCommand(document22([shellStep('x', 'echo {{ Count }}')], { Count: { type: 'Integer' } }), { documentName: 'Needs-Integer', parameters: { Count: 'many' } }),
    );
    assert.equal(badParameter.status, 'Failed');
    assert.match(badParameter.message!, /Parameter "Count" value "many" is not a valid Integer/);
  });

  it('a step timeout stops the whole process tree: TimedOut (ExecutionTimedOut), and the document goes on', async () => {
    const pids = path.join(stateDir, 'pids');
    const command = makeCommand(
      document22([
        shellStep('slow', [`sleep 60 & echo $! >> ${pids}`, `echo $$ >> ${pids}`, 'sleep 60'], { timeoutSeconds: 5 }),
        shellStep('next', 'echo next'),
      ]),
    );
    const started = Date.now();
    try {
      const result = await t.run(command, 25_000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 4_900 && elapsed < 15_000, `timed out after ${elapsed} ms`);
      const [slow, next] = result.steps;
      assert.equal(slow!.status, 'TimedOut');
      assert.equal(slow!.statusDetails, 'ExecutionTimedOut');
      assert.equal(slow!.responseCode, 137);
      assert.match(slow!.stderr.preview, /timed out/);
      assert.equal(next!.status, 'Success', 'SSM goes on after a step timeout');
      assert.equal(result.status, 'TimedOut');
      assert.equal(result.statusDetails, 'ExecutionTimedOut');
      const recorded = await readPids(pids);
      assert.equal(recorded.length, 2);
      for (const pid of recorded) assert.equal(await isRunning(pid), false, `process ${pid} is gone`);
    } finally {
      killAll(await readPids(pids));
    }
  });

  it('the command execution timeout stops the running step and ends the rest unrun: TimedOut', async () => {
    const marker = path.join(stateDir, 'never');
    const result = await t.run(
      makeCommand(
        document22([shellStep('quick', 'echo quick'), shellStep('slow', 'sleep 30'), shellStep('later', `touch ${marker}`), shellStep('finally', `touch ${marker}`, { finallyStep: true })]),
        { executionTimeoutSeconds: 1 },
      ),
    );
    assert.equal(result.status, 'TimedOut');
    assert.equal(result.statusDetails, 'ExecutionTimedOut');
    assert.match(result.message!, /execution timeout \(1 s\) expired/);
    assert.deepEqual(result.steps.map((step) => [step.status, step.responseCode]), [
      ['Success', 0],
      ['TimedOut', 137],
      ['TimedOut', -1],
      ['TimedOut', -1],
    ]);
    assert.equal(result.responseCode, 137);
    assert.match(result.steps[2]!.message!, /^Step not run: the command's execution timeout \(1 s\) expired\.$/);
    assert.equal(await exists(marker), false);
  });
});
