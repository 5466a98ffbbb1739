/**
 * `tender send-command` and `tender commands list | get | cancel`, run as an operator runs them, against a real
 * control plane and a real agent process: --wait follows the invocations (progress on stderr, a table or JSON on
 * stdout) and exits 1 unless every one succeeded; list is newest first and stops at --limit; get shows an
 * invocation's output; cancel stops a running step; mistakes get the API's error and exit code 3.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { eventually, runCli, TENDER_BIN, type LiveProcess } from '../support/processes.js';

interface Invocation {
  InstanceId: string;
  Status: string;
  StatusDetails: string;
  StandardOutputContent?: string;
  ResponseCode?: number;
}

describe('Run Command from the CLI: send-command and commands list | get | cancel', function () {
  this.timeout(90_000);
  let cp: TestControlPlane;
  let work: string;
  let instanceId: string;
  let agent: LiveProcess;

  const tender = (...args: string[]) => runCli(TENDER_BIN, [...args, '--endpoint', cp.running.endpoint, '--data-dir', cp.dataDir], { timeoutMs: 60_000 });
  const json = <T>(result: { code: number | null; stdout: string; stderr: string }): T => {
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as T;
  };

  before(async () => {
    cp = await startTestControlPlane({ heartbeatSeconds: 5 });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-cli-rc-'));
    ({ instanceId, agent } = await cp.startAgent(path.join(work, 'agent'), ['--inventory-interval-minutes', '0']));
  });
  after(async () => {
    await agent?.kill('SIGKILL');
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('send-command --wait: progress on stderr, the invocations on stdout, exit 0 only when every one succeeded', async () => {
    const ok = await tender('send-command', '-d', 'AWS-RunShellScript', '-p', 'commands=echo from the cli', '-i', instanceId, '--comment', 'cli test', '--wait');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^[0-9a-f-]{36}: 1 Success \(of 1\)$/m, 'the last progress line');
    assert.match(ok.stdout, new RegExp(`${instanceId}.*Success`));

    const failed = await tender('send-command', '-d', 'AWS-RunShellScript', '-p', 'commands=echo about to fail', '-p', 'commands=exit 3', '-i', instanceId, '--wait', '--json');
    assert.equal(failed.code, 1, 'an invocation that failed fails the command line');
    assert.equal(failed.stderr, '', '--json: no progress lines to get in the way');
    const { Command, Invocations } = JSON.parse(failed.stdout) as { Command: { CommandId: string; Parameters: Record<string, string[]> }; Invocations: Invocation[] };
    assert.deepEqual(Command.Parameters.commands, ['echo about to fail', 'exit 3'], 'a repeated -p makes a list');
    assert.deepEqual(Invocations.map((i) => [i.InstanceId, i.Status]), [[instanceId, 'Failed']]);

    const got = json<Invocation>(await tender('commands', 'get', Command.CommandId, '--instance-id', instanceId, '--json'));
    assert.equal(got.StandardOutputContent, 'about to fail\n');
    assert.equal(got.ResponseCode, 3);
    const shown = await tender('commands', 'get', Command.CommandId, '--instance-id', instanceId);
    assert.match(shown.stdout, /Failed \(Failed\)\s+exit 3\n--- stdout ---\nabout to fail/);
  });

  it('commands list: newest first, filtered, at most --limit (with a note that there are more)', async () => {
    const sent: string[] = [];
    for (const word of ['one', 'two', 'three']) {
      const result = json<{ CommandId: string; Status: string }>(await tender('send-command', '-d', 'AWS-RunShellScript', '-p', `commands=echo ${word}`, '-i', instanceId, '--json'));
      assert.match(result.Status, /^(Pending|InProgress)$/, 'without --wait it answers at once');
      sent.push(result.CommandId);
    }
    for (const id of sent) await cp.finished(id, instanceId, 30_000);

    const listed = json<Array<{ CommandId: string; Status: string }>>(await tender('commands', 'list', '--json'));
    assert.ok(listed.length >= 5, 'the earlier test\'s two and these three');
    assert.deepEqual(listed.slice(0, 3).map((c) => c.CommandId), [...sent].reverse(), 'newest first');

    const two = await tender('commands', 'list', '--limit', '2');
    assert.equal(two.code, 0, two.stderr);
    for (const id of sent.slice(1)) assert.ok(two.stdout.includes(id));
    assert.ok(!two.stdout.includes(sent[0]!), 'the third newest is past the limit');
    assert.match(two.stderr, /the newest 2; there are more/);

    const failed = json<Array<{ Status: string }>>(await tender('commands', 'list', '--status', 'Failed', '--limit', '0', '--json'));
    assert.deepEqual(failed.map((c) => c.Status), ['Failed'], 'only the earlier test\'s failed command');
  });

  it('commands cancel stops a running step; a finished command cannot be cancelled', async () => {
    const { CommandId } = json<{ CommandId: string }>(await tender('send-command', '-d', 'AWS-RunShellScript', '-p', 'commands=sleep 60', '-i', instanceId, '--json'));
    await eventually(async () => (await json<Invocation[]>(await tender('commands', 'get', CommandId, '--json')))[0]?.Status === 'InProgress' || undefined, 'the step to start', 30_000);
    const cancelled = await tender('commands', 'cancel', CommandId);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, new RegExp(`Cancellation of ${CommandId} requested`));
    const final = await cp.finished(CommandId, instanceId, 30_000);
    assert.equal(final.Status, 'Cancelled');

    const again = await tender('commands', 'cancel', CommandId);
    assert.equal(again.code, 3, 'the API refused it');
    assert.match(again.stderr, /InvalidCommandId.*already finished/s);
  });

  it('refuses what cannot run with the API\'s error and exit code 3, and a malformed flag with 2', async () => {
    const unknown = await tender('send-command', '-d', 'No-Such-Document', '-i', instanceId);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /InvalidDocument/);
    const badParameter = await tender('send-command', '-d', 'AWS-RunShellScript', '-p', 'commands', '-i', instanceId);
    assert.equal(badParameter.code, 2, 'bad usage');
    assert.match(badParameter.stderr, /--parameter.*"commands" must be Key=Value/s);
    const badTarget = await runCli(TENDER_BIN, ['send-command', '-d', 'AWS-RunShellScript', '-t', 'tag:Env', '--endpoint', 'http://127.0.0.1:1'], { timeoutMs: 60_000 });
    assert.equal(badTarget.code, 2, 'found before any credentials are looked for or any call is made');
    assert.match(badTarget.stderr, /--target.*"tag:Env" must be Key=Value/s);
    const noDocument = await tender('send-command', '-i', instanceId);
    assert.equal(noDocument.code, 2);
    assert.match(noDocument.stderr, /document/);
  });
});
