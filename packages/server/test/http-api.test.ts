import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteActivationCommand,
  DescribeInstanceInformationCommand,
  GetConnectionStatusCommand,
  GetParameterCommand,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { AccessKeys } from '../src/access/access-keys.js';
import { createRequestListener, sendJson } from '../src/api/http-api.js';
import { ApiError } from '../src/api/errors.js';
import { ssmArn, type CallContext, type Operation } from '../src/api/operation.js';
import type { AuditRecord } from '../src/audit/audit-record.js';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { verifyAuditFile } from '../src/audit/verify-audit-file.js';
import { FileStore } from '../src/store/file-store.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const MAX_BODY = 4096;
const INSTANCES = [
  { InstanceId: 'mi-0000000000000000a', PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: '1.2.3' },
  { InstanceId: 'mi-0000000000000000b', PingStatus: 'ConnectionLost', PlatformType: 'Windows', AgentVersion: '1.2.3' },
];

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

describe('HTTP API (createRequestListener) with the AWS SDK', function () {
  this.timeout(20000);
  let dir: string;
  let auditFile: string;
  let store: FileStore;
  let trail: AuditTrail;
  let server: Server;
  let endpoint: string;
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  let accessKeys: AccessKeys;
  const clients: SSMClient[] = [];
  const contexts: CallContext[] = [];
  const arn = (user: string) => `arn:aws:iam::${ACCOUNT}:user/${user}`;

  const operations: Operation[] = [
    {
      service: 'AmazonSSM',
      name: 'DescribeInstanceInformation',
      async handle(input, context) {
        contexts.push(context);
        return { InstanceInformationList: INSTANCES, ...(input.MaxResults === 5 ? { NextToken: 'page-2' } : {}) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetConnectionStatus',
      resources: (input, context) => [ssmArn(context, `managed-instance/${String(input.Target ?? '')}`)],
      async handle(input) {
        return { Target: input.Target, Status: 'connected' };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteActivation',
      async handle(input) {
        throw new ApiError('InvalidActivation', `Activation ${String(input.ActivationId)} does not exist`);
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetParameter',
      async handle() {
        throw new Error('connection to db failed: password=hunter2');
      },
    },
  ];

  function client(credentials: Credentials): SSMClient {
    const c = new SSMClient({ region: REGION, endpoint, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  }

  async function records(): Promise<AuditRecord[]> {
    const text = await readFile(auditFile, 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditRecord);
  }

  /** Runs `action` and returns the audit records it added. */
  async function audited(action: () => Promise<void>): Promise<AuditRecord[]> {
    const before = (await records()).length;
    await action();
    return (await records()).slice(before);
  }

  async function sdkError(promise: Promise<unknown>): Promise<SSMServiceException> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof SSMServiceException, `expected an SSM service error, got ${String(error)}`);
      return error;
    }
    assert.fail('the call succeeded');
  }

  /** A request signed like the SDK would, but with a body and target of our choosing. */
  async function signedFetch(credentials: Credentials, target: string, body: string): Promise<Response> {
    const url = new URL(endpoint);
    const signer = new SignatureV4({ credentials, region: REGION, service: 'ssm', sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    });
    return fetch(`${endpoint}/`, { method: 'POST', headers: signed.headers, body });
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-http-api-'));
    auditFile = path.join(dir, 'audit.log');
    store = await FileStore.open(dir);
    accessKeys = new AccessKeys(store, randomBytes(32), ACCOUNT);
    const a = await accessKeys.create('alice');
    alice = { accessKeyId: a.record.accessKeyId, secretAccessKey: a.secretAccessKey };
    const b = await accessKeys.create('bob', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ssm:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ssm:DescribeInstanceInformation', Resource: '*' },
      ],
    });
    bob = { accessKeyId: b.record.accessKeyId, secretAccessKey: b.secretAccessKey };
    const c = await accessKeys.create('carol', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ssm:GetConnectionStatus', Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0000000000000000a` }],
    });
    carol = { accessKeyId: c.record.accessKeyId, secretAccessKey: c.secretAccessKey };

    trail = await AuditTrail.open(auditFile);
    const listener = createRequestListener({
      operations,
      accessKeys,
      audit: (event) => trail.append(event),
      region: REGION,
      accountId: ACCOUNT,
      logger: pino({ level: 'silent' }),
      maxBodyBytes: MAX_BODY,
      extraRoutes: {
        '/healthz': async (_req, res) => sendJson(res, 200, { status: 'ok' }),
        '/echo': async (req, res, body) => sendJson(res, 200, { method: req.method, bytes: body.length, text: body.toString('utf8') }),
      },
    });
    server = http.createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const c of clients) c.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await trail.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a valid call succeeds and returns what the operation handed back', async () => {
    const added = await audited(async () => {
      const out = await client(alice).send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
      assert.deepEqual(
        out.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus, i.PlatformType, i.AgentVersion]),
        INSTANCES.map((i) => [i.InstanceId, i.PingStatus, i.PlatformType, i.AgentVersion]),
      );
      assert.equal(out.NextToken, 'page-2', 'the input reached the handler');
      assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    });
    const context = contexts.at(-1);
    assert.ok(context);
    assert.equal(context.caller.userName, 'alice');
    assert.equal(context.caller.arn, arn('alice'));
    assert.equal(context.caller.accessKeyId, alice.accessKeyId);
    assert.equal(context.region, REGION);
    assert.equal(context.accountId, ACCOUNT);
    assert.equal(context.sourceIp, '127.0.0.1');
    assert.equal(added.length, 1);
    const [record] = added;
    assert.equal(record!.caller, arn('alice'));
    assert.equal(record!.operation, 'AmazonSSM.DescribeInstanceInformation');
    assert.equal(record!.outcome, 'success');
    assert.equal(record!.errorCode, undefined);
    assert.deepEqual(record!.resources, ['*']);
    assert.equal(record!.source, '127.0.0.1');
    assert.equal(record!.requestId, context.requestId);
  });

  it('a wrong secret is InvalidSignatureException, audited as denied', async () => {
    const added = await audited(async () => {
      const error = await sdkError(client({ accessKeyId: alice.accessKeyId, secretAccessKey: `${alice.secretAccessKey}x` }).send(new DescribeInstanceInformationCommand({})));
      assert.equal(error.name, 'InvalidSignatureException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, /does not match the signature you provided/);
    });
    assert.equal(added.length, 1);
    assert.equal(added[0]!.caller, 'anonymous', 'an unverified key id is not a caller');
    assert.equal(added[0]!.operation, 'AmazonSSM.DescribeInstanceInformation');
    assert.equal(added[0]!.outcome, 'denied');
    assert.equal(added[0]!.errorCode, 'InvalidSignatureException');
  });

  it('an unknown key is UnrecognizedClientException, audited as denied', async () => {
    const added = await audited(async () => {
      const error = await sdkError(client({ accessKeyId: 'TKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'whatever' }).send(new DescribeInstanceInformationCommand({})));
      assert.equal(error.name, 'UnrecognizedClientException');
      assert.equal(error.$metadata.httpStatusCode, 400);
    });
    assert.equal(added.length, 1);
    assert.equal(added[0]!.caller, 'anonymous');
    assert.equal(added[0]!.outcome, 'denied');
    assert.equal(added[0]!.errorCode, 'UnrecognizedClientException');
  });

  it('a deleted key stops working at once, though it was used (and its lookup kept) just before', async () => {
    const dave = await accessKeys.create('dave');
    const daveClient = client({ accessKeyId: dave.record.accessKeyId, secretAccessKey: dave.secretAccessKey });
    await daveClient.send(new DescribeInstanceInformationCommand({}));
    await daveClient.send(new DescribeInstanceInformationCommand({}));
    assert.equal(await accessKeys.delete(dave.record.accessKeyId), true);
    const error = await sdkError(daveClient.send(new DescribeInstanceInformationCommand({})));
    assert.equal(error.name, 'UnrecognizedClientException');
  });

  it('a policy that denies the action is AccessDeniedException naming the user ARN and action', async () => {
    const added = await audited(async () => {
      const error = await sdkError(client(bob).send(new DescribeInstanceInformationCommand({})));
      assert.equal(error.name, 'AccessDeniedException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.equal(
        error.message,
        `User: ${arn('bob')} is not authorized to perform: ssm:DescribeInstanceInformation on resource: * with an explicit deny in an identity-based policy`,
      );
      // What the policy allows still works.
      const ok = await client(bob).send(new GetConnectionStatusCommand({ Target: 'mi-0000000000000000b' }));
      assert.equal(ok.Status, 'connected');
    });
    assert.deepEqual(
      added.map((r) => [r.caller, r.operation, r.outcome, r.errorCode]),
      [
        [arn('bob'), 'AmazonSSM.DescribeInstanceInformation', 'denied', 'AccessDeniedException'],
        [arn('bob'), 'AmazonSSM.GetConnectionStatus', 'success', undefined],
      ],
    );
  });

  it('checks the policy against the resources the operation names', async () => {
    const instanceArn = (id: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/${id}`;
    const added = await audited(async () => {
      const ok = await client(carol).send(new GetConnectionStatusCommand({ Target: 'mi-0000000000000000a' }));
      assert.equal(ok.Target, 'mi-0000000000000000a');
      const error = await sdkError(client(carol).send(new GetConnectionStatusCommand({ Target: 'mi-0000000000000000b' })));
      assert.equal(error.name, 'AccessDeniedException');
      assert.equal(
        error.message,
        `User: ${arn('carol')} is not authorized to perform: ssm:GetConnectionStatus on resource: ${instanceArn('mi-0000000000000000b')} because no identity-based policy allows the ssm:GetConnectionStatus action`,
      );
      const other = await sdkError(client(carol).send(new DescribeInstanceInformationCommand({})));
      assert.equal(other.name, 'AccessDeniedException');
    });
    assert.deepEqual(
      added.map((r) => [r.caller, r.operation, r.outcome, r.errorCode, r.resources]),
      [
        [arn('carol'), 'AmazonSSM.GetConnectionStatus', 'success', undefined, [instanceArn('mi-0000000000000000a')]],
        [arn('carol'), 'AmazonSSM.GetConnectionStatus', 'denied', 'AccessDeniedException', [instanceArn('mi-0000000000000000b')]],
        [arn('carol'), 'AmazonSSM.DescribeInstanceInformation', 'denied', 'AccessDeniedException', ['*']],
      ],
    );
  });

  it('an SSM operation Tender does not implement says so', async () => {
    const added = await audited(async () => {
      const error = await sdkError(client(alice).send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['mi-0000000000000000a'] })));
      assert.equal(error.name, 'UnknownOperationException');
      assert.match(error.message, /does not implement AmazonSSM\.SendCommand/);
    });
    assert.equal(added.length, 1);
    assert.equal(added[0]!.caller, arn('alice'), 'the caller was verified before the operation was looked up');
    assert.equal(added[0]!.operation, 'AmazonSSM.SendCommand');
    assert.equal(added[0]!.outcome, 'error');
    assert.equal(added[0]!.errorCode, 'UnknownOperationException');
  });

  it('a target that is not SSM at all is told apart from one not implemented yet', async () => {
    const added = await audited(async () => {
      const res = await signedFetch(alice, 'AmazonEC2.RunInstances', '{}');
      assert.equal(res.status, 400);
      const body = (await res.json()) as { __type: string; message: string };
      assert.equal(body.__type, 'UnknownOperationException');
      assert.match(body.message, /Unknown operation AmazonEC2\.RunInstances/);
      assert.doesNotMatch(body.message, /does not implement/);
    });
    assert.deepEqual(added.map((r) => [r.caller, r.operation, r.outcome, r.errorCode]), [[arn('alice'), 'AmazonEC2.RunInstances', 'error', 'UnknownOperationException']]);
  });

  it("an operation's ApiError reaches the caller with its code and message", async () => {
    const added = await audited(async () => {
      const error = await sdkError(client(alice).send(new DeleteActivationCommand({ ActivationId: '00000000-0000-4000-8000-000000000000' })));
      assert.equal(error.name, 'InvalidActivation');
      assert.equal(error.message, 'Activation 00000000-0000-4000-8000-000000000000 does not exist');
      assert.equal(error.$metadata.httpStatusCode, 400);
    });
    assert.deepEqual(added.map((r) => [r.caller, r.operation, r.outcome, r.errorCode]), [[arn('alice'), 'AmazonSSM.DeleteActivation', 'error', 'InvalidActivation']]);
  });

  it('an unexpected failure is a 500 InternalServerError that does not leak its cause', async () => {
    const added = await audited(async () => {
      const error = await sdkError(client(alice).send(new GetParameterCommand({ Name: 'db' })));
      assert.equal(error.name, 'InternalServerError');
      assert.equal(error.$metadata.httpStatusCode, 500);
      assert.doesNotMatch(error.message, /hunter2/);
    });
    assert.equal(added.length, 1, 'one call, one record (the client does not retry here)');
    assert.equal(added[0]!.outcome, 'error');
    assert.equal(added[0]!.errorCode, 'InternalServerError');
    assert.doesNotMatch(JSON.stringify(added[0]), /hunter2/, 'nor does the audit trail');
  });

  it('a body that is not a JSON object is a SerializationException', async () => {
    const added = await audited(async () => {
      const res = await signedFetch(alice, 'AmazonSSM.DescribeInstanceInformation', '[1,2');
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'SerializationException');
      assert.equal(res.headers.get('x-amzn-errortype'), 'SerializationException');
      const arrayBody = await signedFetch(alice, 'AmazonSSM.DescribeInstanceInformation', '[]');
      assert.equal(((await arrayBody.json()) as { __type: string }).__type, 'SerializationException');
    });
    assert.deepEqual(added.map((r) => [r.caller, r.outcome, r.errorCode]), [
      [arn('alice'), 'error', 'SerializationException'],
      [arn('alice'), 'error', 'SerializationException'],
    ]);
  });

  it('an unsigned request is MissingAuthenticationTokenException', async () => {
    const added = await audited(async () => {
      const res = await fetch(`${endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.DescribeInstanceInformation', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    });
    assert.deepEqual(added.map((r) => [r.caller, r.operation, r.outcome, r.errorCode]), [['anonymous', 'AmazonSSM.DescribeInstanceInformation', 'denied', 'MissingAuthenticationTokenException']]);
  });

  it('a body over the limit is refused with 413, through the SDK and streamed without a length', async () => {
    const many = Array.from({ length: 400 }, (_, i) => `mi-${i.toString(16).padStart(17, '0')}`);
    const added = await audited(async () => {
      const error = await sdkError(client(alice).send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: many }] })));
      assert.equal(error.$metadata.httpStatusCode, 413);
      assert.equal(error.name, 'RequestEntityTooLargeException');
      assert.match(error.message, new RegExp(`exceeds the ${MAX_BODY}-byte limit`));

      // Chunked, so the size is only found out while reading: the caller must still get its answer.
      const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${endpoint}/`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', 'x-amz-target': 'AmazonSSM.DescribeInstanceInformation' } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.write(Buffer.alloc(MAX_BODY * 3, 0x20));
        req.end();
      });
      assert.equal(streamed.status, 413);
      assert.equal((JSON.parse(streamed.body) as { __type: string }).__type, 'RequestEntityTooLargeException');
    });
    assert.deepEqual(added.map((r) => [r.caller, r.operation, r.outcome, r.errorCode]), [
      ['anonymous', 'AmazonSSM.DescribeInstanceInformation', 'error', 'RequestEntityTooLargeException'],
      ['anonymous', 'AmazonSSM.DescribeInstanceInformation', 'error', 'RequestEntityTooLargeException'],
    ]);
    // The server is still healthy afterwards.
    const out = await client(alice).send(new DescribeInstanceInformationCommand({}));
    assert.equal(out.InstanceInformationList?.length, 2);
  });

  it('routes extra paths outside the signed API, with the body limit too, and answers 404 otherwise', async () => {
    const added = await audited(async () => {
      const health = await fetch(`${endpoint}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const withQuery = await fetch(`${endpoint}/healthz?verbose=1`);
      assert.equal(withQuery.status, 200);

      const echo = await fetch(`${endpoint}/echo`, { method: 'POST', body: 'hello' });
      assert.deepEqual(await echo.json(), { method: 'POST', bytes: 5, text: 'hello' });
      const tooBig = await fetch(`${endpoint}/echo`, { method: 'POST', body: 'x'.repeat(MAX_BODY + 1) });
      assert.equal(tooBig.status, 413);

      const missing = await fetch(`${endpoint}/nowhere`);
      assert.equal(missing.status, 404);
      assert.match(((await missing.json()) as { message: string }).message, /no route for GET \/nowhere/);
      const getRoot = await fetch(`${endpoint}/`);
      assert.equal(getRoot.status, 404);
    });
    assert.deepEqual(added, [], 'only API calls are audited here (extra routes audit themselves)');
  });

  it('every call above is in the audit file, and the file verifies', async () => {
    const all = await records();
    // One record per API call made by the tests above, in order (the extra routes add none).
    assert.equal(all.length, 21);
    assert.deepEqual(all.map((r) => r.seq), Array.from({ length: 21 }, (_, i) => i + 1));
    const outcomes = all.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
    assert.deepEqual(outcomes, { success: 6, denied: 7, error: 8 });
    for (const r of all) {
      if (r.outcome === 'success') assert.equal(r.errorCode, undefined);
      else assert.ok(r.errorCode, `record ${r.seq} has an error code`);
    }
    const verification = await verifyAuditFile(auditFile);
    assert.deepEqual(verification, { ok: true, records: 21, head: all.at(-1)!.hash });
  });
});
