import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchdPlist, newsyslogConf } from '../src/service/launchd-plist.js';
import { systemdUnit } from '../src/service/systemd-unit.js';
import { winswConfig } from '../src/service/winsw-config.js';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/**
 * `systemd-analyze verify --root=DIR` checks a unit as that root would load it: DIR gets the host's own unit
 * library (for multi-user.target, network-online.target...) and an executable where ExecStart points.
 */
async function verifyUnit(unitText: string, launcher: string): Promise<{ status: number | null; output: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-unit-'));
  try {
    await fs.mkdir(path.join(root, 'usr/lib/systemd'), { recursive: true });
    await fs.cp('/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    await fs.mkdir(path.join(root, 'etc/systemd/system'), { recursive: true });
    await fs.writeFile(path.join(root, 'etc/systemd/system/tender-agent.service'), unitText);
    await fs.mkdir(path.join(root, path.dirname(launcher)), { recursive: true });
    await fs.writeFile(path.join(root, launcher), '#!/bin/sh\n', { mode: 0o755 });
    const result = spawnSync('systemd-analyze', ['verify', `--root=${root}`, 'tender-agent.service'], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** A real plist parser: plutil where it exists (macOS), else Python's plistlib, which is as strict about the format. */
function parsePlist(file: string): Record<string, unknown> {
  if (has('plutil')) execFileSync('plutil', ['-lint', file]);
  const json = execFileSync('python3', ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file], { encoding: 'utf8' });
  return JSON.parse(json) as Record<string, unknown>;
}

describe('agent service: definitions for systemd, launchd and WinSW', () => {
  describe('systemd unit', function () {
    before(function () {
      if (!has('systemd-analyze') || !existsSync('/usr/lib/systemd/system/multi-user.target')) this.skip();
    });

    it('passes systemd-analyze verify with no output at all, as the packages ship it', async () => {
      const result = await verifyUnit(systemdUnit({ command: ['/opt/tender-agent/bin/tender-agent'], stateDir: '/var/lib/tender-agent' }), '/opt/tender-agent/bin/tender-agent');
      assert.equal(result.output, '');
      assert.equal(result.status, 0);
    });

    it('and with a source checkout\'s node + run.js in a folder with spaces (quoted ExecStart)', async () => {
      const unit = systemdUnit({ command: ['/usr/local/bin/node', '/srv/my agent/bin/run.js'], stateDir: '/srv/agent state' });
      assert.match(unit, /^ExecStart=\/usr\/local\/bin\/node "\/srv\/my agent\/bin\/run.js" start$/m);
      assert.match(unit, /^Environment=TENDER_AGENT_STATE_DIR="\/srv\/agent state"$/m);
      const result = await verifyUnit(unit, '/usr/local/bin/node');
      assert.equal(result.output, '');
    });

    it('the check itself is not blind: an unknown key or a missing binary produces output', async () => {
      const unit = systemdUnit({ command: ['/opt/tender-agent/bin/tender-agent'], stateDir: '/var/lib/tender-agent' });
      assert.notEqual((await verifyUnit(unit.replace('[Service]', '[Service]\nRestartSteps=5'), '/opt/tender-agent/bin/tender-agent')).output, '');
      assert.notEqual((await verifyUnit(unit, '/elsewhere/tender-agent')).output, '');
    });

    it('restarts on failure with a delay and a start limit, but not for "deregistered" (3) or "no Node.js" (69)', () => {
      const unit = systemdUnit({ command: ['/opt/tender-agent/bin/tender-agent'], stateDir: '/var/lib/tender-agent' });
      for (const line of ['Restart=on-failure', 'RestartSec=5s', 'StartLimitIntervalSec=10min', 'StartLimitBurst=20', 'RestartPreventExitStatus=3 69', 'StateDirectoryMode=0700', 'KillMode=process', 'WantedBy=multi-user.target']) {
        assert.ok(unit.split('\n').includes(line), line);
      }
    });
  });

  describe('launchd plist', () => {
    it('is a valid plist that runs the launcher with `start` at load, restarting it after a failure', async function () {
      if (!has('plutil') && !has('python3')) this.skip();
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-plist-'));
      try {
        const file = path.join(dir, 'com.tender.agent.plist');
        await fs.writeFile(file, launchdPlist({ command: ['/opt/tender-agent/bin/tender-agent'], stateDir: '/var/lib/tender-agent', logDir: '/Library/Logs/tender & agent' }));
        const plist = parsePlist(file);
        assert.equal(plist.Label, 'com.tender.agent');
        assert.deepEqual(plist.ProgramArguments, ['/opt/tender-agent/bin/tender-agent', 'start']);
        assert.equal(plist.RunAtLoad, true);
        assert.deepEqual(plist.KeepAlive, { SuccessfulExit: false });
        assert.equal(plist.ThrottleInterval, 10);
        assert.equal((plist.EnvironmentVariables as Record<string, string>).TENDER_AGENT_STATE_DIR, '/var/lib/tender-agent');
        assert.equal(plist.StandardOutPath, '/Library/Logs/tender & agent/agent.log', 'XML-escaped and read back');
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    it('newsyslog rotates the log launchd writes', () => {
      const line = newsyslogConf('/Library/Logs/tender-agent').split('\n').find((l) => l.startsWith('/'));
      assert.deepEqual(line?.split('\t'), ['/Library/Logs/tender-agent/agent.log', 'root:wheel', '600', '8', '10240', '*', 'Z']);
    });
  });

  describe('WinSW configuration (Windows service)', () => {
    it('parses as XML and runs node.exe on the agent with restarts that back off and rolled logs', async function () {
      if (!has('python3')) this.skip();
      const xml = winswConfig({
        command: ['C:\\Program Files\\nodejs\\node.exe', 'C:\\Program Files\\tender-agent\\lib\\node_modules\\@tender\\agent\\bin\\run.js'],
        stateDir: 'C:\\ProgramData\\tender-agent',
        logDir: 'C:\\ProgramData\\tender-agent\\logs',
      });
      // Python's ElementTree is a real XML parser: it rejects anything not well-formed. It prints the tree as JSON.
      const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
print(json.dumps({"tag": root.tag, "children": [{"tag": c.tag, "text": (c.text or "").strip(), "attrib": c.attrib,
  "children": [{"tag": g.tag, "text": (g.text or "").strip()} for g in c]} for c in root]}))`;
      const tree = JSON.parse(execFileSync('python3', ['-c', script], { input: xml, encoding: 'utf8' })) as {
        tag: string;
        children: Array<{ tag: string; text: string; attrib: Record<string, string>; children: Array<{ tag: string; text: string }> }>;
      };
      assert.equal(tree.tag, 'service');
      const text = (tag: string) => tree.children.filter((c) => c.tag === tag).map((c) => c.text);
      assert.deepEqual(text('id'), ['tender-agent']);
      assert.deepEqual(text('executable'), ['C:\\Program Files\\nodejs\\node.exe']);
      assert.deepEqual(text('argument'), ['C:\\Program Files\\tender-agent\\lib\\node_modules\\@tender\\agent\\bin\\run.js', 'start']);
      assert.deepEqual(text('startmode'), ['Automatic']);
      assert.deepEqual(
        tree.children.filter((c) => c.tag === 'onfailure').map((c) => c.attrib),
        [{ action: 'restart', delay: '5 sec' }, { action: 'restart', delay: '30 sec' }, { action: 'restart', delay: '2 min' }],
      );
      assert.deepEqual(tree.children.find((c) => c.tag === 'env')?.attrib, { name: 'TENDER_AGENT_STATE_DIR', value: 'C:\\ProgramData\\tender-agent' });
      const log = tree.children.find((c) => c.tag === 'log');
      assert.equal(log?.attrib.mode, 'roll-by-size');
      assert.deepEqual(log?.children, [{ tag: 'sizeThreshold', text: '10240' }, { tag: 'keepFiles', text: '8' }]);
      assert.deepEqual(text('logpath'), ['C:\\ProgramData\\tender-agent\\logs']);
    });

    it('the WinSW executable it installs ships in node-windows, from the npm registry', async () => {
      const { createRequire } = await import('node:module');
      const dir = path.dirname(createRequire(import.meta.url).resolve('node-windows/package.json'));
      const exe = await fs.readFile(path.join(dir, 'bin/winsw/winsw.exe'));
      assert.equal(exe.subarray(0, 2).toString('latin1'), 'MZ', 'a Windows executable');
    });
  });
});
