/**
 * How `tender-agent service install|start` decide that a start worked: agent.ready must name the process the service
 * manager runs (await-ready.ts, with real files), and the process must stay. systemd's side runs for real in
 * test/e2e/agent-service-systemd.test.ts. launchd cannot run here: its side is tested against `launchctl print`
 * output of the shape macOS 13 prints (tab-indented top-level fields, nested blocks with a "state" of their own), as
 * published transcripts of real runs show it, fed through the same parsing the backend uses.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { markReady } from '../src/runtime/ready-marker.js';
import { awaitAgentReady, type ServiceLook } from '../src/service/await-ready.js';
import { launchdJob, launchdStartWatch, type LaunchdJob } from '../src/service/launchd-backend.js';
import { ServiceError } from '../src/service/service-backend.js';

/** `launchctl print system/com.tender.agent`, abridged where nothing is read. */
function printed(fields: { state: string; runs: number; pid?: number; lastExitCode: string }): string {
  return [
    'system/com.tender.agent = {',
    '\tactive count = 1',
    '\tpath = /Library/LaunchDaemons/com.tender.agent.plist',
    '\ttype = LaunchDaemon',
    `\tstate = ${fields.state}`,
    '',
    '\tprogram = /opt/tender-agent/bin/tender-agent',
    '\targuments = {',
    '\t\t/opt/tender-agent/bin/tender-agent',
    '\t\tstart',
    '\t}',
    '',
    '\tstdout path = /Library/Logs/tender-agent/agent.log',
    '\tstderr path = /Library/Logs/tender-agent/agent.log',
    '\tenvironment = {',
    '\t\tPATH => /usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    '\t\tTENDER_AGENT_STATE_DIR => /var/lib/tender agent',
    '\t\tXPC_SERVICE_NAME => com.tender.agent',
    '\t}',
    '',
    '\tdomain = system',
    '\tminimum runtime = 10',
    '\texit timeout = 30',
    `\truns = ${fields.runs}`,
    ...(fields.pid !== undefined ? [`\tpid = ${fields.pid}`] : []),
    '\timmediate reason = speculative',
    `\tlast exit code = ${fields.lastExitCode}`,
    '',
    '\tendpoints = {',
    '\t\t"com.tender.agent.xpc" = {',
    '\t\t\tport = 0x1e03',
    '\t\t\tactive = 0',
    '\t\t\tstate = active',
    '\t\t}',
    '\t}',
    '}',
  ].join('\n');
}
const job = (fields: Parameters<typeof printed>[0]): LaunchdJob => launchdJob({ code: 0, stdout: printed(fields), stderr: '' });

