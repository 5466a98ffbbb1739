import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { LiveProcess, REPO_ROOT, runCli, TENDER_BIN, unwrap, type RunResult } from '../support/processes.js';

const EXIT_API_ERROR = 3;
const EXIT_USAGE = 2;

/** Run `tender` with something on its standard input (runCli gives it none). */
function runWithStdin(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TENDER_BIN, ...args], { env: { ...process.env, ...env }, cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, message: unwrap(stderr) });
    });
    child.stdin.end(input);
  });
}

/** Every file under dir, byte-searched for needle. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await fs.readFile(file)).includes(Buffer.from(needle))) hits.push(file);
  }
  return hits;
}

describe('tender param and tender keys, against a started control plane', function () {
  this.timeout(120000);
  let cp: TestControlPlane;
  let work: string;
  const tender = (...args: string[]) => runCli(TENDER_BIN, [...args, '--data-dir', cp.dataDir]);
  const ok = async (...args: string[]) => {
    const result = await tender(...args);
    assert.equal(result.code, 0, `tender ${args.join(' ')} failed: ${result.stderr}`);
    return result;
  };

  before(async () => {
    cp = await startTestControlPlane();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-param-cli-'));
  });
  after(async () => {
    await cp?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('puts a String and reads it back as a table, raw and as JSON', async () => {
    const put = await ok('param', 'put', '/app/db/host', '--value', 'db.internal', '--description', 'the database host', '--tag', 'Env=prod');
    assert.match(put.stdout, /\/app\/db\/host version 1 \(String, Standard\)/);
    const table = await ok('param', 'get', '/app/db/host');
    assert.match(table.stdout, /^Name\s+Type\s+Version\s+LastModified\s+Value$/m);
    assert.match(table.stdout, /\/app\/db\/host\s+String\s+1\s+\S+\s+db\.internal/);
    assert.equal((await ok('param', 'get', '/app/db/host', '--raw')).stdout, 'db.internal\n');
    const json = JSON.parse((await ok('param', 'get', '/app/db/host', '--json')).stdout) as { Name: string; Value: string; Version: number };
    assert.deepEqual([json.Name, json.Value, json.Version], ['/app/db/host', 'db.internal', 1]);
  });

  it('takes a SecureString from a pipe, never echoes it, and shows it only with --with-decryption', async () => {
    const secret = 'pipe-secret-7f3a91c2e';
    const put = await runWithStdin(['param', 'put', '/app/db/password', '--type', 'SecureString', '--data-dir', cp.dataDir], `${secret}\n`);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /version 1 \(SecureString/);
    assert.ok(!put.stdout.includes(secret) && !put.stderr.includes(secret), 'put does not echo the secret');

    const hidden = await ok('param', 'get', '/app/db/password');
    assert.ok(!hidden.stdout.includes(secret));
    assert.match(hidden.stdout, /SecureString\s+1\s+\S+\s+\(encrypted: --with-decryption\)/);
    const hiddenRaw = await ok('param', 'get', '/app/db/password', '--raw');
    assert.ok(!hiddenRaw.stdout.includes(secret));
    const hiddenJson = JSON.parse((await ok('param', 'get', '/app/db/password', '--json')).stdout) as { Value: string };
    assert.notEqual(hiddenJson.Value, secret, 'without decryption the API returns the ciphertext');

    const shown = await ok('param', 'get', '/app/db/password', '--with-decryption', '--raw');
    assert.equal(shown.stdout, `${secret}\n`, 'the pipe\'s final newline is not part of the value');
    assert.deepEqual(await filesContaining(cp.dataDir, secret), [], 'no plaintext in the data directory');
  });

  it('takes a value from --value-file, needs --overwrite for a new version, and keeps the history', async () => {
    const file = path.join(work, 'password.txt');
    await fs.writeFile(file, 'file-secret-2\n');
    const refused = await tender('param', 'put', '/app/db/password', '--type', 'SecureString', '--value-file', file);
    assert.equal(refused.code, EXIT_API_ERROR);
    assert.match(refused.message, /ParameterAlreadyExists/);
    const put = await ok('param', 'put', '/app/db/password', '--type', 'SecureString', '--value-file', file, '--overwrite');
    assert.match(put.stdout, /version 2/);
    assert.ok(!put.stdout.includes('file-secret-2'));

    const history = await ok('param', 'history', '/app/db/password');
    assert.match(history.stdout, /^1\s+SecureString/m);
    assert.match(history.stdout, /^2\s+SecureString/m);
    assert.ok(!history.stdout.includes('file-secret-2') && !history.stdout.includes('pipe-secret'));
    const decrypted = JSON.parse((await ok('param', 'history', '/app/db/password', '--with-decryption', '--json')).stdout) as Array<{ Version: number; Value: string }>;
    assert.deepEqual(decrypted.map((v) => [v.Version, v.Value]), [[1, 'pipe-secret-7f3a91c2e'], [2, 'file-secret-2']]);

    const missing = await tender('param', 'put', '/app/x', '--value-file', path.join(work, 'nope.txt'));
    assert.equal(missing.code, EXIT_USAGE);
    assert.match(missing.message, /cannot read --value-file/);
    const none = await tender('param', 'put', '/app/x'); // standard input is empty (not a terminal)
    assert.equal(none.code, EXIT_USAGE);
    assert.match(none.message, /no value: give --value, --value-file FILE, or pipe the value in/);
  });

  it('labels versions, moves a label, refuses invalid labels with exit 3, and reads by label', async () => {
    await ok('param', 'put', '/app/db/host', '--value', 'db2.internal', '--overwrite');
    const labelled = await ok('param', 'label', '/app/db/host', 'prod', 'blue', '--version', '1');
    assert.match(labelled.stdout, /\/app\/db\/host version 1: prod, blue/);
    assert.equal((await ok('param', 'get', '/app/db/host:prod', '--raw')).stdout, 'db.internal\n');
    await ok('param', 'label', '/app/db/host', 'prod'); // the latest version: the label moves
    assert.equal((await ok('param', 'get', '/app/db/host:prod', '--raw')).stdout, 'db2.internal\n');
    const history = await ok('param', 'history', '/app/db/host');
    assert.match(history.stdout, /^1\s+String.*\bblue\b/m);
    assert.match(history.stdout, /^2\s+String.*\bprod\b/m);

    const invalid = await tender('param', 'label', '/app/db/host', 'aws-reserved', '1starts-with-digit', 'good');
    assert.equal(invalid.code, EXIT_API_ERROR);
    assert.match(invalid.message, /invalid labels: .*1starts-with-digit/);

    const removed = await ok('param', 'label', '/app/db/host', 'blue', '--remove', '--version', '1');
    assert.match(removed.stdout, /version 1: removed blue/);
    const noVersion = await tender('param', 'label', '/app/db/host', 'blue', '--remove');
    assert.equal(noVersion.code, EXIT_USAGE);
    assert.match(noVersion.message, /--remove needs --version/);
  });

  it('lists metadata by path and values under a path', async () => {
    await ok('param', 'put', '/app/web/port', '--value', '8080');
    const oneLevel = await ok('param', 'list', '/app/db', '--json');
    assert.deepEqual((JSON.parse(oneLevel.stdout) as Array<{ Name: string }>).map((p) => p.Name).sort(), ['/app/db/host', '/app/db/password']);
    const recursive = JSON.parse((await ok('param', 'list', '/app', '--recursive', '--type', 'String', '--json')).stdout) as Array<{ Name: string }>;
    assert.deepEqual(recursive.map((p) => p.Name).sort(), ['/app/db/host', '/app/web/port']);
    const table = await ok('param', 'list');
    assert.match(table.stdout, /^Name\s+Type\s+Version\s+Tier/m);
    assert.match(table.stdout, /\/app\/web\/port\s+String\s+1\s+Standard/);

    const values = await ok('param', 'list', '/app', '--recursive', '--values');
    assert.match(values.stdout, /\/app\/web\/port\s+String\s+1\s+\S+\s+8080/);
    assert.match(values.stdout, /\/app\/db\/password\s+SecureString\s+2\s+\S+\s+\(encrypted: --with-decryption\)/);
    const needsPath = await tender('param', 'list', '--values');
    assert.equal(needsPath.code, EXIT_USAGE);
  });

  it('deletes several parameters, naming the missing ones with exit 3', async () => {
    await ok('param', 'put', '/tmp/a', '--value', 'a');
    await ok('param', 'put', '/tmp/b', '--value', 'b');
    const result = await tender('param', 'delete', '/tmp/a', '/tmp/b', '/tmp/missing');
    assert.equal(result.code, EXIT_API_ERROR);
    assert.match(result.stdout, /deleted \/tmp\/a\ndeleted \/tmp\/b/);
    assert.match(result.message, /not found: \/tmp\/missing/);
    const gone = await tender('param', 'get', '/tmp/a');
    assert.equal(gone.code, EXIT_API_ERROR);
    assert.match(gone.message, /ParameterNotFound/);
  });

  it('creates, lists and rotates keys, and re-encrypts SecureStrings that still decrypt', async () => {
    const created = JSON.parse((await ok('keys', 'create', '--alias', 'alias/payments', '--description', 'payments secrets', '--json')).stdout) as { KeyId: string; Aliases: Array<{ AliasName: string }> };
    assert.deepEqual(created.Aliases.map((a) => a.AliasName), ['alias/payments']);
    const both = await tender('param', 'put', '/pay/token', '--type', 'SecureString', '--value-file', '-', '--value', 'x');
    assert.equal(both.code, EXIT_USAGE, '--value and --value-file together are refused');
    const put = await runWithStdin(['param', 'put', '/pay/token', '--type', 'SecureString', '--key-id', 'alias/payments', '--value-file', '-', '--data-dir', cp.dataDir], 'pay-token-93b1');
    assert.equal(put.code, 0, put.stderr);

    const list = await ok('keys', 'list');
    assert.match(list.stdout, /^KeyId\s+Aliases\s+Version/m);
    assert.match(list.stdout, new RegExp(`${created.KeyId}\\s+alias/payments\\s+1/1`));
    assert.match(list.stdout, /alias\/tender\/ssm/);

    const rotated = await ok('keys', 'rotate', 'alias/payments');
    assert.match(rotated.stdout, new RegExp(`${created.KeyId} now at version 2 \\(2 kept\\)`));
    const reEncrypted = JSON.parse((await ok('keys', 're-encrypt', '--json')).stdout) as { ReEncryptedVersions: number; AlreadyCurrentVersions: number };
    assert.ok(reEncrypted.ReEncryptedVersions >= 1, 'the value under the rotated-out key version was re-encrypted');
    const again = await ok('keys', 're-encrypt');
    assert.match(again.stdout, /^0 version\(s\) re-encrypted, \d+ already current/);
    assert.equal((await ok('param', 'get', '/pay/token', '--with-decryption', '--raw')).stdout, 'pay-token-93b1\n');

    const unknown = await tender('keys', 'rotate', 'alias/nope');
    assert.equal(unknown.code, EXIT_API_ERROR);
    assert.match(unknown.message, /InvalidKeyId/);
  });

  it('follows parameter events: an expiring parameter shows up as Expired', async () => {
    const follow = new LiveProcess(TENDER_BIN, ['param', 'events', '--follow', '--json', '--interval-ms', '200', '--data-dir', cp.dataDir]);
    try {
      // Far enough ahead for a CLI process to start on a loaded machine; the sweeper looks every second.
      const at = new Date(Date.now() + 20000).toISOString();
      await ok('param', 'put', '/app/short-lived', '--value', 'v', '--tier', 'Advanced', '--policies', JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: at } }]));
      const [line] = await follow.waitFor(/^\{.*"Type":"Expired".*\}$/m, 60000);
      const event = JSON.parse(line) as { Name: string; Version: number; Id: string };
      assert.equal(event.Name, '/app/short-lived');
      assert.equal(event.Version, 1);
      // The same event without --follow, and nothing after its id.
      const listed = JSON.parse((await ok('param', 'events', '--json')).stdout) as { Events: Array<{ Id: string; Type: string }>; Cursor: string };
      assert.ok(listed.Events.some((e) => e.Id === event.Id && e.Type === 'Expired'));
      const after = JSON.parse((await ok('param', 'events', '--after', listed.Cursor, '--json')).stdout) as { Events: unknown[] };
      assert.deepEqual(after.Events, []);
    } finally {
      await follow.kill();
    }
  });

  it('holds a restricted key to its policy: /dev/* only', async () => {
    const policy = path.join(work, 'dev-only.json');
    await fs.writeFile(policy, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: `arn:aws:ssm:${cp.running.region}:${cp.running.accountId}:parameter/dev/*` }] }));
    const key = JSON.parse((await ok('access-keys', 'create', '--user-name', 'dev', '--policy', policy, '--json')).stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
    await ok('param', 'put', '/dev/db', '--value', 'dev-db');
    await ok('param', 'put', '/prod/db', '--value', 'prod-db');
    const env = { AWS_ACCESS_KEY_ID: key.AccessKey.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.AccessKey.SecretAccessKey };
    const asDev = (...args: string[]) => runCli(TENDER_BIN, [...args, '--endpoint', cp.running.endpoint, '--region', cp.running.region], { env });
    const denied = await asDev('param', 'get', '/prod/db');
    assert.equal(denied.code, EXIT_API_ERROR);
    assert.match(denied.message, /AccessDeniedException/);
    const allowed = await asDev('param', 'get', '/dev/db', '--raw');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout, 'dev-db\n');
  });
});
