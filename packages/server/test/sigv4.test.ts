import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient, DescribeInstanceInformationCommand, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { verifySigV4, type IncomingSignedRequest, type SigningKeyLookup } from '../src/api/auth/sigv4-verifier.js';
import { isApiError } from '../src/api/errors.js';

const AKID = 'AKIATENDERTEST000001';
const SECRET = 'tender/secret/key/for/tests/0123456789ab';
const REGION = 'us-east-1';
const keys: SigningKeyLookup = (id) => (id === AKID ? { secretAccessKey: SECRET } : undefined);

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server that records the last request and answers as SSM would for an empty result. */
class CapturingServer {
  last: Captured | undefined;
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.last = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{}');
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function toSignedRequest(c: Captured): IncomingSignedRequest {
  const url = new URL(c.url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return { method: c.method, path: url.pathname, query, headers: { ...c.headers }, body: c.body };
}

async function expectApiError(p: Promise<unknown>, code: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

describe('verifySigV4', () => {
  describe('with requests made by @aws-sdk/client-ssm', () => {
    const server = new CapturingServer();
    before(() => server.start());
    after(() => server.stop());

    async function sdkRequest(config: Partial<SSMClientConfig> = {}): Promise<IncomingSignedRequest> {
      const client = new SSMClient({
        region: REGION,
        endpoint: server.endpoint,
        credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
        maxAttempts: 1,
        ...config,
      });
      try {
        await client.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
      } finally {
        client.destroy();
      }
      assert.ok(server.last);
      return toSignedRequest(server.last);
    }

    it('accepts a request the SDK signed', async () => {
      const req = await sdkRequest();
      const caller = await verifySigV4(req, keys, { region: REGION });
      assert.equal(caller.accessKeyId, AKID);
      assert.equal(caller.region, REGION);
      assert.equal(caller.service, 'ssm');
      assert.ok(Math.abs(caller.signingDate.getTime() - Date.now()) < 60_000);
    });

    it('accepts an asynchronous key lookup', async () => {
      const req = await sdkRequest();
      const caller = await verifySigV4(req, async (id) => keys(id), { region: REGION });
      assert.equal(caller.accessKeyId, AKID);
    });

    it('rejects a wrong secret with InvalidSignatureException and AWS text', async () => {
      const req = await sdkRequest({ credentials: { accessKeyId: AKID, secretAccessKey: 'not-the-secret' } });
      await expectApiError(
        verifySigV4(req, keys, { region: REGION }),
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. ' +
          'Check your AWS Secret Access Key and signing method.',
      );
    });

    it('rejects an unknown access key with UnrecognizedClientException', async () => {
      const req = await sdkRequest({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: SECRET } });
      await expectApiError(
        verifySigV4(req, keys, { region: REGION }),
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    });

    it('rejects a tampered body', async () => {
      const req = await sdkRequest();
      req.body = req.body.toString().replace('5', '50');
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'InvalidSignatureException');
    });

    it('rejects a tampered body even when x-amz-content-sha256 is dropped', async () => {
      const req = await sdkRequest();
      req.body = req.body.toString().replace('5', '50');
      delete req.headers['x-amz-content-sha256'];
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'InvalidSignatureException');
    });

    it('rejects a tampered X-Amz-Target (another operation)', async () => {
      const req = await sdkRequest();
      req.headers['x-amz-target'] = 'AmazonSSM.DeleteDocument';
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'InvalidSignatureException');
    });

    it('rejects a request signed 20 minutes ago as expired', async () => {
      const req = await sdkRequest({ systemClockOffset: -20 * 60 * 1000 });
      await expectApiError(
        verifySigV4(req, keys, { region: REGION }),
        'InvalidSignatureException',
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      );
    });

    it('rejects a request verified 20 minutes after signing (injected clock)', async () => {
      const req = await sdkRequest();
      const now = new Date(Date.now() + 20 * 60 * 1000);
      await expectApiError(verifySigV4(req, keys, { region: REGION, now }), 'InvalidSignatureException', /^Signature expired/);
    });

    it('rejects a request dated too far in the future', async () => {
      const req = await sdkRequest({ systemClockOffset: 20 * 60 * 1000 });
      await expectApiError(
        verifySigV4(req, keys, { region: REGION }),
        'InvalidSignatureException',
        /^Signature not yet current: \d{8}T\d{6}Z is still later than/,
      );
    });

    it('honours maxSkewMs', async () => {
      const req = await sdkRequest({ systemClockOffset: -2 * 60 * 1000 });
      await verifySigV4(req, keys, { region: REGION });
      await expectApiError(verifySigV4(req, keys, { region: REGION, maxSkewMs: 60_000 }), 'InvalidSignatureException', /1 min\./);
    });

    it('rejects a credential scoped to another region', async () => {
      const req = await sdkRequest({ region: 'eu-west-1' });
      await expectApiError(
        verifySigV4(req, keys, { region: REGION }),
        'InvalidSignatureException',
        "Credential should be scoped to a valid region, not 'eu-west-1'. ",
      );
    });

    it('rejects a credential scoped to another service', async () => {
      const req = await sdkRequest();
      await expectApiError(
        verifySigV4(req, keys, { region: REGION, service: 'ec2messages' }),
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'ec2messages'. ",
      );
    });

    it('answers a missing Authorization header with MissingAuthenticationTokenException', async () => {
      const req = await sdkRequest();
      delete req.headers['authorization'];
      await expectApiError(
        verifySigV4(req, keys, { region: REGION }),
        'MissingAuthenticationTokenException',
        'Request is missing Authentication Token',
      );
    });

    it('rejects a session token, which Tender never issues', async () => {
      const req = await sdkRequest({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 'tok' } });
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'UnrecognizedClientException');
    });

    it('rejects a missing or malformed X-Amz-Date', async () => {
      const req = await sdkRequest();
      const date = req.headers['x-amz-date'] as string;
      req.headers['x-amz-date'] = date.replace('T', '');
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'InvalidSignatureException', /ISO8601 Long Format/);
      req.headers['x-amz-date'] = `${date.slice(0, 4)}1399${date.slice(8)}`;
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'InvalidSignatureException', /ISO8601 Long Format/);
      delete req.headers['x-amz-date'];
      await expectApiError(verifySigV4(req, keys, { region: REGION }), 'InvalidSignatureException', /X-Amz-Date/);
    });
  });

  describe('with requests signed by SignatureV4 directly', () => {
    const now = new Date('2025-03-04T05:06:07Z');
    const body = '{"InstanceInformationFilterList":[]}';

    async function sign(
      headers: Record<string, string>,
      opts: {
        path?: string;
        query?: Record<string, string | string[]>;
        secret?: string;
        date?: Date;
        method?: string;
        checksum?: boolean;
      } = {},
    ): Promise<IncomingSignedRequest> {
      const signer = new SignatureV4({
        credentials: { accessKeyId: AKID, secretAccessKey: opts.secret ?? SECRET },
        region: REGION,
        service: 'ssm',
        sha256: Sha256,
        applyChecksum: opts.checksum ?? true,
      });
      const signed = await signer.sign(
        {
          method: opts.method ?? 'POST',
          protocol: 'https:',
          hostname: 'tender.example',
          path: opts.path ?? '/',
          query: opts.query ?? {},
          headers: { host: 'tender.example', ...headers },
          body,
        },
        { signingDate: opts.date ?? now },
      );
      return {
        method: opts.method ?? 'POST',
        path: opts.path ?? '/',
        query: opts.query ?? {},
        headers: signed.headers as Record<string, string>,
        body,
      };
    }

    const ssmHeaders = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
    };

    it('accepts a query-less POST to /', async () => {
      const req = await sign(ssmHeaders);
      const caller = await verifySigV4(req, keys, { region: REGION, now });
      assert.deepEqual(caller, { accessKeyId: AKID, region: REGION, service: 'ssm', signingDate: now });
    });

    it('covers the body in the signature when no x-amz-content-sha256 is sent', async () => {
      const req = await sign(ssmHeaders, { checksum: false });
      assert.equal(req.headers['x-amz-content-sha256'], undefined);
      await verifySigV4(req, keys, { region: REGION, now });
      await expectApiError(verifySigV4({ ...req, body: '{}' }, keys, { region: REGION, now }), 'InvalidSignatureException');
    });

    it('rejects a body that does not match a signed x-amz-content-sha256', async () => {
      // smithy trusts the header instead of hashing the body: the verifier must check it.
      const req = await sign(ssmHeaders);
      await expectApiError(verifySigV4({ ...req, body: '{}' }, keys, { region: REGION, now }), 'InvalidSignatureException');
    });

    it('accepts header names in any case and extra unsigned headers', async () => {
      const req = await sign(ssmHeaders);
      const mixed: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) mixed[k.replace(/^./, (c) => c.toUpperCase())] = v as string;
      mixed['User-Agent'] = 'curl/8';
      mixed['X-Forwarded-For'] = '10.0.0.1';
      await verifySigV4({ ...req, headers: mixed }, keys, { region: REGION, now });
    });

    it('accepts a signed query string and a body given as bytes', async () => {
      const query = { b: ['2', '1'], a: 'x y' };
      const req = await sign(ssmHeaders, { method: 'GET', path: '/some/path', query });
      await verifySigV4({ ...req, body: Buffer.from(body) }, keys, { region: REGION, now });
      await expectApiError(
        verifySigV4({ ...req, query: { ...query, a: 'changed' } }, keys, { region: REGION, now }),
        'InvalidSignatureException',
      );
      await expectApiError(verifySigV4({ ...req, path: '/other' }, keys, { region: REGION, now }), 'InvalidSignatureException');
    });

    it('rejects a signature made at another time than X-Amz-Date says', async () => {
      const req = await sign(ssmHeaders, { date: new Date(now.getTime() - 1000) });
      req.headers['x-amz-date'] = '20250304T050607Z';
      await expectApiError(verifySigV4(req, keys, { region: REGION, now }), 'InvalidSignatureException');
    });

    it('rejects a credential date that is not the day of X-Amz-Date', async () => {
      const req = await sign(ssmHeaders);
      req.headers['authorization'] = (req.headers['authorization'] as string).replace('/20250304/', '/20250303/');
      await expectApiError(
        verifySigV4(req, keys, { region: REGION, now }),
        'InvalidSignatureException',
        /^Date in Credential scope does not match YYYYMMDD .*'20250303' != '20250304'/,
      );
    });

    it('requires X-Amz-Target and other x-amz-* headers to be signed', async () => {
      const req = await sign({ 'content-type': 'application/x-amz-json-1.1' });
      req.headers['x-amz-target'] = 'AmazonSSM.DeleteDocument';
      await expectApiError(verifySigV4(req, keys, { region: REGION, now }), 'IncompleteSignatureException', /x-amz-target/);
    });

    it('requires host to be signed', async () => {
      const req = await sign(ssmHeaders);
      req.headers['authorization'] = (req.headers['authorization'] as string).replace('host;', '');
      await expectApiError(verifySigV4(req, keys, { region: REGION, now }), 'IncompleteSignatureException', /'host'/);
    });

    it('rejects a SignedHeaders list that differs from what was signed', async () => {
      const req = await sign(ssmHeaders);
      req.headers['authorization'] = (req.headers['authorization'] as string).replace(
        'SignedHeaders=',
        'SignedHeaders=content-length;',
      );
      req.headers['content-length'] = String(body.length);
      await expectApiError(verifySigV4(req, keys, { region: REGION, now }), 'InvalidSignatureException');
    });

    it('checks the signature of every request in full, also after one with the same credential and headers was accepted', async () => {
      const req = await sign(ssmHeaders);
      await verifySigV4(req, keys, { region: REGION, now }); // its credential scope and signed headers are now known
      const accepted = req.headers['authorization'] as string;
      const withSignature = (signature: string) => ({ ...req, headers: { ...req.headers, authorization: accepted.replace(/Signature=[0-9a-f]{64}$/, `Signature=${signature}`) } });
      await expectApiError(verifySigV4(withSignature('a'.repeat(64)), keys, { region: REGION, now }), 'InvalidSignatureException');
      await expectApiError(verifySigV4(withSignature('XYZ'), keys, { region: REGION, now }), 'IncompleteSignatureException', /hexadecimal/);
      await expectApiError(verifySigV4(withSignature(`${'a'.repeat(64)}, Signature=${'b'.repeat(64)}`), keys, { region: REGION, now }), 'IncompleteSignatureException', /more than once/);
      await expectApiError(verifySigV4(withSignature(`${'a'.repeat(63)}`), keys, { region: REGION, now }), 'IncompleteSignatureException', /hexadecimal/);
      await verifySigV4(req, keys, { region: REGION, now }); // and the original still passes
    });

    const malformed: [string, string, RegExp][] = [
      ['another algorithm', 'AWS4-HMAC-SHA512 Credential=A/20250304/us-east-1/ssm/aws4_request', /Unsupported AWS 'algorithm'/],
      ['no Signature', `AWS4-HMAC-SHA256 Credential=${AKID}/20250304/us-east-1/ssm/aws4_request, SignedHeaders=host`, /requires 'Signature'/],
      ['a short Credential', `AWS4-HMAC-SHA256 Credential=${AKID}/20250304/us-east-1/ssm, SignedHeaders=host, Signature=${'a'.repeat(64)}`, /exactly 5 slash-delimited/],
      ['a wrong terminator', `AWS4-HMAC-SHA256 Credential=${AKID}/20250304/us-east-1/ssm/aws5_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`, /exactly 5 slash-delimited/],
      ['a non-hex Signature', `AWS4-HMAC-SHA256 Credential=${AKID}/20250304/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=xyz`, /hexadecimal/],
      ['uppercase SignedHeaders', `AWS4-HMAC-SHA256 Credential=${AKID}/20250304/us-east-1/ssm/aws4_request, SignedHeaders=Host, Signature=${'a'.repeat(64)}`, /lowercase/],
      ['a bad Credential date', `AWS4-HMAC-SHA256 Credential=${AKID}/2025-3-4/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`, /yyyyMMdd/],
    ];
    for (const [name, header, message] of malformed) {
      it(`answers an Authorization header with ${name} with IncompleteSignatureException`, async () => {
        const req = await sign(ssmHeaders);
        req.headers['authorization'] = header;
        await expectApiError(verifySigV4(req, keys, { region: REGION, now }), 'IncompleteSignatureException', message);
      });
    }
  });
});
