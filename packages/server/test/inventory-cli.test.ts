/**
 * `tender inventory get | list | query | history` against a started control plane: the real CLI process, its
 * --json output, and its exit codes for bad usage (2) and an API error (3).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane, type RunningControlPlane } from '../src/control-plane.js';
import { app, instanceId, instanceRecord, item } from './support/inventory-fixtures.js';

const TENDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/tender.js');

describe('tender inventory (CLI) against a started control plane', function () {
  this.timeout(60_000);
  let dir: string;
  let cp: RunningControlPlane;
  const [old, fresh] = [instanceId(1), instanceId(2)];

  function tender(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [TENDER, ...args, '--data-dir', dir], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-inventory-cli-'));
    cp = await startControlPlane({ ...SERVER_DEFAULTS, dataDir: dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }, { logger: pino({ level: 'silent' }) });
    await cp.registry.add(instanceRecord(old));
    await cp.registry.add(instanceRecord(fresh));
    await cp.inventory.receiveUpload(old, { uploadId: 'a', items: [item('AWS:Application', [app('openssl', '3.0.2-0ubuntu1'), app('bash', '5.1')])] });
    await cp.inventory.receiveUpload(fresh, { uploadId: 'b', items: [item('AWS:Application', [app('openssl', '3.0.11-1~deb12u2'), app('bash', '5.2')])] });
    await cp.inventory.receiveUpload(fresh, { uploadId: 'c', items: [item('AWS:Application', [app('openssl', '3.0.13-1~deb12u1'), app('bash', '5.2'), app('hello', '2.10-3')])] });
  });

  after(async () => {
    await cp?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('query: a filter with a version comparison, and an aggregator, as JSON', async () => {
    const query = await tender('inventory', 'query', '--filter', 'AWS:Application.Name=openssl', '--filter', 'AWS:Application.Version<3.0.7', '--json');
    assert.equal(query.code, 0, query.stderr);
    assert.deepEqual((JSON.parse(query.stdout) as Array<{ Id: string }>).map((entity) => entity.Id), [old]);
    const counts = await tender('inventory', 'query', '--aggregator', 'AWS:Application.Name', '--json');
    assert.equal(counts.code, 0, counts.stderr);
    const content = (JSON.parse(counts.stdout) as Record<string, { Content: Array<Record<string, string>> }>)['AWS:Application']!.Content;
    assert.deepEqual(content.find((row) => row.Name === 'openssl'), { Name: 'openssl', Count: '2' });
  });

  it('get and list: one instance\'s rows of a type, the instances as a table', async () => {
    const got = await tender('inventory', 'get', fresh, '--type', 'AWS:Application', '--json');
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual((JSON.parse(got.stdout) as { Entries: Array<{ Name: string }> }).Entries.map((row) => row.Name), ['openssl', 'bash', 'hello']);
    const listed = await tender('inventory', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^InstanceId\s+ComputerName\s+PlatformType/);
    assert.ok(listed.stdout.includes(old) && listed.stdout.includes(fresh));
  });

  it('history: what changed, newest first, for people and as JSON', async () => {
    const text = await tender('inventory', 'history', fresh, '--type', 'AWS:Application');
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.match(lines[0]!, /AWS:Application {2}\+1 -0 ~1/);
    assert.ok(lines.includes('  + hello 2.10-3 amd64'));
    assert.ok(lines.includes('  ~ openssl 3.0.11-1~deb12u2 amd64: Version: 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1'));
    const json = await tender('inventory', 'history', fresh, '--json', '--limit', '1');
    assert.equal((JSON.parse(json.stdout) as unknown[]).length, 1);
  });

  it('exits 2 on a filter it cannot read and 3 on one the API refuses, saying why', async () => {
    const usage = await tender('inventory', 'query', '--filter', 'nonsense');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /expected KEY=VALUE/);
    const refused = await tender('inventory', 'query', '--filter', 'AWS:Application.Colour=red');
    assert.equal(refused.code, 3);
    assert.match(refused.stderr.replace(/\s*\n ›\s*/g, " "), /InvalidFilter: .*no attribute "Colour"/);
  });
});
