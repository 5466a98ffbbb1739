import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { aggregateStatus, CommandQueue, createProcOrphanReaper, STEP_RUN_VARIABLE, type StepResult } from '../src/runner/index.js';
import { clipText, previewOf, withNotes } from '../src/runner/output-preview.js';
import { stepDirectoryNames } from '../src/runner/step-directories.js';
import { pendingStep } from '../src/runner/step-results.js';
import { recordingLogger, tempDir } from './fixtures/runner/harness.js';

function step(status: StepResult['status'], responseCode: number): StepResult {
  return { ...pendingStep('s', 'aws:runShellScript', '/tmp/s'), status, responseCode };
}

describe('agent runner: parts', () => {
  describe('previews', () => {
    it('clips to a number of UTF-16 units without splitting a surrogate pair', () => {
      assert.equal(clipText('abc', 5), 'abc');
      assert.equal(clipText('abcdef', 3), 'abc');
      assert.equal(clipText('ab😀cd', 3), 'ab', 'half an emoji is dropped, not kept');
      assert.equal(clipText('ab😀cd', 4), 'ab😀');
    });

    it('decodes the head of an output: invalid bytes as U+FFFD, a character cut by the head limit left out', () => {
      assert.deepEqual(previewOf(Buffer.from([0x61, 0xff, 0x62]), 3, 10), { preview: 'a\uFFFDb', truncated: false });
      const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
      assert.deepEqual(previewOf(euro.subarray(0, 3), 4, 10), { preview: 'a', truncated: true }, 'the rest of € is in the file');
      assert.deepEqual(previewOf(euro.subarray(0, 3), 3, 10), { preview: 'a\uFFFD', truncated: false }, 'an output that really ends mid-character');
      assert.deepEqual(previewOf(Buffer.from('abcdef'), 6, 4), { preview: 'abcd', truncated: true });
    });

    it('notes always fit: the output is clipped to leave room for them', () => {
      assert.equal(withNotes('out\n', [], 100), 'out\n');
      assert.equal(withNotes('', ['note'], 100), 'note');
      assert.equal(withNotes('out\n', ['a', '', 'b'], 100), 'out\n\na\nb');
      assert.equal(withNotes('x'.repeat(50), ['note'], 20), `${'x'.repeat(15)}\nnote`);
      assert.equal(withNotes('x', ['n'.repeat(30)], 20), 'n'.repeat(20));
    });
  });

  it('names step folders safely, uniquely (case-insensitively) and the same way every time', () => {
    assert.deepEqual(stepDirectoryNames(['install', 'aws:runShellScript', '0.aws:runShellScript', '..', '.hidden', 'Install', 'a/b']), [
      'install',
      'aws_runShellScript',
      '0.aws_runShellScript',
      'step',
      'hidden',
      'Install_6',
      'a_b',
    ]);
  });

  it('aggregates step statuses as SSM Agent does: Failed > TimedOut > Cancelled > Success (Skipped is success)', () => {
    assert.deepEqual(aggregateStatus([step('Success', 0), step('Skipped', 0)]), { status: 'Success', statusDetails: 'Success', responseCode: 0 });
    assert.deepEqual(aggregateStatus([step('Skipped', 0), step('Skipped', 0)]), { status: 'Success', statusDetails: 'Success', responseCode: 0 });
    assert.deepEqual(aggregateStatus([step('Cancelled', 137), step('TimedOut', 137), step('Failed', 2)]), { status: 'Failed', statusDetails: 'Failed', responseCode: 2 });
    assert.deepEqual(aggregateStatus([step('Cancelled', -1), step('TimedOut', 137)]), { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', responseCode: 137 });
    assert.deepEqual(aggregateStatus([step('Success', 0), step('Cancelled', 137)]), { status: 'Cancelled', statusDetails: 'Cancelled', responseCode: 137 });
    assert.deepEqual(aggregateStatus([step('Failed', 1), step('Cancelled', 137)], 'Cancelled'), { status: 'Cancelled', statusDetails: 'Cancelled', responseCode: 137 }, 'a cancel decides');
    assert.equal(aggregateStatus([step('Success', 0), step('InProgress', -1)]).status, 'Failed', 'never claims success for an unfinished step');
    assert.deepEqual(aggregateStatus([]), { status: 'Success', statusDetails: 'Success', responseCode: 0 });
  });

  it('the orphan reaper kills only processes carrying this command\'s marker', async () => {
    const proc = await tempDir('tender-fake-proc-');
    try {
      const processes: Record<string, string> = {
        '101': `PATH=/bin\0${STEP_RUN_VARIABLE}=cmd-1/0\0`,
        '102': `${STEP_RUN_VARIABLE}=cmd-1/3\0HOME=/root\0`,
        '103': `${STEP_RUN_VARIABLE}=cmd-10/0\0`,
        '104': 'PATH=/bin\0',
        [String(process.pid)]: `${STEP_RUN_VARIABLE}=cmd-1/0\0`,
      };
      for (const [pid, environ] of Object.entries(processes)) {
        await fs.mkdir(path.join(proc, pid));
        await fs.writeFile(path.join(proc, pid, 'environ'), environ);
      }
      await fs.mkdir(path.join(proc, 'self'));
      const killed: Array<[number, string]> = [];
      const reaper = createProcOrphanReaper({ procDir: proc, kill: (pid, signal) => void killed.push([pid, signal]) });
      assert.equal(await reaper.reap('cmd-1'), 2);
      assert.deepEqual(killed.sort(), [
        [101, 'SIGKILL'],
        [102, 'SIGKILL'],
      ]);
    } finally {
      await fs.rm(proc, { recursive: true, force: true });
    }
  });

  describe('the command queue', () => {
    function manualQueue(concurrency: number) {
      const started: string[] = [];
      const finish = new Map<string, () => void>();
      const stops = new Map<string, AbortSignal>();
      const queue = new CommandQueue({
        concurrency,
        logger: recordingLogger(),
        run: (id, stop) => {
          started.push(id);
          stops.set(id, stop);
          return new Promise<void>((resolve) => finish.set(id, resolve));
        },
      });
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      return { queue, started, finish, stops, tick };
    }

    it('runs at most `concurrency` at once, first in first out', async () => {
      const { queue, started, finish, tick } = manualQueue(2);
      for (const id of ['a', 'b', 'c', 'd']) assert.equal(queue.enqueue(id), true);
      assert.equal(queue.enqueue('a'), false, 'already there');
      assert.deepEqual(started, ['a', 'b']);
      assert.equal(queue.waitingCount, 2);
      finish.get('b')!();
      await tick();
      assert.deepEqual(started, ['a', 'b', 'c']);
      finish.get('a')!();
      finish.get('c')!();
      await tick();
      assert.deepEqual(started, ['a', 'b', 'c', 'd']);
      const idle = queue.idle();
      finish.get('d')!();
      await idle;
      assert.equal(queue.runningCount, 0);
    });

    it('cancel dequeues a waiting command and signals a running one', async () => {
      const { queue, started, stops, finish, tick } = manualQueue(1);
      queue.enqueue('a');
      queue.enqueue('b');
      assert.equal(queue.cancel('b'), 'dequeued');
      assert.equal(queue.cancel('a'), 'stopping');
      assert.equal(stops.get('a')!.reason, 'cancel');
      assert.equal(queue.cancel('zzz'), 'unknown');
      finish.get('a')!();
      await tick();
      assert.deepEqual(started, ['a'], 'b never started');
    });

    it('refuses a concurrency below 1', () => {
      assert.throws(() => new CommandQueue({ concurrency: 0, logger: recordingLogger(), run: async () => undefined }), /at least 1/);
    });
  });
});
