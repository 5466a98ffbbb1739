import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentRequestHeaders, generateSigningKeyPair, patchSnapshotFetchTarget, toBase64, type SigningKeyPair } from '@tender/protocol';
import type { AuditEvent } from '../src/audit/audit-record.js';
import { AGENT_GET_PATCH_SNAPSHOT, handlePatchSnapshotFetch } from '../src/patch/index.js';
import { instance, patchFixture, type PatchFixture } from './support/patch-fixtures.js';

const AGENT = 'mi-0123456789abcdef0';
const SNAPSHOT = '9e3c2a10-1111-4222-8333-444455556666';

describe('patch: the agent snapshot fetch (PUT /tender/v1/patch-snapshots/<id>, signed with the agent key)', () => {
  let f: PatchFixture;
  let server: http.Server;
  let base: string;
  let keys: SigningKeyPair;
  let audit: AuditEvent[];

  beforeEach(async () => {
    f = await patchFixture({ snapshotLifetimeMs: 60_000 });
    f.instances.set(AGENT, instance(AGENT, { name: 'Ubuntu', version: '24.04' }));
    keys = generateSigningKeyPair();
    f.instances.get(AGENT)!.publicKey = toBase64(keys.publicKey);
    audit = [];
    const deps = {
      now: f.clock.now,
      publicKeyOf: (id: string) => f.instances.get(id)?.publicKey,
      instance: (id: string) => f.instances.get(id),
      snapshots: f.manager.snapshots,
      audit: async (event: AuditEvent) => void audit.push(event),
    };
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void handlePatchSnapshotFetch(deps, req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await f.close();
  });

  async function put(snapshotId: string, body: object = {}, options: { key?: SigningKeyPair; signedBody?: object; method?: string; headers?: Record<string, string> } = {}) {
    const target = patchSnapshotFetchTarget(snapshotId);
    const bytes = Buffer.from(JSON.stringify(body));
    const signed = options.signedBody ? Buffer.from(JSON.stringify(options.signedBody)) : bytes;
    const headers = options.headers ?? agentRequestHeaders(AGENT, 'PUT', target, signed, (options.key ?? keys).secretKey, f.clock.ms);
    const response = await fetch(`${base}${target}`, { method: options.method ?? 'PUT', headers, ...(options.method === 'GET' ? {} : { body: bytes }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('makes the signer\'s snapshot the first time and returns the same one after; audits each fetch', async () => {
    const first = await put(SNAPSHOT);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const snapshot = first.body.Snapshot as Record<string, unknown>;
    assert.equal(first.body.InstanceId, AGENT);
    assert.equal(first.body.Product, 'Ubuntu24.04');
    assert.equal(snapshot.instanceId, AGENT);
    assert.equal(snapshot.operatingSystem, 'UBUNTU');
    assert.equal(snapshot.baselineId, (await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'UBUNTU' })).BaselineId);
    f.clock.advance(30);
    assert.deepEqual((await put(SNAPSHOT)).body, first.body);
    assert.deepEqual(audit.map((e) => [e.caller, e.operation, e.outcome]), [[`agent:${AGENT}`, AGENT_GET_PATCH_SNAPSHOT, 'success'], [`agent:${AGENT}`, AGENT_GET_PATCH_SNAPSHOT, 'success']]);

    const overridden = await put('00000000-1111-4222-8333-444455556666', { BaselineOverride: { RejectedPatches: ['openssl'] } });
    assert.equal((overridden.body.Snapshot as Record<string, unknown>).baselineId, 'BaselineOverride');

    f.clock.advance(60);
    const expired = await put(SNAPSHOT);
    assert.equal(expired.status, 400);
    assert.equal(expired.body.__type, 'DoesNotExistException');
    assert.match(String(expired.body.message), /expired/);
    assert.equal(audit.at(-1)?.outcome, 'error');
  });

  it('refuses unsigned, wrongly signed and tampered requests, other methods and bad bodies', async () => {
    const unsigned = await put(SNAPSHOT, {}, { headers: {} });
    assert.deepEqual([unsigned.status, unsigned.body.__type], [401, 'MissingAuthenticationTokenException']);
    const forged = await put(SNAPSHOT, {}, { key: generateSigningKeyPair() });
    assert.deepEqual([forged.status, forged.body.__type], [401, 'InvalidSignatureException']);
    const tampered = await put(SNAPSHOT, { BaselineOverride: { ApprovedPatches: ['evil'] } }, { signedBody: {} });
    assert.deepEqual([tampered.status, tampered.body.__type], [401, 'InvalidSignatureException']);
    const get = await put(SNAPSHOT, {}, { method: 'GET' });
    assert.equal(get.status, 405);
    const notObject = await put(SNAPSHOT, { BaselineOverride: 'x' });
    assert.deepEqual([notObject.status, notObject.body.__type], [400, 'SerializationException']);
    const badId = await put('not-a-uuid');
    assert.deepEqual([badId.status, badId.body.__type], [400, 'ValidationException']);
    assert.ok(audit.filter((e) => e.outcome === 'denied').length >= 3, 'refusals are audited as denied');
  });
});
