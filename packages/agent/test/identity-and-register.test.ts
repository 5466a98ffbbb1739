import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StateFileError } from '@tender/local-state';
import { fromBase64, generateBoxKeyPair, generateSigningKeyPair, sign, toBase64, verify } from '@tender/protocol';
import { identityPath, loadIdentity, NotRegisteredError, registerAgent, type AgentIdentityFile } from '../src/index.js';
import { EndpointError } from '../src/registration/post-json.js';

interface RecordedRequest {
  method: string;
  url: string;
  contentType: string;
  raw: string;
}

interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

/** A stand-in for the control plane's POST /tender/v1/register, answering what each test asks of it. */
class FakeControlPlane {
  readonly requests: RecordedRequest[] = [];
  answer: (request: RecordedRequest) => Answer = () => ({ status: 500, body: '{"__type":"InternalServerError","message":"no answer set"}' });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', raw: Buffer.concat(chunks).toString('utf8') };
      this.requests.push(request);
      const { status, body, contentType } = this.answer(request);
      res.writeHead(status, { 'content-type': contentType ?? 'application/x-amz-json-1.1' });
      res.end(body);
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const controlPlaneSigning = generateSigningKeyPair();
const controlPlaneBox = generateBoxKeyPair();

/** A RegistrationResponse as @tender/server sends it. */
function registration(instanceId: string): Answer {
  return {
    status: 200,
    body: JSON.stringify({
      instanceId,
      region: 'eu-west-1',
      accountId: '123456789012',
      controlPlane: { id: 'tender-cp', publicKey: toBase64(controlPlaneSigning.publicKey), boxPublicKey: toBase64(controlPlaneBox.publicKey) },
      transport: { name: 'mqtt', settings: { url: 'mqtt://broker.example:1883', username: instanceId, password: 'broker-password' } },
      heartbeatSeconds: 45,
    }),
  };
}

const FIRST = 'mi-0123456789abcdef0';
const SECOND = 'mi-fedcba98765432101';

async function assertUnchanged(file: string, before: Buffer): Promise<void> {
  assert.deepEqual(await fs.readFile(file), before, `${file} was left byte-for-byte untouched`);
}

describe('agent: registration and identity', () => {
  let root: string;
  let stateDir: string;
  let controlPlane: FakeControlPlane;
  let endpoint: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-register-'));
    stateDir = path.join(root, 'var', 'lib', 'tender-agent');
    controlPlane = new FakeControlPlane();
    endpoint = await controlPlane.start();
  });

