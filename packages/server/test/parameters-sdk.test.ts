/**
 * The Parameter Store through the official SSM client against a real started control plane (real HTTP, real
 * files in a temp data directory), plus Tender's key operations signed the same way.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  paginateDescribeParameters,
  paginateGetParameterHistory,
  paginateGetParametersByPath,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
  UnlabelParameterVersionCommand,
  type DescribeParametersCommandInput,
  type ParameterMetadata,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { SERVER_DEFAULTS } from '../src/config.js';
import { startControlPlane, type RunningControlPlane } from '../src/control-plane.js';
import { ManualClock } from './support/operation-harness.js';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** A control plane of its own in a temp dir, with its admin credentials and an SSM client. */
class TestPlane {
  readonly clients: SSMClient[] = [];
  private constructor(
    readonly running: RunningControlPlane,
    readonly dir: string,
    readonly admin: Credentials,
  ) {}

  static async start(options: { now?: () => Date; dir?: string } = {}): Promise<TestPlane> {
    const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'tender-params-')));
    const running = await startControlPlane({ ...SERVER_DEFAULTS, dataDir: dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }, { logger: pino({ level: 'silent' }), ...(options.now ? { now: options.now } : {}) });
    const text = await readFile(running.credentialsFile, 'utf8');
    const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return new TestPlane(running, dir, { accessKeyId: get('aws_access_key_id'), secretAccessKey: get('aws_secret_access_key') });
  }

  client(credentials: Credentials = this.admin): SSMClient {
    const c = new SSMClient({ region: this.running.region, endpoint: this.running.endpoint, credentials, maxAttempts: 1 });
    this.clients.push(c);
    return c;
  }

  /** A Tender.* (or any) operation, signed as the SDK signs. */
  async call(target: string, body: unknown, credentials: Credentials = this.admin): Promise<{ status: number; json: Record<string, unknown> }> {
    const url = new URL(this.running.endpoint);
    const text = JSON.stringify(body);
    const signer = new SignatureV4({ credentials, region: this.running.region, service: 'ssm', sha256: Sha256 });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: text });
    const response = await fetch(`${this.running.endpoint}/`, { method: 'POST', headers: signed.headers, body: text });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async tender(operation: string, body: unknown = {}, credentials?: Credentials): Promise<Record<string, unknown>> {
    const { status, json } = await this.call(`Tender.${operation}`, body, credentials);
    assert.equal(status, 200, `Tender.${operation}: ${JSON.stringify(json)}`);
    return json;
  }

  async accessKey(userName: string, policy: unknown): Promise<Credentials> {
    const json = await this.tender('CreateAccessKey', { UserName: userName, Policy: policy });
    const key = json.AccessKey as { AccessKeyId: string; SecretAccessKey: string };
    return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  }

  async stop(removeDir = true): Promise<void> {
    for (const c of this.clients) c.destroy();
    await this.running.stop();
    if (removeDir) await rm(this.dir, { recursive: true, force: true });
  }
}

