import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, realpath, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createShellScriptAction } from '../src/index.js';
import { stepFixture, type StepFixture } from '@tender/plugin-api/testing';

const unix = process.platform !== 'win32';

(unix ? describe : describe.skip)('action-script: aws:runShellScript (real /bin/sh)', () => {
  const action = createShellScriptAction({ killGraceMs: 500, pipeDrainMs: 300 });
  let fixture: StepFixture | undefined;
  const step = async (inputs: Record<string, unknown>, env?: Record<string, string>) => {
    fixture = await stepFixture(inputs, env ? { env } : {});
    const result = await action.run(fixture.context);
    return { result, fixture };
  };
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('captures stdout and stderr separately; exit 0 is Success', async () => {
    const { result, fixture } = await step({ runCommand: 'echo out; echo err >&2; echo out2' });
    assert.deepEqual(result, { status: 'Success', exitCode: 0 });
    assert.equal(fixture.stdout.text(), 'out\nout2\n');
    assert.equal(fixture.stderr.text(), 'err\n');
  });

  it('a non-zero exit is Failed with its code; output before it is kept', async () => {
    const { result, fixture } = await step({ runCommand: ['echo before', 'exit 42'] });
    assert.deepEqual(result, { status: 'Failed', exitCode: 42, message: 'failed to run commands: exit status 42' });
    assert.equal(fixture.stdout.text(), 'before\n');
  });

  it('an exit code the runner interprets (194, 168, 169) is passed through as it is', async () => {
    for (const code of [168, 169, 194]) {
      const { result } = await step({ runCommand: `exit ${code}` });
      assert.equal(result.exitCode, code);
      await fixture?.cleanup();
    }
  });

  it('a multi-line runCommand list is one script: a loop may span entries, and state carries over', async () => {
    const { result, fixture } = await step({ runCommand: ['greeting=hello', 'for i in 1 2 3; do', '  echo "$greeting $i"', 'done'] });
    assert.equal(result.status, 'Success');
    assert.equal(fixture.stdout.text(), 'hello 1\nhello 2\nhello 3\n');
  });

  it('starts the step\'s process before run() returns (no turn of the event loop, not even a microtask, in between)', async () => {
    const spawned: string[][] = [];
    const spawning = createShellScriptAction({
      killGraceMs: 500,
      pipeDrainMs: 300,
      spawn: (command, args, options) => {
        spawned.push([command, ...args]);
        return spawn(command, args, options);
      },
    });
    fixture = await stepFixture({ runCommand: ['#!/bin/sh', 'echo started'] });
    const running = spawning.run(fixture.context);
    assert.equal(spawned.length, 1, 'spawned by the time run() returned');
    // The #! line is read from the script's text: sh -c '<path>' lets the kernel honour it.
    assert.deepEqual(spawned[0], ['/bin/sh', '-c', `'${path.join(fixture.orchestrationDirectory, '_script.sh')}'`]);
    assert.deepEqual(await running, { status: 'Success', exitCode: 0 });
    assert.equal(fixture.stdout.text(), 'started\n');
  });

  it('writes the script in prepare(), ahead of the step, and run() runs it as written there (or writes it again if it differs)', async () => {
    fixture = await stepFixture({ runCommand: 'echo prepared' });
    await mkdir(fixture.orchestrationDirectory, { recursive: true }); // the runner makes it before prepare()
    action.prepare!(fixture.context);
    const scriptPath = path.join(fixture.orchestrationDirectory, '_script.sh');
    assert.equal(await readFile(scriptPath, 'utf8'), 'echo prepared\n');
    assert.equal((await stat(scriptPath)).mode & 0o777, 0o700);
    // Dated back, so that a second write would show.
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    await utimes(scriptPath, past, past);
    assert.deepEqual(await action.run(fixture.context), { status: 'Success', exitCode: 0 });
    assert.equal(fixture.stdout.text(), 'prepared\n');
    assert.equal((await stat(scriptPath)).mtimeMs, past.getTime(), 'run() did not write the prepared script again');

    // Prepared with one script, run with another (not what the runner does, but run() must not trust a stale file).
    action.prepare!(fixture.context);
    const changed = { ...fixture.context, inputs: { runCommand: 'echo changed' } };
    const again = await action.run(changed);
    assert.equal(again.status, 'Success');
    assert.equal(await readFile(scriptPath, 'utf8'), 'echo changed\n');
    assert.match(fixture.stdout.text(), /changed\n$/);
  });

  it('writes the script to <orchestrationDirectory>/_script.sh, owner-only, and runs there by default', async () => {
    const { result, fixture } = await step({ runCommand: ['pwd', 'echo $0'] });
    assert.equal(result.status, 'Success');
    const scriptPath = path.join(fixture.orchestrationDirectory, '_script.sh');
    assert.equal(await readFile(scriptPath, 'utf8'), 'pwd\necho $0\n');
    assert.equal((await stat(scriptPath)).mode & 0o777, 0o700);
    const [cwd, argv0] = fixture.stdout.text().trimEnd().split('\n');
    assert.equal(cwd, await realpath(fixture.orchestrationDirectory));
    assert.equal(argv0, scriptPath, 'sh executes the file itself, as SSM does (sh -c <path>)');
  });

  it('a #! line picks the interpreter, as in SSM', async () => {
    const { result, fixture } = await step({ runCommand: ['#!/usr/bin/env node', 'console.log(typeof process.versions.node)'] });
    assert.equal(result.status, 'Success', fixture.stderr.text());
    assert.equal(fixture.stdout.text(), 'string\n');
  });

  it('honours workingDirectory', async () => {
    fixture = await stepFixture({ runCommand: 'pwd' });
    const workingDirectory = path.join(fixture.root, 'work dir with spaces');
    await mkdir(workingDirectory);
    const result = await action.run({ ...fixture.context, inputs: { runCommand: 'pwd', workingDirectory } });
    assert.equal(result.status, 'Success');
    assert.equal(fixture.stdout.text(), `${await realpath(workingDirectory)}\n`);
  });

  it('a missing workingDirectory is Failed with a clear message, and nothing runs', async () => {
    const marker = path.join(os.tmpdir(), `tender-should-not-exist-${randomBytes(6).toString('hex')}`);
    const { result, fixture } = await step({ runCommand: `touch ${marker}`, workingDirectory: '/nonexistent/tender/dir' });
    assert.deepEqual(result, {
      status: 'Failed', exitCode: -1, message: 'aws:runShellScript: the workingDirectory /nonexistent/tender/dir does not exist',
    });
    await assert.rejects(access(marker));
    await assert.rejects(access(path.join(fixture.orchestrationDirectory, '_script.sh')));
  });

  it('a workingDirectory that is a file is reported as such', async () => {
    fixture = await stepFixture({});
    const file = path.join(fixture.root, 'file');
    await writeFile(file, '');
    const result = await action.run({ ...fixture.context, inputs: { runCommand: 'true', workingDirectory: file } });
    assert.equal(result.status, 'Failed');
    assert.equal(result.message, `aws:runShellScript: the workingDirectory ${file} is not a directory`);
  });

  it('a missing or empty runCommand is Failed with a clear message, never a throw', async () => {
    for (const inputs of [{}, { runCommand: '' }, { runCommand: [] }, { runCommand: 7 }]) {
      const { result } = await step(inputs);
      assert.equal(result.status, 'Failed');
      assert.equal(result.exitCode, -1);
      assert.match(result.message ?? '', /^aws:runShellScript: the input runCommand /);
      await fixture?.cleanup();
    }
  });

  it("context.env reaches the script as data: an SSM_ value with '; touch ...' is printed, never run", async () => {
    const marker = path.join(os.tmpdir(), `pwned-${randomBytes(8).toString('hex')}`);
    const value = `hello; touch ${marker}; $(touch ${marker}) \`touch ${marker}\``;
    const { result, fixture } = await step(
      { runCommand: ['echo "$SSM_Message"', 'echo $SSM_Message', 'printf "%s\\n" "$AWS_SSM_INSTANCE_ID"'] },
      { SSM_Message: value, AWS_SSM_INSTANCE_ID: 'mi-0123456789abcdef0' },
    );
    assert.equal(result.status, 'Success', fixture.stderr.text());
    assert.equal(fixture.stdout.text(), `${value}\n${value}\nmi-0123456789abcdef0\n`);
    await assert.rejects(access(marker), 'the marker file must not exist');
  });

  it('the agent environment is there too, under the step environment', async () => {
    const { fixture } = await step({ runCommand: 'echo "$HOME|$OVERRIDDEN"' }, { OVERRIDDEN: 'step' });
    assert.equal(fixture.stdout.text(), `${process.env.HOME ?? ''}|step\n`);
  });

  it('10 MB of output arrives byte for byte (count and SHA-256)', async function () {
    this.timeout(60_000);
    fixture = await stepFixture({});
    const source = path.join(fixture.root, 'random.bin');
    const data = randomBytes(10 * 1024 * 1024);
    await writeFile(source, data);
    const result = await action.run({ ...fixture.context, inputs: { runCommand: `cat '${source}'; cat '${source}' >&2` } });
    assert.equal(result.status, 'Success');
    const expected = createHash('sha256').update(data).digest('hex');
    for (const sink of [fixture.stdout, fixture.stderr]) {
      const bytes = sink.bytes();
      assert.equal(bytes.length, data.length);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), expected);
    }
  });

  it('bytes that are not UTF-8 arrive exactly', async () => {
    const { result, fixture } = await step({ runCommand: ["printf '\\377\\376'", "printf 'a\\200b\\300' >&2"] });
    assert.equal(result.status, 'Success');
    assert.deepEqual([...fixture.stdout.bytes()], [0xff, 0xfe]);
    assert.deepEqual([...fixture.stderr.bytes()], [0x61, 0x80, 0x62, 0xc0]);
  });

  it('an orchestration directory with quotes and $ in its path still works', async () => {
    fixture = await stepFixture({});
    const orchestrationDirectory = path.join(fixture.root, "it's $HOME `x`");
    const result = await action.run({ ...fixture.context, orchestrationDirectory, inputs: { runCommand: 'echo ok' } });
    assert.equal(result.status, 'Success', fixture.stderr.text());
    assert.equal(fixture.stdout.text(), 'ok\n');
  });

  it('runs the same step again over an existing script (the rerun after a reboot)', async () => {
    fixture = await stepFixture({ runCommand: 'echo first' });
    await action.run(fixture.context);
    const result = await action.run({ ...fixture.context, inputs: { runCommand: 'echo second' } });
    assert.equal(result.status, 'Success');
    assert.equal(fixture.stdout.text(), 'first\nsecond\n');
  });

  it('on a Windows context it is Failed with a pointer to aws:runPowerShellScript', async () => {
    fixture = await stepFixture({ runCommand: 'echo hi' }, { platform: 'win32' });
    const result = await action.run(fixture.context);
    assert.equal(result.status, 'Failed');
    assert.match(result.message ?? '', /Linux and macOS only; use aws:runPowerShellScript/);
  });
});