  afterEach(async () => {
    await controlPlane.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  const register = (overrides: Partial<Parameters<typeof registerAgent>[0]> = {}) =>
    registerAgent({ endpoint: `${endpoint}/`, activationId: 'act-1234', activationCode: 'code-5678', stateDir, name: 'web-1', ...overrides });

  it('writes identity.json (0600, in a 0700 dir) with the instance id and the pinned control-plane key', async () => {
    controlPlane.answer = () => registration(FIRST);
    const identity = await register();
    assert.equal(identity.instanceId, FIRST);

    const file = identityPath(stateDir);
    if (process.platform !== 'win32') {
      assert.equal((await fs.stat(stateDir)).mode & 0o777, 0o700);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    }
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as AgentIdentityFile;
    assert.equal(stored.format, 1);
    assert.equal(stored.instanceId, FIRST);
    assert.equal(stored.endpoint, endpoint, 'the trailing slash is dropped');
    assert.equal(stored.name, 'web-1');
    assert.equal(stored.region, 'eu-west-1');
    assert.equal(stored.heartbeatSeconds, 45);
    assert.deepEqual(stored.controlPlane, { id: 'tender-cp', publicKey: toBase64(controlPlaneSigning.publicKey), boxPublicKey: toBase64(controlPlaneBox.publicKey) });
    assert.deepEqual(stored.transport, { name: 'mqtt', settings: { url: 'mqtt://broker.example:1883', username: FIRST, password: 'broker-password' } });
    assert.deepEqual((await fs.readdir(stateDir)).sort(), ['identity.json'], 'no temporary files are left behind');

    const loaded = await loadIdentity(stateDir);
    assert.deepEqual(loaded.controlPlaneKey, controlPlaneSigning.publicKey);
    assert.equal(loaded.file.instanceId, FIRST);
  });

  it('tightens a state dir that already exists with loose permissions', async function () {
    if (process.platform === 'win32') this.skip();
    await fs.mkdir(stateDir, { recursive: true, mode: 0o755 });
    await fs.chmod(stateDir, 0o755);
    controlPlane.answer = () => registration(FIRST);
    await register();
    assert.equal((await fs.stat(stateDir)).mode & 0o777, 0o700);
  });

  it('sends the activation and 32-byte public keys, never a private key', async () => {
    controlPlane.answer = () => registration(FIRST);
    const identity = await register();

    assert.equal(controlPlane.requests.length, 1);
    const [request] = controlPlane.requests;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/tender/v1/register');
    assert.match(request.contentType, /^application\/json/);
    const body = JSON.parse(request.raw) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['activationCode', 'activationId', 'boxPublicKey', 'name', 'publicKey']);
    assert.equal(body.activationId, 'act-1234');
    assert.equal(body.activationCode, 'code-5678');
    assert.equal(fromBase64(body.publicKey ?? '').length, 32);
    assert.equal(fromBase64(body.boxPublicKey ?? '').length, 32);

    // The public halves sent belong to the secret halves kept, and no secret half (nor the seed) was sent.
    const signingSecret = fromBase64(identity.keys.signingSecretKey);
    assert.equal(signingSecret.length, 64);
    assert.equal(body.publicKey, toBase64(signingSecret.slice(32)));
    assert.equal(body.boxPublicKey, identity.keys.boxPublicKey);
    for (const secret of [identity.keys.signingSecretKey, identity.keys.boxSecretKey, toBase64(signingSecret.slice(0, 32))]) {
      assert.ok(!request.raw.includes(secret), 'a private key was sent to the control plane');
    }
    const message = new TextEncoder().encode('hello');
    assert.ok(verify(message, sign(message, (await loadIdentity(stateDir)).signing.secretKey), fromBase64(body.publicKey ?? '')));
  });

  it('refuses to register again without force, naming the instance it is registered as', async () => {
    controlPlane.answer = () => registration(FIRST);
    await register();
    const before = await fs.readFile(identityPath(stateDir));
    controlPlane.answer = () => registration(SECOND);
    await assert.rejects(register(), (error: Error) => {
      assert.match(error.message, new RegExp(`already registered as ${FIRST}`));
      assert.match(error.message, /--force/);
      return true;
    });
    assert.equal(controlPlane.requests.length, 1, 'the control plane was not asked (no activation was spent)');
    await assertUnchanged(identityPath(stateDir), before);
  });

  it('with force, keeps the old identity aside as identity.json.replaced-* and writes the new one', async () => {
    controlPlane.answer = () => registration(FIRST);
    await register();
    const before = await fs.readFile(identityPath(stateDir));
    controlPlane.answer = () => registration(SECOND);
    const identity = await register({ force: true });
    assert.equal(identity.instanceId, SECOND);

    const entries = (await fs.readdir(stateDir)).sort();
    assert.equal(entries.length, 2, entries.join(', '));
    assert.equal(entries[0], 'identity.json');
    assert.match(entries[1] ?? '', /^identity\.json\.replaced-\d+$/);
    await assertUnchanged(path.join(stateDir, entries[1] ?? ''), before);
    if (process.platform !== 'win32') assert.equal((await fs.stat(path.join(stateDir, entries[1] ?? ''))).mode & 0o777, 0o600);
    assert.equal((await loadIdentity(stateDir)).file.instanceId, SECOND);
  });

  it('surfaces the control plane\'s own message when it refuses the activation, and writes nothing', async () => {
    controlPlane.answer = () => ({ status: 400, body: JSON.stringify({ __type: 'InvalidActivation', message: 'the activation code does not match the activation act-1234' }) });
    await assert.rejects(register(), (error: unknown) => {
      assert.ok(error instanceof EndpointError);
      assert.equal(error.message, 'the activation code does not match the activation act-1234');
      assert.equal(error.status, 400);
      assert.equal(error.code, 'InvalidActivation');
      return true;
    });
    await assert.rejects(fs.stat(identityPath(stateDir)), { code: 'ENOENT' });
  });

  it('a refused re-registration with force leaves the old identity in place', async () => {
    controlPlane.answer = () => registration(FIRST);
    await register();
    const before = await fs.readFile(identityPath(stateDir));
    controlPlane.answer = () => ({ status: 400, body: JSON.stringify({ __type: 'InvalidActivation', message: 'the activation has expired' }) });
    await assert.rejects(register({ force: true }), /the activation has expired/);
    assert.deepEqual(await fs.readdir(stateDir), ['identity.json']);
    await assertUnchanged(identityPath(stateDir), before);
  });

  it('an unreachable endpoint: cannot reach the control plane, connection refused', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(register({ endpoint: `http://127.0.0.1:${port}` }), (error: Error) => {
      assert.match(error.message, new RegExp(`cannot reach the control plane at http://127\\.0\\.0\\.1:${port}`));
      assert.match(error.message, /connection refused/);
      return true;
    });
    await assert.rejects(fs.stat(identityPath(stateDir)), { code: 'ENOENT' });
  });

  it('an endpoint that is not an http(s) URL is refused before anything is written', async () => {
    for (const bad of ['mqtt://127.0.0.1:1883', 'localhost:8080', '']) {
      await assert.rejects(register({ endpoint: bad }), (error: Error) => {
        assert.match(error.message, /--endpoint must be an http:\/\/ or https:\/\/ URL/);
        assert.ok(error.message.includes(`got ${bad}`), error.message);
        return true;
      });
    }
    await assert.rejects(fs.stat(stateDir), { code: 'ENOENT' });
  });

