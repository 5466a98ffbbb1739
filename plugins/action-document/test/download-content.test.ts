import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isDefinedPlugin } from '@tender/plugin-api';
import plugin, { createDownloadContentAction } from '../src/index.js';
import { stepFixture, type StepFixture } from '@tender/plugin-api/testing';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const CONTENT = 'hello from the tender test server\n';

describe('action-document: aws:downloadContent', () => {
  let server: http.Server;
  let base: string;
  const fixtures: StepFixture[] = [];
  let trickleStarted: () => void = () => undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/files/hello.txt') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(CONTENT) });
        res.end(CONTENT);
      } else if (url === '/redirect') {
        res.writeHead(302, { location: '/hop' });
        res.end();
      } else if (url === '/hop') {
        res.writeHead(301, { location: `${base}/files/hello.txt` });
        res.end();
      } else if (url === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else if (url === '/trickle') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write('x'.repeat(1024));
        trickleStarted();
        const timer = setInterval(() => res.write('x'), 50);
        res.on('close', () => clearInterval(timer));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.cleanup();
  });

  async function step(inputs: Record<string, unknown>): Promise<StepFixture> {
    const f = await stepFixture(inputs);
    fixtures.push(f);
    return f;
  }
  const http1 = (p: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ url: `${base}${p}`, allowInsecureDownload: 'true', sha256: sha(CONTENT), ...extra });
  const action = createDownloadContentAction();

  it('is exported by the plugin under aws:downloadContent, as the manifest declares', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; tender: { provides: { actions: string[] } } };
    assert.ok(isDefinedPlugin(plugin));
    assert.equal(plugin.name, manifest.name);
    assert.deepEqual(Object.keys(plugin.actions ?? {}), manifest.tender.provides.actions);
  });

  it('downloads to a relative destination under <orchestration>/downloads, and says so on stdout', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/files/hello.txt'), destinationPath: 'sub/dir/hello.txt' });
    const result = await action.run(f.context);
    const target = path.join(f.orchestrationDirectory, 'downloads', 'sub', 'dir', 'hello.txt');
    assert.equal(result.status, 'Success', result.message);
    assert.equal(result.exitCode, 0);
    assert.equal(await readFile(target, 'utf8'), CONTENT);
    assert.equal(result.outputs?.destinationPath, target);
    assert.match(f.stdout.text(), new RegExp(`Downloaded ${base}/files/hello.txt to ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*sha256 ${sha(CONTENT)}`));
    assert.deepEqual(await readdir(path.dirname(target)), ['hello.txt'], 'no temporary file is left');
  });

  it('without destinationPath, names the file after the URL in the downloads folder; sourceInfo may be an object', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: JSON.parse(http1('/files/hello.txt')) as unknown });
    const result = await action.run(f.context);
    assert.equal(result.status, 'Success', result.message);
    assert.equal(await readFile(path.join(f.orchestrationDirectory, 'downloads', 'hello.txt'), 'utf8'), CONTENT);
  });

  it('downloads to an absolute destination', async () => {
    const f = await step({});
    const target = path.join(f.root, 'elsewhere', 'file.bin');
    f.context = { ...f.context, inputs: { sourceType: 'HTTP', sourceInfo: http1('/files/hello.txt'), destinationPath: target } };
    const result = await action.run(f.context);
    assert.equal(result.status, 'Success', result.message);
    assert.equal(await readFile(target, 'utf8'), CONTENT);
  });

  it('a matching sha256 in any case is accepted; a mismatch fails naming both and writes nothing', async () => {
    const ok = await step({ sourceType: 'HTTP', sourceInfo: http1('/files/hello.txt', { sha256: sha(CONTENT).toUpperCase() }), destinationPath: 'a.txt' });
    assert.equal((await action.run(ok.context)).status, 'Success');

    const wrong = sha('something else');
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/files/hello.txt', { sha256: wrong }), destinationPath: 'b.txt' });
    const result = await action.run(f.context);
    assert.equal(result.status, 'Failed');
    assert.equal(result.exitCode, -1);
    assert.ok(result.message?.includes(`expected ${wrong}`), result.message);
    assert.ok(result.message?.includes(`got ${sha(CONTENT)}`), result.message);
    const downloads = path.join(f.orchestrationDirectory, 'downloads');
    assert.equal(existsSync(path.join(downloads, 'b.txt')), false);
    assert.deepEqual(await readdir(downloads), [], 'no temporary file is left');
  });

  it('plain http:// without sha256 is refused, and without allowInsecureDownload too (as SSM)', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: { url: `${base}/files/hello.txt`, allowInsecureDownload: true } });
    const result = await action.run(f.context);
    assert.equal(result.status, 'Failed');
    assert.equal(result.exitCode, -1);
    assert.match(result.message ?? '', /requires sourceInfo\.sha256 for plain http/);
    assert.equal(existsSync(path.join(f.orchestrationDirectory, 'downloads')), false);

    const g = await step({ sourceType: 'HTTP', sourceInfo: { url: `${base}/files/hello.txt`, sha256: sha(CONTENT) } });
    const refused = await action.run(g.context);
    assert.equal(refused.status, 'Failed');
    assert.match(refused.message ?? '', /allowInsecureDownload/);
  });

  it('follows redirects (relative and absolute Location), up to a limit', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/redirect'), destinationPath: 'r.txt' });
    const result = await action.run(f.context);
    assert.equal(result.status, 'Success', result.message);
    assert.equal(await readFile(path.join(f.orchestrationDirectory, 'downloads', 'r.txt'), 'utf8'), CONTENT);

    const g = await step({ sourceType: 'HTTP', sourceInfo: http1('/loop'), destinationPath: 'loop.txt' });
    const loop = await action.run(g.context);
    assert.equal(loop.status, 'Failed');
    assert.match(loop.message ?? '', /too many redirects/);
  });

  it('a 404 fails with the status', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/missing.txt') });
    const result = await action.run(f.context);
    assert.equal(result.status, 'Failed');
    assert.equal(result.exitCode, -1);
    assert.match(result.message ?? '', /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/missing\.txt/);
    assert.equal(existsSync(path.join(f.orchestrationDirectory, 'downloads', 'missing.txt')), false);
  });

  it('a relative destinationPath that climbs out of the downloads folder is refused', async () => {
    for (const destinationPath of ['../escape.txt', 'a/../../escape.txt', '../../../../etc/passwd']) {
      const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/files/hello.txt'), destinationPath });
      const result = await action.run(f.context);
      assert.equal(result.status, 'Failed', destinationPath);
      assert.match(result.message ?? '', /leaves the downloads folder/);
      assert.equal(existsSync(path.join(f.orchestrationDirectory, 'escape.txt')), false);
    }
  });

  it('other source types fail with "not supported by Tender"', async () => {
    for (const sourceType of ['GitHub', 'S3', 'Git']) {
      const f = await step({ sourceType, sourceInfo: '{"path":"x"}' });
      const result = await action.run(f.context);
      assert.equal(result.status, 'Failed');
      assert.equal(result.exitCode, -1);
      assert.equal(result.message, `aws:downloadContent: sourceType ${sourceType} is not supported by Tender (HTTP and SSMDocument are)`);
    }
    const f = await step({ sourceType: 'FTP', sourceInfo: '{}' });
    assert.match((await action.run(f.context)).message ?? '', /unknown sourceType "FTP"/);
  });

  it('bad sourceInfo fails clearly', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: '{not json' });
    assert.match((await action.run(f.context)).message ?? '', /sourceInfo is not valid JSON/);
    const g = await step({ sourceType: 'HTTP', sourceInfo: { url: `${base}/x`, allowInsecureDownload: 'true', sha256: 'abc' } });
    assert.match((await action.run(g.context)).message ?? '', /sha256 must be 64 hexadecimal/);
  });

  it('cancellation mid-download stops it: Cancelled, and nothing at the destination', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/trickle'), destinationPath: 'slow.bin' });
    const started = new Promise<void>((resolve) => (trickleStarted = resolve));
    const running = action.run(f.context);
    await started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    f.controller.abort('cancel');
    const result = await running;
    assert.equal(result.status, 'Cancelled');
    assert.equal(result.exitCode, -1);
    const downloads = path.join(f.orchestrationDirectory, 'downloads');
    assert.equal(existsSync(path.join(downloads, 'slow.bin')), false);
    assert.deepEqual(await readdir(downloads), [], 'no temporary file is left');
  });

  it("the runner's 'timeout' abort is TimedOut; the action's own download timeout too", async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/trickle'), destinationPath: 'slow.bin' });
    const started = new Promise<void>((resolve) => (trickleStarted = resolve));
    const running = action.run(f.context);
    await started;
    f.controller.abort('timeout');
    assert.equal((await running).status, 'TimedOut');

    const g = await step({ sourceType: 'HTTP', sourceInfo: http1('/trickle'), destinationPath: 'slow.bin' });
    const result = await createDownloadContentAction({ timeoutMs: 300 }).run(g.context);
    assert.equal(result.status, 'TimedOut');
    assert.match(result.message ?? '', /did not finish within 0\.3 s/);
    assert.equal(existsSync(path.join(g.orchestrationDirectory, 'downloads', 'slow.bin')), false);
  });

  it('content over the size cap fails', async () => {
    const f = await step({ sourceType: 'HTTP', sourceInfo: http1('/trickle'), destinationPath: 'big.bin' });
    const result = await createDownloadContentAction({ maxBytes: 512 }).run(f.context);
    assert.equal(result.status, 'Failed');
    assert.match(result.message ?? '', /more than the limit of 512 bytes/);
    assert.deepEqual(await readdir(path.join(f.orchestrationDirectory, 'downloads')), []);
  });
});