describe('agent service: the start check', () => {
  describe('launchd: what launchctl print says', () => {
    it('reads the top-level fields, not those of nested blocks, and the state directory from the environment', () => {
      assert.deepEqual(job({ state: 'running', runs: 1, pid: 913, lastExitCode: '(never exited)' }), {
        loaded: true,
        state: 'running',
        pid: 913,
        runs: 1,
        lastExitCode: '(never exited)',
        stateDir: '/var/lib/tender agent',
      });
      const exited = job({ state: 'not running', runs: 6, lastExitCode: '78: EX_CONFIG' });
      assert.deepEqual([exited.state, exited.pid, exited.runs, exited.lastExitCode], ['not running', 0, 6, '78: EX_CONFIG']);
      assert.deepEqual(launchdJob({ code: 113, stdout: '', stderr: 'Could not find service "com.tender.agent" in domain for system\n' }), {
        loaded: false,
        state: 'not loaded',
        pid: 0,
        runs: 0,
        lastExitCode: '',
      });
    });

    it('a start goes well when the process it sees running stays, however the job began', () => {
      const watch = launchdStartWatch();
      assert.equal(watch(job({ state: 'spawn scheduled', runs: 0, lastExitCode: '(never exited)' })), undefined);
      assert.equal(watch(job({ state: 'running', runs: 1, pid: 4242, lastExitCode: '(never exited)' })), undefined);
      assert.equal(watch(job({ state: 'running', runs: 1, pid: 4242, lastExitCode: '(never exited)' })), undefined);
      // kickstart of a job that had exited before: its old exit code is no failure of this start.
      const again = launchdStartWatch();
      assert.equal(again(job({ state: 'running', runs: 3, pid: 77, lastExitCode: '1' })), undefined);
    });

    it('fails a start whose process exits, is started again by launchd, or exits between two looks', () => {
      const exits = launchdStartWatch();
      exits(job({ state: 'running', runs: 1, pid: 4242, lastExitCode: '(never exited)' }));
      assert.equal(exits(job({ state: 'spawn scheduled', runs: 1, lastExitCode: '1' })), 'did not stay running (spawn scheduled, last exit code 1)');

      const restarted = launchdStartWatch();
      restarted(job({ state: 'running', runs: 1, pid: 4242, lastExitCode: '(never exited)' }));
      assert.equal(restarted(job({ state: 'running', runs: 2, pid: 4250, lastExitCode: '1' })), 'did not stay running (launchd started it again as pid 4250)');

      const quick = launchdStartWatch();
      assert.equal(quick(job({ state: 'spawn scheduled', runs: 0, lastExitCode: '(never exited)' })), undefined);
      assert.equal(quick(job({ state: 'not running', runs: 1, lastExitCode: '78: EX_CONFIG' })), 'exited (not running, last exit code 78: EX_CONFIG)');

      const unloaded = launchdStartWatch();
      unloaded(job({ state: 'spawn scheduled', runs: 0, lastExitCode: '(never exited)' }));
      assert.equal(unloaded(launchdJob({ code: 113, stdout: '', stderr: '' })), 'was unloaded');
    });
  });

  describe('awaitAgentReady (real agent.ready files)', () => {
    let stateDir: string;
    beforeEach(async () => {
      stateDir = await mkdtemp(path.join(os.tmpdir(), 'tender-ready-'));
    });
    afterEach(() => rm(stateDir, { recursive: true, force: true }));
    const steady = (): ServiceLook => ({ pid: process.pid, stateDir });

    it('resolves once agent.ready names the process the manager runs, not before', async () => {
      let looks = 0;
      let marked = false;
      await writeFile(path.join(stateDir, 'agent.ready'), '999999\n'); // another process's
      setTimeout(() => {
        marked = true;
        void markReady(stateDir); // this one's
      }, 300);
      await awaitAgentReady({ name: 'tender-agent', look: async () => (looks++, steady()), logTail: async () => '', pollMs: 20 });
      assert.equal(marked, true, 'it waited for the file to name this pid');
      assert.ok(looks > 1);
    });

    it('throws the manager\'s reason with the service\'s last log lines as soon as a look reports a failure', async () => {
      let looks = 0;
      const look = async (): Promise<ServiceLook> => (++looks < 3 ? steady() : { ...steady(), pid: 0, failure: 'did not stay running (failed (exit-code))' });
      await assert.rejects(
        awaitAgentReady({ name: 'tender-agent', look, logTail: async () => 'error: the identity file is unreadable\n', pollMs: 10 }),
        (error: Error) => error instanceof ServiceError && error.message === 'tender-agent did not stay running (failed (exit-code)). Its last log lines:\nerror: the identity file is unreadable',
      );
      assert.equal(looks, 3);
    });

    it('throws after the timeout when the agent never says it is up, naming the file it looked for', async () => {
      await assert.rejects(
        awaitAgentReady({ name: 'com.tender.agent', look: async () => steady(), logTail: async () => '', timeoutMs: 300, pollMs: 20 }),
        (error: Error) => error.message === `com.tender.agent runs (pid ${process.pid}) but did not say it was up within 0.3 s (no ${stateDir}/agent.ready naming it). Its last log lines:\n(none)`,
      );
    });
  });
});