  it('an http server that is not a control plane (answers HTML) gets a clear error', async () => {
    controlPlane.answer = () => ({ status: 200, body: '<!doctype html><title>It works!</title>', contentType: 'text/html' });
    await assert.rejects(register(), /answered HTTP 200 with something that is not JSON: is it a Tender control plane\?/);
    await assert.rejects(fs.stat(identityPath(stateDir)), { code: 'ENOENT' });
  });

  it('a JSON answer that is not a registration is refused, and no identity is written', async () => {
    controlPlane.answer = () => ({ status: 200, body: '{"status":"ok"}' });
    await assert.rejects(register(), /not a registration.*instanceId/);
    await assert.rejects(fs.stat(identityPath(stateDir)), { code: 'ENOENT' });
    // Nor is an existing identity moved aside for one.
    controlPlane.answer = () => registration(FIRST);
    await register();
    const before = await fs.readFile(identityPath(stateDir));
    controlPlane.answer = () => ({ status: 200, body: JSON.stringify({ ...(JSON.parse(registration(SECOND).body) as object), controlPlane: { id: 'tender-cp' } }) });
    await assert.rejects(register({ force: true }), /not a registration.*controlPlane\.publicKey/);
    assert.deepEqual(await fs.readdir(stateDir), ['identity.json']);
    await assertUnchanged(identityPath(stateDir), before);
  });

  it('refuses to register over a corrupt identity without force (and leaves it alone); with force keeps it aside', async () => {
    await fs.mkdir(stateDir, { recursive: true });
    const corrupt = Buffer.from('{"format":1,"instanceId":"mi-01234');
    await fs.writeFile(identityPath(stateDir), corrupt);
    controlPlane.answer = () => registration(FIRST);
    await assert.rejects(register(), (error: Error) => {
      assert.match(error.message, /identity\.json is corrupt/);
      assert.match(error.message, /use --force/);
      return true;
    });
    assert.equal(controlPlane.requests.length, 0);
    await assertUnchanged(identityPath(stateDir), corrupt);

    await register({ force: true });
    const aside = (await fs.readdir(stateDir)).find((entry) => entry.startsWith('identity.json.replaced-'));
    assert.ok(aside);
    await assertUnchanged(path.join(stateDir, aside), corrupt);
    assert.equal((await loadIdentity(stateDir)).file.instanceId, FIRST);
  });

  describe('loadIdentity', () => {
    it('a missing identity: NotRegisteredError telling how to register', async () => {
      await assert.rejects(loadIdentity(stateDir), (error: unknown) => {
        assert.ok(error instanceof NotRegisteredError);
        assert.ok(error.message.includes(identityPath(stateDir)));
        assert.match(error.message, /tender-agent register --endpoint URL --id ACTIVATION_ID --code ACTIVATION_CODE/);
        return true;
      });
    });

    it('a corrupt (truncated) file: StateFileError naming the file, which is left byte-for-byte untouched', async () => {
      await fs.mkdir(stateDir, { recursive: true });
      const file = identityPath(stateDir);
      const corrupt = Buffer.from('{"format":1,"instanceId":"mi-0123456789abcdef0","keys":{"signingSecre');
      await fs.writeFile(file, corrupt, { mode: 0o600 });
      const { mtimeMs } = await fs.stat(file);
      await assert.rejects(loadIdentity(stateDir), (error: unknown) => {
        assert.ok(error instanceof StateFileError, `expected a StateFileError, got ${String(error)}`);
        assert.equal(error.file, file);
        assert.ok(error.message.includes(file));
        assert.match(error.message, /corrupt/);
        return true;
      });
      await assertUnchanged(file, corrupt);
      assert.equal((await fs.stat(file)).mtimeMs, mtimeMs);
      assert.deepEqual(await fs.readdir(stateDir), ['identity.json']);
    });

    it('valid JSON that is not an identity: StateFileError naming the file and what is wrong, file untouched', async () => {
      await fs.mkdir(stateDir, { recursive: true });
      const file = identityPath(stateDir);
      const cases: Array<[string, RegExp]> = [
        ['null\n', /not a JSON object/],
        ['42\n', /not a JSON object/],
        ['"mi-0123456789abcdef0"\n', /not a JSON object/],
        ['[]\n', /not a JSON object/],
        ['{"format":1}\n', /missing instanceId, keys, controlPlane, transport/],
        ['{"format":2,"instanceId":"x","keys":{},"controlPlane":{},"transport":{}}\n', /not a valid agent identity/],
        [JSON.stringify({ format: 1, instanceId: FIRST, keys: { signingSecretKey: 'not base64!', boxSecretKey: '', boxPublicKey: '' }, controlPlane: { id: 'cp', publicKey: '' }, transport: { name: 'mqtt', settings: {} } }), /keys/],
      ];
      for (const [text, why] of cases) {
        await fs.writeFile(file, text);
        await assert.rejects(loadIdentity(stateDir), (error: unknown) => {
          assert.ok(error instanceof StateFileError, `${text}: expected a StateFileError, got ${String(error)}`);
          assert.equal(error.file, file);
          assert.ok(error.message.includes(file));
          assert.match(error.message, why);
          assert.match(error.message, /left untouched/);
          return true;
        });
        await assertUnchanged(file, Buffer.from(text));
      }
    });
  });
});