async function sdkError(promise: Promise<unknown>, name: string, message?: RegExp): Promise<SSMServiceException> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SSMServiceException, `expected ${name}, got ${String(error)}`);
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${name}, the call succeeded`);
}

/** Every file under a directory, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The files of the data directory that hold any of these strings (as UTF-8, UTF-16 or base64 bytes). */
async function filesHolding(dir: string, secrets: string[]): Promise<string[]> {
  const needles = secrets.flatMap((s) => [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le'), Buffer.from(Buffer.from(s, 'utf8').toString('base64'))]);
  const hits: string[] = [];
  for (const file of await filesUnder(dir)) {
    const bytes = await readFile(file);
    if (needles.some((needle) => bytes.includes(needle))) hits.push(path.relative(dir, file));
  }
  return hits;
}

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

describe('Parameter Store over HTTP with the AWS SDK', function () {
  this.timeout(60000);
  let plane: TestPlane;
  let ssm: SSMClient;
  const put = (input: Partial<PutParameterCommandInput> & { Name: string }) => ssm.send(new PutParameterCommand({ Value: 'v', ...input }));

  before(async () => {
    plane = await TestPlane.start();
    ssm = plane.client();
  });

  after(async () => {
    await plane.stop();
  });

  describe('PutParameter and GetParameter', () => {
    it('stores String, StringList and SecureString parameters and reads them back', async () => {
      const put1 = await put({ Name: '/app/url', Value: 'https://example.test', Type: 'String', Description: 'the url' });
      assert.deepEqual([put1.Version, put1.Tier], [1, 'Standard']);
      await put({ Name: '/app/hosts', Value: 'a,b,c', Type: 'StringList' });
      const password = secret('pw');
      await put({ Name: '/app/password', Value: password, Type: 'SecureString' });

      const url = (await ssm.send(new GetParameterCommand({ Name: '/app/url' }))).Parameter!;
      assert.equal(url.Value, 'https://example.test');
      assert.equal(url.Type, 'String');
      assert.equal(url.Version, 1);
      assert.equal(url.DataType, 'text');
      assert.equal(url.ARN, `arn:aws:ssm:${plane.running.region}:${plane.running.accountId}:parameter/app/url`);
      assert.ok(url.LastModifiedDate instanceof Date);
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/hosts' }))).Parameter!.Value, 'a,b,c');

      const sealed = (await ssm.send(new GetParameterCommand({ Name: '/app/password' }))).Parameter!;
      assert.equal(sealed.Type, 'SecureString');
      assert.notEqual(sealed.Value, password);
      assert.ok(!sealed.Value!.includes(password));
      assert.match(sealed.Value!, /^[A-Za-z0-9+/]+=*$/, 'the encrypted blob, base64');
      const opened = (await ssm.send(new GetParameterCommand({ Name: '/app/password', WithDecryption: true }))).Parameter!;
      assert.equal(opened.Value, password);
      // By ARN too.
      const byArn = (await ssm.send(new GetParameterCommand({ Name: url.ARN }))).Parameter!;
      assert.equal(byArn.Value, 'https://example.test');
    });

    it('overwrites only when asked, keeping versions, and reads versions and labels with selectors', async () => {
      await put({ Name: 'plain-name', Value: 'one', Type: 'String' });
      await sdkError(put({ Name: 'plain-name', Value: 'two', Type: 'String' }), 'ParameterAlreadyExists');
      assert.equal((await ssm.send(new GetParameterCommand({ Name: 'plain-name' }))).Parameter!.Value, 'one', 'nothing written by the refused call');
      const second = await put({ Name: 'plain-name', Value: 'two', Overwrite: true });
      assert.equal(second.Version, 2, 'the type is kept when an overwrite gives none');
      await ssm.send(new LabelParameterVersionCommand({ Name: 'plain-name', ParameterVersion: 1, Labels: ['stable'] }));

      const v1 = (await ssm.send(new GetParameterCommand({ Name: 'plain-name:1' }))).Parameter!;
      assert.deepEqual([v1.Value, v1.Version, v1.Selector, v1.Name], ['one', 1, ':1', 'plain-name']);
      const stable = (await ssm.send(new GetParameterCommand({ Name: 'plain-name:stable' }))).Parameter!;
      assert.deepEqual([stable.Value, stable.Version, stable.Selector], ['one', 1, ':stable']);
      assert.equal((await ssm.send(new GetParameterCommand({ Name: 'plain-name' }))).Parameter!.Value, 'two');
      await sdkError(ssm.send(new GetParameterCommand({ Name: 'plain-name:7' })), 'ParameterVersionNotFound');
      await sdkError(ssm.send(new GetParameterCommand({ Name: 'plain-name:nolabel' })), 'ParameterVersionNotFound');
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/no/such' })), 'ParameterNotFound');
    });

    it('needs a type to create a parameter and refuses types SSM does not have', async () => {
      await sdkError(put({ Name: '/typeless' }), 'ValidationException', /type is required/);
      await sdkError(put({ Name: '/typed', Type: 'Number' as never }), 'ValidationException', /enum value set/);
      const { status, json } = await plane.call('AmazonSSM.PutParameter', { Name: '/numeric', Value: 42, Type: 'String' });
      assert.equal(status, 400);
      assert.equal(json.__type, 'SerializationException');
      await sdkError(put({ Name: '/keyed', Type: 'String', KeyId: 'alias/tender/ssm' }), 'ValidationException', /SecureString/);
      await sdkError(put({ Name: '/ami', Type: 'String', DataType: 'aws:ec2:image' }), 'ValidationException', /text/);
      await sdkError(put({ Name: '/datatype', Type: 'String', DataType: 'TEXT' }), 'ValidationException', /not supported/);
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/typeless' })), 'ParameterNotFound');
    });

    it('validates names and hierarchies as SSM does', async () => {
      for (const name of ['aws-thing', '/AWS/thing', 'ssm.thing', '/Ssm/x', 'with space', 'bad#char', '/a//b', '/trailing/', 'no/leading/slash']) {
        await sdkError(put({ Name: name, Type: 'String' }), 'ValidationException', undefined);
      }
      const deep = `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`;
      await sdkError(put({ Name: deep, Type: 'String' }), 'HierarchyLevelLimitExceededException');
      const fifteen = `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`;
      assert.equal((await put({ Name: fifteen, Type: 'String' })).Version, 1);
      // The ARN of a name may have at most 1011 characters.
      const prefix = `arn:aws:ssm:${plane.running.region}:${plane.running.accountId}:parameter/`;
      const longest = `/${'n'.repeat(1011 - prefix.length)}`;
      assert.equal((await put({ Name: longest, Type: 'String' })).Version, 1);
      await sdkError(put({ Name: `${longest}x`, Type: 'String' }), 'ValidationException', /1011/);
      // Spaces around a name are trimmed, as SSM does.
      await put({ Name: '  /trimmed/name  ', Type: 'String', Value: 'x' });
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/trimmed/name' }))).Parameter!.Value, 'x');
    });

    it('keeps values within the tier limits and never echoes a value in an error', async () => {
      const standard = 'a'.repeat(4096);
      assert.equal((await put({ Name: '/size/standard', Value: standard, Type: 'String' })).Tier, 'Standard');
      const tooBig = `${secret('big')}${'b'.repeat(4097)}`;
      const error = await sdkError(put({ Name: '/size/standard-over', Value: tooBig, Type: 'String' }), 'ValidationException', /4096/);
      assert.ok(!error.message.includes(tooBig.slice(0, 20)));
      await sdkError(put({ Name: '/size/standard-over', Value: 'x'.repeat(4097), Type: 'String', Tier: 'Standard' }), 'ValidationException', /advanced-parameter tier/);
      assert.equal((await put({ Name: '/size/advanced', Value: 'c'.repeat(8192), Type: 'SecureString', Tier: 'Advanced' })).Tier, 'Advanced');
      await sdkError(put({ Name: '/size/advanced-over', Value: 'c'.repeat(8193), Type: 'String', Tier: 'Advanced' }), 'ValidationException', /8192/);
      assert.equal((await put({ Name: '/size/intelligent', Value: 'd'.repeat(5000), Type: 'String', Tier: 'Intelligent-Tiering' })).Tier, 'Advanced');
      assert.equal((await put({ Name: '/size/intelligent-small', Value: 'small', Type: 'String', Tier: 'Intelligent-Tiering' })).Tier, 'Standard');
      await sdkError(put({ Name: '/size/advanced', Value: 'small', Tier: 'Standard', Overwrite: true }), 'ValidationException', /downgrade/);
      assert.equal((await put({ Name: '/size/advanced', Value: 'small', Overwrite: true })).Tier, 'Advanced', 'an advanced parameter stays advanced');
      await sdkError(put({ Name: '/size/empty', Value: '', Type: 'String' }), 'ValidationException', /length/);
      await sdkError(put({ Name: '/size/nested', Value: 'x{{ssm:/app/url}}', Type: 'String' }), 'ValidationException', /nest/);
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/size/standard-over' })), 'ParameterNotFound');
    });

    it('checks values against AllowedPattern', async () => {
      await put({ Name: '/pattern/port', Value: '8080', Type: 'String', AllowedPattern: '^\\d+$' });
      const hidden = secret('nondigits');
      const error = await sdkError(put({ Name: '/pattern/port', Value: hidden, Overwrite: true }), 'ParameterPatternMismatchException', /allowedPattern/);
      assert.ok(!error.message.includes(hidden), 'the value is not in the message');
      await sdkError(put({ Name: '/pattern/bad', Value: 'x', Type: 'String', AllowedPattern: '([' }), 'InvalidAllowedPatternException');
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/pattern/port' }))).Parameter!.Version, 1);
    });

    it('refuses tags with overwrite, and unknown keys', async () => {
      await put({ Name: '/tagged/one', Type: 'String', Tags: [{ Key: 'team', Value: 'blue' }] });
      await sdkError(put({ Name: '/tagged/one', Overwrite: true, Tags: [{ Key: 'team', Value: 'red' }] }), 'ValidationException', /tags and overwrite/);
      await sdkError(put({ Name: '/secure/unknown-key', Type: 'SecureString', KeyId: 'alias/does-not-exist' }), 'InvalidKeyId');
      await sdkError(put({ Name: '/secure/unknown-key', Type: 'SecureString', KeyId: '11111111-2222-3333-4444-555555555555' }), 'InvalidKeyId');
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/secure/unknown-key' })), 'ParameterNotFound');
    });

    it('checks parameter policies and the tier they need', async () => {
      const expiration = JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2099-01-01T00:00:00.000Z' } }]);
      await sdkError(put({ Name: '/policy/standard', Type: 'String', Tier: 'Standard', Policies: expiration }), 'ValidationException', /policies/);
      assert.equal((await put({ Name: '/policy/auto', Type: 'String', Tier: 'Intelligent-Tiering', Policies: expiration })).Tier, 'Advanced');
      await sdkError(put({ Name: '/policy/x', Type: 'String', Tier: 'Advanced', Policies: '[{"Type":"Rotate","Version":"1.0","Attributes":{}}]' }), 'InvalidPolicyTypeException');
      await sdkError(put({ Name: '/policy/x', Type: 'String', Tier: 'Advanced', Policies: '[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2001-01-01T00:00:00Z"}}]' }), 'InvalidPolicyAttributeException');
      await sdkError(put({ Name: '/policy/x', Type: 'String', Tier: 'Advanced', Policies: '[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"3","Unit":"Weeks"}}]' }), 'InvalidPolicyAttributeException');
      await sdkError(put({ Name: '/policy/x', Type: 'String', Tier: 'Advanced', Policies: `[${expiration.slice(1, -1)},${expiration.slice(1, -1)}]` }), 'IncompatiblePolicyException');
      const eleven = JSON.stringify(Array.from({ length: 11 }, () => ({ Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '1', Unit: 'Days' } })));
      await sdkError(put({ Name: '/policy/x', Type: 'String', Tier: 'Advanced', Policies: eleven }), 'PoliciesLimitExceededException');
      const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/policy/auto'] }] }));
      assert.equal(described.Parameters?.[0]?.Policies?.[0]?.PolicyType, 'Expiration');
      assert.equal(described.Parameters?.[0]?.Policies?.[0]?.PolicyStatus, 'Pending');
    });
  });

  describe('GetParameters and deletion', () => {
    it('returns the parameters found and lists the others as InvalidParameters', async () => {
      await put({ Name: '/multi/a', Value: 'A', Type: 'String' });
      await put({ Name: '/multi/b', Value: 'B', Type: 'String' });
      const result = await ssm.send(new GetParametersCommand({ Names: ['/multi/a', '/multi/b', '/multi/missing', '/multi/a:9'] }));
      assert.deepEqual(result.Parameters?.map((p) => p.Value), ['A', 'B']);
      assert.deepEqual(result.InvalidParameters, ['/multi/missing', '/multi/a:9']);
      await sdkError(ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/multi/${i}`) })), 'ValidationException');
    });

    it('deletes one or several parameters', async () => {
      await put({ Name: '/del/a', Type: 'String' });
      await put({ Name: '/del/b', Type: 'String' });
      await put({ Name: '/del/c', Type: 'String' });
      await ssm.send(new DeleteParameterCommand({ Name: '/del/a' }));
      await sdkError(ssm.send(new DeleteParameterCommand({ Name: '/del/a' })), 'ParameterNotFound');
      const many = await ssm.send(new DeleteParametersCommand({ Names: ['/del/b', '/del/c', '/del/missing'] }));
      assert.deepEqual(many.DeletedParameters, ['/del/b', '/del/c']);
      assert.deepEqual(many.InvalidParameters, ['/del/missing']);
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/del/b' })), 'ParameterNotFound');
      // A parameter created again starts at version 1.
      assert.equal((await put({ Name: '/del/a', Type: 'String' })).Version, 1);
    });
  });

  describe('hierarchies, filters and pagination', () => {
    before(async () => {
      for (let i = 0; i < 23; i++) await put({ Name: `/tree/level1/p${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: i % 3 === 0 ? 'SecureString' : 'String', Tags: [{ Key: 'index', Value: String(i) }] });
      await put({ Name: '/tree/level1/deeper/leaf', Value: 'leaf', Type: 'String', Tier: 'Advanced' });
      await put({ Name: '/tree/top', Value: 'top', Type: 'StringList' });
      await ssm.send(new LabelParameterVersionCommand({ Name: '/tree/level1/p05', Labels: ['prod'] }));
    });

    it('GetParametersByPath lists one level or recursively, page by page', async () => {
      const names = async (input: { Path: string; Recursive?: boolean; MaxResults?: number }) => {
        const out: string[] = [];
        for await (const page of paginateGetParametersByPath({ client: ssm }, input)) out.push(...(page.Parameters ?? []).map((p) => p.Name!));
        return out;
      };
      const oneLevel = await names({ Path: '/tree/level1' });
      assert.equal(oneLevel.length, 23);
      assert.ok(!oneLevel.includes('/tree/level1/deeper/leaf'));
      assert.deepEqual(oneLevel, [...oneLevel].sort());
      const recursive = await names({ Path: '/tree', Recursive: true, MaxResults: 4 });
      assert.equal(recursive.length, 25);
      assert.deepEqual(await names({ Path: '/tree/' }), ['/tree/top']);

      const first = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/level1' }));
      assert.equal(first.Parameters?.length, 10, 'ten per page at most');
      assert.ok(first.NextToken);
      await sdkError(ssm.send(new GetParametersByPathCommand({ Path: '/tree/level1', MaxResults: 11 })), 'ValidationException', /less than or equal to 10/);
      await sdkError(ssm.send(new GetParametersByPathCommand({ Path: '/tree/level1', NextToken: 'not-a-token' })), 'InvalidNextToken');
      await sdkError(ssm.send(new GetParametersByPathCommand({ Path: 'tree' })), 'ValidationException', /forward slash/);
    });

    it('GetParametersByPath decrypts only when asked, and takes Type, KeyId and Label filters', async () => {
      const all = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/level1', ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }], MaxResults: 10 }));
      assert.deepEqual(all.Parameters?.map((p) => p.Name), ['/tree/level1/p00', '/tree/level1/p03', '/tree/level1/p06', '/tree/level1/p09', '/tree/level1/p12', '/tree/level1/p15', '/tree/level1/p18', '/tree/level1/p21']);
      assert.ok(all.Parameters?.every((p) => p.Value !== `v${Number(p.Name!.slice(-2))}`));
      const decrypted = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/level1', WithDecryption: true, ParameterFilters: [{ Key: 'KeyId', Values: ['alias/tender/ssm'] }] }));
      assert.deepEqual(decrypted.Parameters?.map((p) => p.Value).slice(0, 2), ['v0', 'v3']);
      const labelled = await ssm.send(new GetParametersByPathCommand({ Path: '/tree', Recursive: true, ParameterFilters: [{ Key: 'Label', Option: 'Equals', Values: ['prod'] }] }));
      assert.deepEqual(labelled.Parameters?.map((p) => p.Name), ['/tree/level1/p05']);
      await sdkError(ssm.send(new GetParametersByPathCommand({ Path: '/tree', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), 'InvalidFilterKey');
      await sdkError(ssm.send(new GetParametersByPathCommand({ Path: '/tree', ParameterFilters: [{ Key: 'Label', Option: 'BeginsWith', Values: ['p'] }] })), 'InvalidFilterOption');
      await sdkError(ssm.send(new GetParametersByPathCommand({ Path: '/tree', ParameterFilters: [{ Key: 'Type', Values: ['Number'] }] })), 'InvalidFilterValue');
    });

    it('a page goes on from the last name shown: a parameter put or deleted between pages neither repeats one nor hides one', async () => {
      for (const name of ['b', 'd', 'f', 'h']) await put({ Name: `/walk/${name}`, Type: 'String' });
      const names = (page: { Parameters?: Array<{ Name?: string }> }) => (page.Parameters ?? []).map((p) => p.Name!.slice('/walk/'.length));
      const byPath = { Path: '/walk', MaxResults: 2 };
      const described = { ParameterFilters: [{ Key: 'Path', Values: ['/walk'] }], MaxResults: 2 };

      const first = await ssm.send(new DescribeParametersCommand(described));
      assert.deepEqual(names(first), ['b', 'd']);
      await put({ Name: '/walk/a', Type: 'String' }); // before the position: an offset of 2 would show d again
      const second = await ssm.send(new DescribeParametersCommand({ ...described, NextToken: first.NextToken }));
      assert.deepEqual(names(second), ['f', 'h']);
      assert.equal(second.NextToken, undefined, 'the last page says so, rather than pointing at an empty one');

      const one = await ssm.send(new GetParametersByPathCommand(byPath));
      assert.deepEqual(names(one), ['a', 'b']);
      await ssm.send(new DeleteParametersCommand({ Names: ['/walk/a'] })); // before the position: an offset would skip d
      const two = await ssm.send(new GetParametersByPathCommand({ ...byPath, NextToken: one.NextToken }));
      assert.deepEqual(names(two), ['d', 'f']);
      await sdkError(ssm.send(new GetParametersByPathCommand({ ...byPath, NextToken: first.NextToken })), 'InvalidNextToken');
      await ssm.send(new DeleteParametersCommand({ Names: ['/walk/b', '/walk/d', '/walk/f', '/walk/h'] }));
    });

    it('DescribeParameters filters by name, path, type, key, label, tier, data type and tag, page by page', async () => {
      const describe = async (input: DescribeParametersCommandInput) => {
        const out: ParameterMetadata[] = [];
        for await (const page of paginateDescribeParameters({ client: ssm, pageSize: 7 }, input)) out.push(...(page.Parameters ?? []));
        return out.map((p) => p.Name);
      };
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'Name', Values: ['/tree/top'] }] }), ['/tree/top']);
      assert.equal((await describe({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/tree/level1/p1'] }] })).length, 10);
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'Name', Option: 'Contains', Values: ['deeper'] }] }), ['/tree/level1/deeper/leaf']);
      assert.equal((await describe({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/tree'] }] })).length, 25);
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'Path', Values: ['/tree'] }] }), ['/tree/top'], 'OneLevel is the default');
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'Path', Values: ['/tree'] }, { Key: 'Type', Values: ['StringList'] }] }), ['/tree/top']);
      assert.equal((await describe({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/tree'] }, { Key: 'KeyId', Values: ['alias/tender/ssm'] }] })).length, 8);
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'Label', Values: ['prod'] }] }), ['/tree/level1/p05']);
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/tree'] }, { Key: 'Tier', Values: ['Advanced'] }] }), ['/tree/level1/deeper/leaf']);
      assert.equal((await describe({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/tree'] }, { Key: 'DataType', Values: ['text'] }] })).length, 25);
      assert.deepEqual(await describe({ ParameterFilters: [{ Key: 'tag:index', Values: ['7'] }] }), ['/tree/level1/p07']);
      assert.equal((await describe({ ParameterFilters: [{ Key: 'tag:index' }] })).length, 23, 'a tag filter without values: the tag is there');
      assert.equal((await describe({ Filters: [{ Key: 'Name', Values: ['/tree/level1/p2'] }] })).length, 3);

      const page = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/tree'] }], MaxResults: 50 }));
      assert.equal(page.Parameters?.length, 25);
      assert.equal(page.Parameters?.find((p) => p.Name === '/tree/level1/p00')?.KeyId, 'alias/tender/ssm');
      await sdkError(ssm.send(new DescribeParametersCommand({ MaxResults: 51 })), 'ValidationException');
      await sdkError(ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['x'] }], ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), 'ValidationException', /either Filters or ParameterFilters/);
      await sdkError(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Like', Values: ['x'] }] })), 'InvalidFilterOption');
      await sdkError(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Owner', Values: ['x'] }] })), 'InvalidFilterKey');
      await sdkError(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: ['no-slash'] }] })), 'InvalidFilterValue');
      await sdkError(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name' }] })), 'InvalidFilterValue');
    });
  });

  describe('history and labels', () => {
    it('GetParameterHistory returns every version with its labels, page by page, decrypting only when asked', async () => {
      const values = [secret('h1'), secret('h2'), secret('h3')];
      await put({ Name: '/hist/secret', Value: values[0], Type: 'SecureString', Description: 'first' });
      await put({ Name: '/hist/secret', Value: values[1], Overwrite: true });
      await put({ Name: '/hist/secret', Value: values[2], Overwrite: true, Description: 'third' });
      await ssm.send(new LabelParameterVersionCommand({ Name: '/hist/secret', ParameterVersion: 2, Labels: ['blue'] }));
      const history = [];
      for await (const page of paginateGetParameterHistory({ client: ssm, pageSize: 2 }, { Name: '/hist/secret', WithDecryption: true })) history.push(...(page.Parameters ?? []));
      assert.deepEqual(history.map((h) => h.Version), [1, 2, 3]);
      assert.deepEqual(history.map((h) => h.Value), values);
      assert.deepEqual(history.map((h) => h.Labels), [[], ['blue'], []]);
      assert.deepEqual(history.map((h) => h.Description), ['first', 'first', 'third']);
      assert.ok(history.every((h) => h.KeyId === 'alias/tender/ssm' && h.LastModifiedUser?.endsWith(':user/admin')));
      const sealed = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/secret' }));
      assert.ok(sealed.Parameters?.every((h, i) => h.Value !== values[i]));
      await sdkError(ssm.send(new GetParameterHistoryCommand({ Name: '/hist/none' })), 'ParameterNotFound');
      await sdkError(ssm.send(new GetParameterHistoryCommand({ Name: '/hist/secret', MaxResults: 51 })), 'ValidationException');
    });

    it('GetParameterHistory goes on from the last version shown: the oldest dropped at the 101st version hides none', async () => {
      for (let n = 1; n <= 100; n++) await put({ Name: '/hist/full', Value: `v${n}`, Type: 'String', Overwrite: n > 1 });
      const first = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/full', MaxResults: 50 }));
      assert.deepEqual(first.Parameters?.map((h) => h.Version), Array.from({ length: 50 }, (_, i) => i + 1));
      await put({ Name: '/hist/full', Value: 'v101', Overwrite: true }); // version 1 goes: an offset of 50 would skip version 51
      const second = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/full', MaxResults: 50, NextToken: first.NextToken }));
      assert.deepEqual(second.Parameters?.map((h) => h.Version), Array.from({ length: 50 }, (_, i) => i + 51));
      const third = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/full', MaxResults: 50, NextToken: second.NextToken }));
      assert.deepEqual(third.Parameters?.map((h) => h.Version), [101]);
      assert.equal(third.NextToken, undefined);
    });

    it('moves labels between versions, refuses invalid ones, and holds at most ten per version', async () => {
      await put({ Name: '/labels/p', Value: '1', Type: 'String' });
      await put({ Name: '/labels/p', Value: '2', Overwrite: true });
      const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: '/labels/p', ParameterVersion: 1, Labels: ['live', '9lives', 'awsy', 'SSMlabel', 'bad:colon', 'x'.repeat(101), 'ok.label-1'] }));
      assert.equal(labelled.ParameterVersion, 1);
      assert.deepEqual(labelled.InvalidLabels, ['9lives', 'awsy', 'SSMlabel', 'bad:colon', 'x'.repeat(101)]);
      const moved = await ssm.send(new LabelParameterVersionCommand({ Name: '/labels/p', Labels: ['live'] }));
      assert.equal(moved.ParameterVersion, 2, 'the latest version by default');
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/labels/p:live' }))).Parameter!.Value, '2');
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/labels/p' }));
      assert.deepEqual(history.Parameters?.map((h) => h.Labels), [['ok.label-1'], ['live']]);

      await ssm.send(new LabelParameterVersionCommand({ Name: '/labels/p', ParameterVersion: 2, Labels: Array.from({ length: 9 }, (_, i) => `l${i}`) }));
      await sdkError(ssm.send(new LabelParameterVersionCommand({ Name: '/labels/p', ParameterVersion: 2, Labels: ['eleventh'] })), 'ParameterVersionLabelLimitExceeded');
      await sdkError(ssm.send(new LabelParameterVersionCommand({ Name: '/labels/p', ParameterVersion: 5, Labels: ['x'] })), 'ParameterVersionNotFound');
      await sdkError(ssm.send(new LabelParameterVersionCommand({ Name: '/labels/none', Labels: ['x'] })), 'ParameterNotFound');
      await sdkError(ssm.send(new LabelParameterVersionCommand({ Name: '/labels/p', Labels: Array.from({ length: 11 }, (_, i) => `m${i}`) })), 'ValidationException');

      const unlabelled = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/labels/p', ParameterVersion: 2, Labels: ['live', 'not-there'] }));
      assert.deepEqual(unlabelled.RemovedLabels, ['live']);
      assert.deepEqual(unlabelled.InvalidLabels, ['not-there']);
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/labels/p:live' })), 'ParameterVersionNotFound');
      await sdkError(ssm.send(new UnlabelParameterVersionCommand({ Name: '/labels/p', ParameterVersion: 3, Labels: ['x'] })), 'ParameterVersionNotFound');
    });

    it('keeps 100 versions, and will not drop a labelled oldest one', async () => {
      const name = '/versions/many';
      await put({ Name: name, Value: '1', Type: 'String' });
      for (let i = 2; i <= 101; i++) await put({ Name: name, Value: String(i), Overwrite: true });
      const versions: number[] = [];
      for await (const page of paginateGetParameterHistory({ client: ssm }, { Name: name })) versions.push(...(page.Parameters ?? []).map((p) => p.Version!));
      assert.equal(versions.length, 100);
      assert.deepEqual([versions[0], versions[99]], [2, 101]);
      await sdkError(ssm.send(new GetParameterCommand({ Name: `${name}:1` })), 'ParameterVersionNotFound');
      await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 2, Labels: ['keep'] }));
      await sdkError(put({ Name: name, Value: '102', Overwrite: true }), 'ParameterMaxVersionLimitExceeded', /Version 2, the oldest version/);
      assert.equal((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Version, 101);
      await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 50, Labels: ['keep'] }));
      assert.equal((await put({ Name: name, Value: '102', Overwrite: true })).Version, 102);
    });
  });

  it('50 concurrent overwriting PutParameter calls yield versions 1..50, none lost', async () => {
    const name = '/concurrent/counter';
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => put({ Name: name, Value: `value-${i}`, Type: 'SecureString', Overwrite: true })));
    assert.deepEqual(results.map((r) => r.Version).sort((a, b) => a! - b!), Array.from({ length: 50 }, (_, i) => i + 1));
    const history = [];
    for await (const page of paginateGetParameterHistory({ client: ssm }, { Name: name, WithDecryption: true })) history.push(...(page.Parameters ?? []));
    assert.deepEqual(history.map((h) => h.Version), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.deepEqual(history.map((h) => h.Value).sort(), Array.from({ length: 50 }, (_, i) => `value-${i}`).sort(), 'every value kept once');
  });

  describe('access control', () => {
    let dev: SSMClient;
    let devCredentials: Credentials;
    let noDecrypt: SSMClient;
    before(async () => {
      await put({ Name: '/dev/db', Value: 'dev-db', Type: 'String' });
      await put({ Name: '/dev/app/token', Value: 'dev-token', Type: 'SecureString' });
      await put({ Name: '/prod/db', Value: 'prod-db', Type: 'SecureString' });
      devCredentials = await plane.accessKey('dev', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ssm:*:*:parameter/dev/*' },
          { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*' },
        ],
      });
      dev = plane.client(devCredentials);
      noDecrypt = plane.client(await plane.accessKey('nodecrypt', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] }));
    });

    it('a key allowed /dev/* only is denied /prod/db', async () => {
      assert.equal((await dev.send(new GetParameterCommand({ Name: '/dev/db' }))).Parameter!.Value, 'dev-db');
      await sdkError(dev.send(new GetParameterCommand({ Name: '/prod/db' })), 'AccessDeniedException', /parameter\/prod\/db/);
      await sdkError(dev.send(new GetParameterCommand({ Name: '/prod/db:1' })), 'AccessDeniedException');
      await sdkError(dev.send(new GetParametersCommand({ Names: ['/dev/db', '/prod/db'] })), 'AccessDeniedException');
      await sdkError(dev.send(new PutParameterCommand({ Name: '/prod/new', Value: 'x', Type: 'String' })), 'AccessDeniedException');
      await sdkError(dev.send(new DeleteParameterCommand({ Name: '/prod/db' })), 'AccessDeniedException');
      await sdkError(dev.send(new GetParameterHistoryCommand({ Name: '/prod/db' })), 'AccessDeniedException');
      assert.equal((await dev.send(new PutParameterCommand({ Name: '/dev/new', Value: 'x', Type: 'String' }))).Version, 1);
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/prod/new' })), 'ParameterNotFound');

      // Every read and write is in the audit trail, allowed or not, by parameter ARN.
      const audit = (await readFile(path.join(plane.dir, 'audit.log'), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { caller: string; operation: string; resources: string[]; outcome: string });
      const mine = audit.filter((r) => r.caller.endsWith(':user/dev'));
      const arn = (name: string) => `arn:aws:ssm:${plane.running.region}:${plane.running.accountId}:parameter${name}`;
      assert.ok(mine.some((r) => r.operation === 'AmazonSSM.GetParameter' && r.outcome === 'success' && r.resources[0] === arn('/dev/db')));
      assert.ok(mine.some((r) => r.operation === 'AmazonSSM.GetParameter' && r.outcome === 'denied' && r.resources[0] === arn('/prod/db')));
      assert.ok(mine.some((r) => r.operation === 'AmazonSSM.PutParameter' && r.outcome === 'success' && r.resources[0] === arn('/dev/new')));
      assert.ok(mine.some((r) => r.operation === 'AmazonSSM.PutParameter' && r.outcome === 'denied' && r.resources[0] === arn('/prod/new')));
    });

    it('GetParametersByPath and DescribeParameters show such a key only /dev/...', async () => {
      const byPath = [];
      for await (const page of paginateGetParametersByPath({ client: dev }, { Path: '/', Recursive: true })) byPath.push(...(page.Parameters ?? []).map((p) => p.Name!));
      assert.deepEqual(byPath, ['/dev/app/token', '/dev/db', '/dev/new']);
      const described = [];
      for await (const page of paginateDescribeParameters({ client: dev }, {})) described.push(...(page.Parameters ?? []).map((p) => p.Name!));
      assert.deepEqual(described, ['/dev/app/token', '/dev/db', '/dev/new']);
      const adminView = await ssm.send(new GetParametersByPathCommand({ Path: '/prod' }));
      assert.deepEqual(adminView.Parameters?.map((p) => p.Name), ['/prod/db']);
    });

    it('decrypting needs kms:Decrypt on the key, encrypting kms:Encrypt', async () => {
      const sealed = await noDecrypt.send(new GetParameterCommand({ Name: '/prod/db' }));
      assert.notEqual(sealed.Parameter!.Value, 'prod-db');
      await sdkError(noDecrypt.send(new GetParameterCommand({ Name: '/prod/db', WithDecryption: true })), 'AccessDeniedException', /kms:Decrypt on resource: arn:aws:kms:/);
      await sdkError(noDecrypt.send(new GetParametersByPathCommand({ Path: '/prod', WithDecryption: true })), 'AccessDeniedException', /kms:Decrypt/);
      await sdkError(noDecrypt.send(new GetParameterHistoryCommand({ Name: '/prod/db', WithDecryption: true })), 'AccessDeniedException', /kms:Decrypt/);
      await sdkError(noDecrypt.send(new PutParameterCommand({ Name: '/prod/other', Value: 'x', Type: 'SecureString' })), 'AccessDeniedException', /kms:Encrypt/);
      assert.equal((await noDecrypt.send(new PutParameterCommand({ Name: '/prod/plain', Value: 'x', Type: 'String' }))).Version, 1, 'a String needs no key');
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/prod/other' })), 'ParameterNotFound');
      assert.equal((await dev.send(new GetParameterCommand({ Name: '/dev/app/token', WithDecryption: true }))).Parameter!.Value, 'dev-token');
    });
  });

  describe('master keys', () => {
    it('creates, lists, describes and rotates keys; every form of KeyId names a key', async () => {
      const created = (await plane.tender('CreateKey', { Description: 'team blue', AliasName: 'alias/team/blue' })).KeyMetadata as Record<string, unknown>;
      const keyId = created.KeyId as string;
      assert.match(created.Arn as string, new RegExp(`^arn:aws:kms:${plane.running.region}:${plane.running.accountId}:key/${keyId}$`));
      const aliasArn = `arn:aws:kms:${plane.running.region}:${plane.running.accountId}:alias/team/blue`;
      for (const form of [keyId, created.Arn, 'alias/team/blue', aliasArn]) {
        const described = (await plane.tender('DescribeKey', { KeyId: form })).KeyMetadata as Record<string, unknown>;
        assert.equal(described.KeyId, keyId);
      }
      const listed = (await plane.tender('ListKeys')).Keys as Array<{ Aliases: Array<{ AliasName: string }> }>;
      assert.deepEqual(listed.map((k) => k.Aliases.map((a) => a.AliasName)), [['alias/tender/ssm'], ['alias/team/blue']]);
      const duplicate = await plane.call('Tender.CreateKey', { AliasName: 'alias/team/blue' });
      assert.equal(duplicate.json.__type, 'AlreadyExistsException');
      const unknown = await plane.call('Tender.DescribeKey', { KeyId: 'alias/none' });
      assert.equal(unknown.json.__type, 'InvalidKeyId');

      const before = secret('before-rotation');
      await put({ Name: '/keys/blue', Value: before, Type: 'SecureString', KeyId: aliasArn });
      const rotated = (await plane.tender('RotateKey', { KeyId: 'alias/team/blue' })).KeyMetadata as Record<string, unknown>;
      assert.equal(rotated.CurrentKeyVersion, 2);
      const after = secret('after-rotation');
      await put({ Name: '/keys/blue', Value: after, Overwrite: true });
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/keys/blue', WithDecryption: true }));
      assert.deepEqual(history.Parameters?.map((h) => h.Value), [before, after], 'the old key version still decrypts');
      assert.deepEqual(history.Parameters?.map((h) => h.KeyId), [aliasArn, aliasArn]);
    });

    it('re-encrypts every SecureString version under the current key version, or moves them to another key', async () => {
      await put({ Name: '/reenc/a', Value: 'a1', Type: 'SecureString' });
      await put({ Name: '/reenc/a', Value: 'a2', Overwrite: true });
      await plane.tender('RotateKey', { KeyId: 'alias/tender/ssm' });
      const sealedBefore = (await ssm.send(new GetParameterHistoryCommand({ Name: '/reenc/a' }))).Parameters!.map((h) => h.Value);
      const counts = await plane.tender('ReEncryptParameters', {});
      assert.ok((counts.ReEncryptedVersions as number) >= 2);
      const again = await plane.tender('ReEncryptParameters', {});
      assert.equal(again.ReEncryptedVersions, 0, 'everything is current now');
      assert.equal(again.AlreadyCurrentVersions, (counts.ReEncryptedVersions as number) + (counts.AlreadyCurrentVersions as number));
      const after = await ssm.send(new GetParameterHistoryCommand({ Name: '/reenc/a', WithDecryption: true }));
      assert.deepEqual(after.Parameters?.map((h) => h.Value), ['a1', 'a2']);
      const sealedAfter = (await ssm.send(new GetParameterHistoryCommand({ Name: '/reenc/a' }))).Parameters!.map((h) => h.Value);
      assert.ok(sealedAfter.every((v, i) => v !== sealedBefore[i]));

      const moved = await plane.tender('ReEncryptParameters', { KeyId: 'alias/team/blue' });
      assert.equal(moved.AlreadyCurrentVersions, 2, 'the versions already under team/blue stay');
      const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'KeyId', Values: ['alias/team/blue'] }] }));
      assert.ok(described.Parameters!.some((p) => p.Name === '/reenc/a'));
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/reenc/a', WithDecryption: true }))).Parameter!.Value, 'a2');
      const unknown = await plane.call('Tender.ReEncryptParameters', { KeyId: 'alias/none' });
      assert.equal(unknown.json.__type, 'InvalidKeyId');
    });
  });
});

describe('Parameter Store at rest and across restarts', function () {
  this.timeout(60000);

  it('keeps no SecureString plaintext in the data directory (after puts, label moves, rotation and re-encryption)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-params-rest-'));
    const secrets = [secret('alpha'), secret('beta'), secret('gamma')];
    try {
      let plane = await TestPlane.start({ dir });
      let ssm = plane.client();
      await ssm.send(new PutParameterCommand({ Name: '/rest/a', Value: secrets[0], Type: 'SecureString' }));
      await ssm.send(new PutParameterCommand({ Name: '/rest/a', Value: secrets[1], Overwrite: true }));
      await ssm.send(new LabelParameterVersionCommand({ Name: '/rest/a', ParameterVersion: 1, Labels: ['old'] }));
      await ssm.send(new LabelParameterVersionCommand({ Name: '/rest/a', ParameterVersion: 2, Labels: ['old'] }));
      await plane.tender('CreateKey', { AliasName: 'alias/rest' });
      await ssm.send(new PutParameterCommand({ Name: '/rest/b', Value: secrets[2], Type: 'SecureString', KeyId: 'alias/rest' }));
      await plane.tender('RotateKey', { KeyId: 'alias/rest' });
      await plane.tender('RotateKey', { KeyId: 'alias/tender/ssm' });
      await plane.tender('ReEncryptParameters', {});
      await plane.tender('ReEncryptParameters', { KeyId: 'alias/rest' });
      // Reads and denied reads go to the audit trail too: it must not carry values either.
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/rest/a:old', WithDecryption: true }))).Parameter!.Value, secrets[1]);
      await sdkError(ssm.send(new PutParameterCommand({ Name: '/rest/c', Value: `${secrets[0]}{{x}}`, Type: 'SecureString' })), 'ValidationException');
      await plane.stop(false);

      assert.deepEqual(await filesHolding(dir, secrets), []);
      const store = await readFile(path.join(dir, 'store.json'), 'utf8');
      assert.ok(store.includes('/rest/a'), 'the search looked at the right files');

      // Everything still decrypts after a restart on the same data.
      plane = await TestPlane.start({ dir });
      ssm = plane.client();
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/rest/a', WithDecryption: true }));
      assert.deepEqual(history.Parameters?.map((h) => h.Value), secrets.slice(0, 2));
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/rest/b', WithDecryption: true }))).Parameter!.Value, secrets[2]);
      await plane.stop(false);
      assert.deepEqual(await filesHolding(dir, secrets), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a corrupt store file, naming it and leaving it untouched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-params-corrupt-'));
    try {
      const plane = await TestPlane.start({ dir });
      await plane.client().send(new PutParameterCommand({ Name: '/corrupt/a', Value: 'x', Type: 'SecureString' }));
      await plane.stop(false);
      const file = path.join(dir, 'store.json');
      const damaged = (await readFile(file, 'utf8')).slice(0, 200);
      await writeFile(file, damaged);
      await assert.rejects(TestPlane.start({ dir }), (error: Error) => error.message.includes(file));
      assert.equal(await readFile(file, 'utf8'), damaged);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when the sealed key material was altered, and answers an altered ciphertext with an internal error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-params-altered-'));
    try {
      let plane = await TestPlane.start({ dir });
      await plane.client().send(new PutParameterCommand({ Name: '/altered/a', Value: 'x', Type: 'SecureString' }));
      await plane.stop(false);
      const file = path.join(dir, 'store.json');
      const original = await readFile(file, 'utf8');
      type Tables = { tables: Record<string, Record<string, { versions: Array<{ material: { box: string }; Value: string }> }>> };
      const altered = JSON.parse(original) as Tables;
      for (const key of Object.values(altered.tables['kms-keys']!)) key.versions[0]!.material.box = Buffer.alloc(48, 7).toString('base64');
      await writeFile(file, JSON.stringify(altered));
      await assert.rejects(TestPlane.start({ dir }), /does not open under the master key/);

      const ciphertext = JSON.parse(original) as Tables;
      const version = ciphertext.tables.parameters!['/altered/a']!.versions[0]!;
      const blob = Buffer.from(version.Value, 'base64');
      blob[blob.length - 1]! ^= 1;
      version.Value = blob.toString('base64');
      await writeFile(file, JSON.stringify(ciphertext));
      plane = await TestPlane.start({ dir });
      await sdkError(plane.client().send(new GetParameterCommand({ Name: '/altered/a', WithDecryption: true })), 'InternalServerError');
      assert.ok((await plane.client().send(new GetParameterCommand({ Name: '/altered/a' }))).Parameter!.Value, 'the blob itself is still served');
      await plane.stop(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs parameter policies by the clock: notifications, then expiration, as events and in the audit trail', async () => {
    const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const plane = await TestPlane.start({ now: clock.now });
    try {
      const ssm = plane.client();
      const policies = JSON.stringify([
        { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2030-01-03T00:00:00.000Z' } },
        { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '1', Unit: 'Days' } },
        { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '12', Unit: 'Hours' } },
      ]);
      await ssm.send(new PutParameterCommand({ Name: '/expiring/token', Value: 'soon-gone', Type: 'SecureString', Tier: 'Advanced', Policies: policies }));
      const events = async (after?: string) => (await plane.tender('GetParameterEvents', after ? { After: after } : {})) as { Events: Array<{ Id: string; Type: string; Name: string; Version: number; Time: number }>; Cursor: string };
      const waitFor = async (count: number, after?: string) => {
        for (;;) {
          const read = await events(after);
          if (read.Events.length >= count) return read;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      assert.deepEqual((await events()).Events, []);

      clock.advance(13 * 3600);
      const first = await waitFor(1);
      assert.deepEqual(first.Events.map((e) => [e.Type, e.Name, e.Version]), [['NoChangeNotification', '/expiring/token', 1]]);
      assert.equal(first.Events[0]!.Time, clock.ms / 1000, 'the time of the clock that ran it');

      clock.advance(12 * 3600); // 2030-01-02T01:00: within a day of the expiration
      const second = await waitFor(1, first.Cursor);
      assert.deepEqual(second.Events.map((e) => e.Type), ['ExpirationNotification']);
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/expiring/token', WithDecryption: true }))).Parameter!.Value, 'soon-gone');
      const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/expiring/token'] }] }));
      assert.deepEqual(described.Parameters?.[0]?.Policies?.map((p) => [p.PolicyType, p.PolicyStatus]), [['Expiration', 'Pending'], ['ExpirationNotification', 'Finished'], ['NoChangeNotification', 'Finished']]);

      clock.advance(23 * 3600);
      const third = await waitFor(1, second.Cursor);
      assert.deepEqual(third.Events.map((e) => [e.Type, e.Name]), [['Expired', '/expiring/token']]);
      await sdkError(ssm.send(new GetParameterCommand({ Name: '/expiring/token' })), 'ParameterNotFound');
      assert.deepEqual((await events(third.Cursor)).Events, []);
      assert.equal((await events()).Events.length, 3, 'all kept, from the start without a cursor');

      const audit = (await readFile(path.join(plane.dir, 'audit.log'), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { operation: string; resources: string[]; detail?: string });
      const policyRecords = audit.filter((r) => r.operation.startsWith('tender:ParameterPolicy'));
      assert.deepEqual(policyRecords.map((r) => r.operation), ['tender:ParameterPolicyNoChangeNotification', 'tender:ParameterPolicyExpirationNotification', 'tender:ParameterPolicyExpired']);
      assert.ok(policyRecords.every((r) => r.resources[0]!.endsWith(':parameter/expiring/token')));
      assert.ok(!audit.some((r) => JSON.stringify(r).includes('soon-gone')));
      const bad = await plane.call('Tender.GetParameterEvents', { After: 'abc' });
      assert.equal(bad.json.__type, 'ValidationException');
    } finally {
      await plane.stop();
    }
  });
});
