import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { agentRequestHeaders, documentFetchTarget, generateSigningKeyPair, toBase64, type SigningKeyPair } from '@tender/protocol';
import type { AuditEvent } from '../src/audit/audit-record.js';
import { AGENT_GET_DOCUMENT, DocumentService, handleDocumentFetch } from '../src/documents/index.js';
import type { Store } from '../src/store/store.js';
import { FileStore } from '../src/store/file-store.js';
import { ManualClock } from './support/operation-harness.js';

const AGENT = 'mi-0123456789abcdef0';
const OTHER = 'mi-00000000000000001';
const V1 = { schemaVersion: '2.2', description: 'one', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: { runCommand: ['echo 1'] } }] };
const V2_YAML = "schemaVersion: '2.2'\ndescription: two\nmainSteps:\n  - action: aws:runShellScript\n    name: a\n    inputs:\n      runCommand: [echo 2]\n";

describe('documents: the agent document fetch (GET /tender/v1/documents/<name>, signed with the agent key)', () => {
  let dir: string;
  let store: Store;
  let documents: DocumentService;
  let server: http.Server;
  let base: string;
  let keys: SigningKeyPair;
  let registered: Map<string, string>;
  let audit: AuditEvent[];
  const clock = new ManualClock(Date.parse('2026-11-28T12:00:00Z'));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-document-fetch-'));
    store = await FileStore.open(dir);
    documents = await DocumentService.open(store, { now: clock.now });
    await documents.create({ Name: 'Mine', Content: JSON.stringify(V1), DocumentFormat: 'JSON', DocumentType: 'Command', Owner: '123456789012', Tags: [] });
    await documents.update({ Name: 'Mine', Content: V2_YAML, DocumentFormat: 'YAML', DocumentVersion: '$LATEST' });
    keys = generateSigningKeyPair();
    registered = new Map([[AGENT, toBase64(keys.publicKey)], [OTHER, toBase64(generateSigningKeyPair().publicKey)]]);
    audit = [];
    const deps = {
      now: clock.now,
      publicKeyOf: (id: string) => registered.get(id),
      resolve: (name: string, version?: string) => documents.resolve(name, version),
      audit: async (event: AuditEvent) => void audit.push(event),
    };
    server = http.createServer((req, res) => void handleDocumentFetch(deps, req, res, Buffer.alloc(0)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function get(
    target: string,
    options: { instanceId?: string; key?: SigningKeyPair; timestamp?: number; signedTarget?: string; signedMethod?: string; method?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers = options.headers ?? agentRequestHeaders(options.instanceId ?? AGENT, options.signedMethod ?? 'GET', options.signedTarget ?? target, new Uint8Array(), (options.key ?? keys).secretKey, options.timestamp ?? clock.ms);
    const response = await fetch(`${base}${target}`, { method: options.method ?? 'GET', headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers a registered instance with the default, a numbered or $LATEST version as JSON (YAML converted), and audits it', async () => {
    const byDefault = await get(documentFetchTarget('Mine'));
    assert.equal(byDefault.status, 200, JSON.stringify(byDefault.body));
    assert.deepEqual({ ...byDefault.body, Hash: undefined }, { Name: 'Mine', DocumentVersion: '1', DocumentType: 'Command', DocumentFormat: 'JSON', Hash: undefined, Content: V1 });
    assert.match(String(byDefault.body.Hash), /^[0-9a-f]{64}$/);
    const latest = await get(documentFetchTarget('Mine', '$LATEST'));
    assert.equal(latest.body.DocumentVersion, '2');
    assert.equal(latest.body.DocumentFormat, 'YAML');
    assert.deepEqual(latest.body.Content, { schemaVersion: '2.2', description: 'two', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: { runCommand: ['echo 2'] } }] });
    assert.equal((await get(documentFetchTarget('Mine', '2'))).body.DocumentVersion, '2');
    assert.equal((await get(documentFetchTarget('AWS-RunShellScript'))).body.Name, 'AWS-RunShellScript', 'built-in documents too');
    assert.deepEqual(
      audit.map((e) => [e.caller, e.operation, e.resources, e.outcome]),
      [
        [`agent:${AGENT}`, AGENT_GET_DOCUMENT, ['Mine:1'], 'success'],
        [`agent:${AGENT}`, AGENT_GET_DOCUMENT, ['Mine:2'], 'success'],
        [`agent:${AGENT}`, AGENT_GET_DOCUMENT, ['Mine:2'], 'success'],
        [`agent:${AGENT}`, AGENT_GET_DOCUMENT, ['AWS-RunShellScript:1'], 'success'],
      ],
    );
  });

  it('an unknown document or version is SSM\'s InvalidDocument / InvalidDocumentVersion, audited as an error', async () => {
    const unknown = await get(documentFetchTarget('Nope'));
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, { __type: 'InvalidDocument', message: 'The specified document does not exist: Nope' });
    const version = await get(documentFetchTarget('Mine', '9'));
    assert.equal(version.body.__type, 'InvalidDocumentVersion');
    assert.match(String(version.body.message), /Mine has no version 9/);
    assert.deepEqual(audit.map((e) => [e.caller, e.resources, e.outcome, e.errorCode]), [
      [`agent:${AGENT}`, ['Nope'], 'error', 'InvalidDocument'],
      [`agent:${AGENT}`, ['Mine:9'], 'error', 'InvalidDocumentVersion'],
    ]);
  });

  it('refuses, and audits as denied: no signature, another key, an unregistered (or deregistered) instance, an old signature, a changed query, a PUT signature', async () => {
    const target = documentFetchTarget('Mine', '1');
    const cases: Array<[Awaited<ReturnType<typeof get>>, string]> = [
      [await get(target, { headers: {} }), 'MissingAuthenticationTokenException'],
      [await get(target, { instanceId: OTHER }), 'InvalidSignatureException'],
      [await get(target, { instanceId: 'mi-0000000000000000f' }), 'UnrecognizedClientException'],
      [await get(target, { timestamp: clock.ms - 5 * 60 * 1000 - 1 }), 'SignatureExpired'],
      [await get(documentFetchTarget('Mine', '2'), { signedTarget: target }), 'InvalidSignatureException'],
      [await get(target, { signedMethod: 'PUT' }), 'InvalidSignatureException'],
    ];
    registered.delete(AGENT); // DeregisterManagedInstance removes the instance from the registry
    cases.push([await get(target), 'UnrecognizedClientException']);
    for (const [answer, code] of cases) {
      assert.equal(answer.status, 401, JSON.stringify(answer.body));
      assert.equal(answer.body.__type, code);
    }
    assert.equal(audit.length, cases.length);
    for (const event of audit) {
      assert.equal(event.outcome, 'denied');
      assert.equal(event.caller, 'anonymous');
      assert.equal(event.operation, AGENT_GET_DOCUMENT);
    }
    assert.match(audit[1]!.detail ?? '', new RegExp(`^claimed ${OTHER}: `));
  });

  it('refuses other methods and malformed paths', async () => {
    assert.equal((await get(documentFetchTarget('Mine'), { method: 'DELETE' })).status, 405);
    assert.equal((await get('/tender/v1/documents/')).status, 400);
    assert.equal((await get('/tender/v1/documents/a/b')).status, 400);
  });
});
