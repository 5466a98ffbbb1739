import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { abortReasonOf } from '@tender/plugin-api';
import { environmentValue, mergeEnvironment } from '../src/environment.js';
import { parseProcStat } from '../src/process-group.js';
import { resultFromOutcome } from '../src/script-result.js';
import { quoteForSh, shellCommand } from '../src/shell-command.js';

describe('action-script: abort reasons', () => {
  const aborted = (reason?: unknown): AbortSignal => {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  };

  it("'timeout' is a timeout, 'cancel' a cancellation, and anything else a cancellation", () => {
    assert.equal(abortReasonOf(aborted('timeout')), 'timeout');
    assert.equal(abortReasonOf(aborted('cancel')), 'cancel');
    assert.equal(abortReasonOf(aborted()), 'cancel');
    assert.equal(abortReasonOf(aborted('shutdown')), 'cancel');
    assert.equal(abortReasonOf(aborted(new Error('timeout'))), 'cancel');
  });

  it('the DOMException of AbortSignal.timeout() is a timeout', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    assert.equal(abortReasonOf(signal), 'timeout');
  });
});

describe('action-script: results', () => {
  const result = (outcome: Parameters<typeof resultFromOutcome>[1], platform: NodeJS.Platform = 'linux') =>
    resultFromOutcome('aws:runShellScript', outcome, platform);

  it('exit 0 is Success; any other exit code is Failed with that code, even 137', () => {
    assert.deepEqual(result({ kind: 'exited', code: 0, leftoversStopped: false }), { status: 'Success', exitCode: 0 });
    assert.deepEqual(result({ kind: 'exited', code: 3, leftoversStopped: false }), { status: 'Failed', exitCode: 3, message: 'failed to run commands: exit status 3' });
    assert.equal(result({ kind: 'exited', code: 137, leftoversStopped: false }).status, 'Failed');
  });

  it('killed by a signal the action did not send: Failed, exit code -1', () => {
    assert.deepEqual(result({ kind: 'signalled', signal: 'SIGSEGV' }), {
      status: 'Failed', exitCode: -1, message: 'failed to run commands: the script was killed by SIGSEGV',
    });
  });

  it('stopped by the action: TimedOut or Cancelled with 137 on Unix and -1 on Windows (SSM); -1 when nothing had started', () => {
    assert.deepEqual(
      [result({ kind: 'aborted', reason: 'timeout', started: true }).status, result({ kind: 'aborted', reason: 'timeout', started: true }).exitCode],
      ['TimedOut', 137],
    );
    assert.equal(result({ kind: 'aborted', reason: 'cancel', started: true }).status, 'Cancelled');
    assert.equal(result({ kind: 'aborted', reason: 'cancel', started: true }).exitCode, 137);
    assert.equal(result({ kind: 'aborted', reason: 'cancel', started: true }, 'win32').exitCode, -1);
    assert.equal(result({ kind: 'aborted', reason: 'cancel', started: false }).exitCode, -1);
  });
});

describe('action-script: environment', () => {
  it('the step environment goes over the agent environment, values untouched', () => {
    const env = mergeEnvironment({ HOME: '/root', A: 'agent', GONE: undefined }, { A: 'step', SSM_x: '$(id); `id`' }, 'linux');
    assert.deepEqual(env, { HOME: '/root', A: 'step', SSM_x: '$(id); `id`' });
  });

  it('on Windows names are case-insensitive: PATH replaces Path', () => {
    const env = mergeEnvironment({ Path: 'C:\\Windows', SystemRoot: 'C:\\Windows' }, { PATH: 'C:\\tools' }, 'win32');
    assert.deepEqual(env, { SystemRoot: 'C:\\Windows', PATH: 'C:\\tools' });
    assert.equal(environmentValue(env, 'Path', 'win32'), 'C:\\tools');
    assert.equal(environmentValue({ Path: 'x' }, 'PATH', 'linux'), undefined);
  });
});

describe('action-script: shell command', () => {
  it('is /bin/sh -c with the script path quoted for a script with a #! line, so the kernel honours it', () => {
    assert.deepEqual(shellCommand('/var/lib/tender/runs/c/s/_script.sh', true), { command: '/bin/sh', args: ['-c', "'/var/lib/tender/runs/c/s/_script.sh'"] });
  });

  it('is /bin/sh <path> for a script without one (what sh -c <path> falls back to, one fork fewer)', () => {
    assert.deepEqual(shellCommand('/var/lib/tender/runs/c/s/_script.sh', false), { command: '/bin/sh', args: ['/var/lib/tender/runs/c/s/_script.sh'] });
  });

  it('quoting keeps any path a single word for a real sh', () => {
    for (const text of ["it's", 'a b', '$(touch /tmp/x)', '`x`', "'", '', 'a\nb', '\\"']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${quoteForSh(text)}`]).toString();
      assert.equal(echoed, text);
    }
  });
});

describe('action-script: /proc stat parsing', () => {
  it('reads state and process group after the last parenthesis of the command name', () => {
    assert.deepEqual(parseProcStat('123 (sleep) S 1 120 120 0 -1'), { state: 'S', pgrp: 120 });
    assert.deepEqual(parseProcStat('77 (we) ird (name)) Z 1 99 99 0'), { state: 'Z', pgrp: 99 });
    assert.equal(parseProcStat('garbage'), undefined);
  });
});
