/**
 * The Parameter Store's service: the reference resolver Run Command uses at dispatch, policies run by a
 * manual clock, the event stream, and names.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Principal } from '../src/access/access-keys.js';
import { ADMIN_POLICY, type PolicyDocument } from '../src/api/auth/policy.js';
import type { AuditEvent } from '../src/audit/audit-record.js';
import { KeyService } from '../src/keys/key-service.js';
import { parameterArn, parseSelector, nameToWrite, isValidLabel } from '../src/parameters/parameter-names.js';
import { ParameterService } from '../src/parameters/parameter-service.js';
import type { ParameterRecord } from '../src/parameters/parameter-records.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, TEST_ACCOUNT, TEST_REGION } from './support/operation-harness.js';

const scope = { region: TEST_REGION, accountId: TEST_ACCOUNT };

function principal(userName: string, policy: PolicyDocument): Principal {
  return { accessKeyId: `TKIA${userName.toUpperCase()}`, userName, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/${userName}`, policies: [policy] };
}

const admin = principal('admin', ADMIN_POLICY);

describe('parameter names, selectors and labels', () => {
  it('parses names, versions, labels and ARNs', () => {
    assert.deepEqual(parseSelector('/a/b', scope), { name: '/a/b' });
    assert.deepEqual(parseSelector('/a/b:3', scope), { name: '/a/b', version: 3, selector: ':3' });
    assert.deepEqual(parseSelector('plain:prod', scope), { name: 'plain', label: 'prod', selector: ':prod' });
    assert.deepEqual(parseSelector(`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/a/b:2`, scope), { name: '/a/b', version: 2, selector: ':2' });
    assert.deepEqual(parseSelector(`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/plain`, scope), { name: 'plain' });
    assert.equal(parameterArn(scope, '/a/b'), `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/a/b`);
    assert.throws(() => parseSelector('/a:0', scope), /versions start at 1/);
    assert.throws(() => parseSelector('/a:1:2', scope));
    assert.throws(() => parseSelector('/a:1', scope, false));
    assert.throws(() => parseSelector(`arn:aws:ssm:eu-west-1:${TEST_ACCOUNT}:parameter/a`, scope), /begins with/);
  });

  it('refuses reserved prefixes for writing, in any case, but not names that merely contain them', () => {
    for (const name of ['aws', '/aws/x', 'AWSconfig', '/SSM/x', 'ssm-x']) assert.throws(() => nameToWrite(name, scope), /prefixed/);
    assert.equal(nameToWrite('/my/aws/ssm', scope), '/my/aws/ssm');
    assert.equal(nameToWrite('configaws', scope), 'configaws');
  });

  it('applies SSM label rules', () => {
    for (const label of ['prod', 'Release_1.2-rc', 'x'.repeat(100)]) assert.ok(isValidLabel(label), label);
    for (const label of ['', '1st', 'aws-x', 'SSMx', 'a b', 'a/b', 'a:b', 'x'.repeat(101)]) assert.ok(!isValidLabel(label), label);
  });
});

describe('ParameterService', () => {
  let dir: string;
  let store: FileStore;
  let keys: KeyService;
  let parameters: ParameterService;
  let audit: AuditEvent[];
  const masterKey = randomBytes(32);
  let clock: ManualClock;

  async function open(): Promise<ParameterService> {
    const service = new ParameterService({ store, keys, ...scope, now: clock.now, audit: async (event) => audit.push(event), sweepIntervalMs: 3_600_000 });
    await service.start();
    return service;
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-parameters-'));
    store = await FileStore.open(dir);
    clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    keys = await KeyService.open(store, masterKey, { ...scope, now: clock.now });
    audit = [];
    parameters = await open();
  });

  afterEach(async () => {
    await parameters.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('resolveReference', () => {
    beforeEach(async () => {
      await parameters.put(admin, { name: '/app/host', value: 'db-1', type: 'String' });
      await parameters.put(admin, { name: '/app/host', value: 'db-2', overwrite: true });
      await parameters.label('/app/host', 1, ['previous']);
      await parameters.put(admin, { name: '/app/list', value: 'a,b', type: 'StringList' });
      await parameters.put(admin, { name: '/app/password', value: 's3cret!', type: 'SecureString' });
    });

    it('resolves the current value, a version and a label, decrypting a SecureString', async () => {
      assert.deepEqual(await parameters.resolveReference(admin, '/app/host'), { name: '/app/host', type: 'String', version: 2, value: 'db-2' });
      assert.deepEqual(await parameters.resolveReference(admin, '/app/host:1'), { name: '/app/host', type: 'String', version: 1, value: 'db-1' });
      assert.deepEqual(await parameters.resolveReference(admin, '/app/host:previous'), { name: '/app/host', type: 'String', version: 1, value: 'db-1' });
      assert.deepEqual(await parameters.resolveReference(admin, '/app/list'), { name: '/app/list', type: 'StringList', version: 1, value: 'a,b' });
      assert.deepEqual(await parameters.resolveReference(admin, '/app/password'), { name: '/app/password', type: 'SecureString', version: 1, value: 's3cret!' });
    });

    it('throws ParameterNotFound and ParameterVersionNotFound', async () => {
      await apiError(parameters.resolveReference(admin, '/app/none'), 'ParameterNotFound', /\/app\/none/);
      await apiError(parameters.resolveReference(admin, '/app/host:3'), 'ParameterVersionNotFound', /version 3/);
      await apiError(parameters.resolveReference(admin, '/app/host:nolabel'), 'ParameterVersionNotFound', /label nolabel/);
    });

    it("checks ssm:GetParameters on the parameter and kms:Decrypt on a SecureString's key", async () => {
      const devOnly = principal('dev', { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: `arn:aws:ssm:*:*:parameter/dev/*` }] });
      await apiError(parameters.resolveReference(devOnly, '/app/host'), 'AccessDeniedException', /ssm:GetParameters on resource: arn:aws:ssm:.*:parameter\/app\/host/);
      await apiError(parameters.resolveReference(devOnly, '/app/none'), 'AccessDeniedException', undefined);
      const getOnly = principal('get', { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' }] });
      await apiError(parameters.resolveReference(getOnly, '/app/host'), 'AccessDeniedException', /ssm:GetParameters/);

      const noKms = principal('nokms', { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] });
      assert.equal((await parameters.resolveReference(noKms, '/app/host')).value, 'db-2');
      await apiError(parameters.resolveReference(noKms, '/app/password'), 'AccessDeniedException', /kms:Decrypt on resource: arn:aws:kms:/);
      const other = await keys.create({ aliasName: 'alias/other' });
      const otherKeyOnly = principal('otherkey', { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: other.arn }] });
      await apiError(parameters.resolveReference(otherKeyOnly, '/app/password'), 'AccessDeniedException', /kms:Decrypt/);
      const defaultKey = await keys.resolve('alias/tender/ssm');
      const rightKey = principal('rightkey', { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: defaultKey.arn }] });
      assert.equal((await parameters.resolveReference(rightKey, '/app/password')).value, 's3cret!');
      const denied = principal('denied', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:*:*:parameter/app/password' }] });
      await apiError(parameters.resolveReference(denied, '/app/password'), 'AccessDeniedException', /explicit deny/);
    });

    it('refuses a ciphertext copied into another parameter in the store', async () => {
      await parameters.put(admin, { name: '/app/public', value: 'nothing secret', type: 'SecureString' });
      const table = store.table<ParameterRecord>('parameters');
      const secretRecord = (await table.get('/app/password'))!;
      await table.update('/app/public', (current) => ({ ...current!, versions: [{ ...current!.versions[0]!, Value: secretRecord.versions[0]!.Value }] }));
      await assert.rejects(parameters.resolveReference(admin, '/app/public'), /belongs to another parameter/);
    });
  });

  describe('policies by the clock', () => {
    const hours = (n: number) => n * 3600;

    it('NoChangeNotification fires once per version: a change starts it over', async () => {
      const policies = JSON.stringify([{ Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '2', Unit: 'Hours' } }]);
      await parameters.put(admin, { name: '/watched', value: 'v1', type: 'String', tier: 'Advanced', policies });
      clock.advance(hours(1));
      await parameters.sweep();
      assert.deepEqual(parameters.readEvents(undefined, 10).events, []);
      clock.advance(hours(1));
      await parameters.sweep();
      await parameters.sweep();
      assert.deepEqual(parameters.readEvents(undefined, 10).events.map((e) => [e.Type, e.Version]), [['NoChangeNotification', 1]]);
      await parameters.put(admin, { name: '/watched', value: 'v2', overwrite: true });
      clock.advance(hours(1));
      await parameters.sweep();
      assert.equal(parameters.readEvents(undefined, 10).events.length, 1, 'the change reset the wait');
      clock.advance(hours(1));
      await parameters.sweep();
      assert.deepEqual(parameters.readEvents(undefined, 10).events.map((e) => [e.Type, e.Version]), [['NoChangeNotification', 1], ['NoChangeNotification', 2]]);
      assert.deepEqual(audit.map((e) => [e.operation, e.resources[0], e.outcome]), [
        ['tender:ParameterPolicyNoChangeNotification', parameterArn(scope, '/watched'), 'success'],
        ['tender:ParameterPolicyNoChangeNotification', parameterArn(scope, '/watched'), 'success'],
      ]);
    });

    it('Expiration deletes the parameter at its time, unless a new version moved the time', async () => {
      const expiresAt = (iso: string) => JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: iso } }]);
      await parameters.put(admin, { name: '/short', value: 'x', type: 'SecureString', tier: 'Advanced', policies: expiresAt('2030-01-01T02:00:00Z') });
      await parameters.put(admin, { name: '/moved', value: 'x', type: 'String', tier: 'Advanced', policies: expiresAt('2030-01-01T02:00:00Z') });
      await parameters.put(admin, { name: '/moved', value: 'y', overwrite: true, policies: expiresAt('2030-01-02T00:00:00Z') });
      await parameters.put(admin, { name: '/kept', value: 'z', type: 'String', tier: 'Advanced', policies: expiresAt('2030-01-01T02:00:00Z') });
      await parameters.put(admin, { name: '/kept', value: 'z2', overwrite: true, policies: '[]' });
      clock.advance(hours(2));
      await parameters.sweep();
      await apiError(parameters.get(admin, '/short', false), 'ParameterNotFound');
      assert.equal((await parameters.get(admin, '/moved', false)).Value, 'y');
      assert.equal((await parameters.get(admin, '/kept', false)).Value, 'z2', 'Policies "[]" removed the expiration');
      assert.deepEqual(parameters.readEvents(undefined, 10).events.map((e) => [e.Type, e.Name, e.Version]), [['Expired', '/short', 1]]);
      clock.advance(hours(22));
      await parameters.sweep();
      await apiError(parameters.get(admin, '/moved', false), 'ParameterNotFound');
      // A parameter created again under an expired name is a new one.
      assert.equal((await parameters.put(admin, { name: '/short', value: 'again', type: 'String' })).Version, 1);
    });

    it('keeps events across a restart and reads them by cursor', async () => {
      const policies = JSON.stringify([
        { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2030-01-01T10:00:00Z' } },
        { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '5', Unit: 'Hours' } },
        { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '1', Unit: 'Hours' } },
      ]);
      await parameters.put(admin, { name: '/cursor', value: 'x', type: 'String', tier: 'Intelligent-Tiering', policies });
      clock.advance(hours(6));
      await parameters.sweep();
      const first = parameters.readEvents(undefined, 10);
      assert.deepEqual(first.events.map((e) => e.Type), ['ExpirationNotification']);
      await parameters.stop();
      parameters = await open();
      clock.advance(hours(4));
      await parameters.sweep();
      const rest = parameters.readEvents(first.cursor, 10);
      assert.deepEqual(rest.events.map((e) => e.Type), ['ExpirationNotification', 'Expired']);
      assert.ok(rest.events.every((e) => e.Id > first.cursor));
      assert.deepEqual(parameters.readEvents(rest.cursor, 10).events, []);
      assert.equal(parameters.readEvents(rest.cursor, 10).cursor, rest.cursor, 'no news keeps the cursor');
      assert.deepEqual(parameters.readEvents(undefined, 2).events.map((e) => e.Id), [first.events[0]!.Id, rest.events[0]!.Id]);
    });
  });

  it('counts parameters per tier against the limit (ParameterLimitExceeded), overwrites and deletes included', async () => {
    const limited = new ParameterService({ store, keys, ...scope, now: clock.now, parameterLimits: { Standard: 2, Advanced: 1 }, sweepIntervalMs: 3_600_000 });
    await limited.start();
    try {
      await limited.put(admin, { name: '/limit/s1', value: 'x', type: 'String' });
      await limited.put(admin, { name: '/limit/s2', value: 'x', type: 'String' });
      await apiError(limited.put(admin, { name: '/limit/s3', value: 'x', type: 'String' }), 'ParameterLimitExceeded', /2 Standard/);
      assert.equal((await limited.put(admin, { name: '/limit/s2', value: 'y', overwrite: true })).Version, 2, 'an overwrite is no new parameter');
      await limited.put(admin, { name: '/limit/a1', value: 'x', type: 'String', tier: 'Advanced' });
      await apiError(limited.put(admin, { name: '/limit/a2', value: 'x', type: 'String', tier: 'Advanced' }), 'ParameterLimitExceeded', /1 Advanced/);
      await limited.delete('/limit/s1');
      assert.equal((await limited.put(admin, { name: '/limit/s3', value: 'x', type: 'String' })).Version, 1);
    } finally {
      await limited.stop();
    }
  });

  it('never writes half a parameter: a refused put leaves the previous version as it was', async () => {
    await parameters.put(admin, { name: '/whole', value: 'first', type: 'String', allowedPattern: '^[a-z]+$' });
    await apiError(parameters.put(admin, { name: '/whole', value: 'NOT-LOWER', overwrite: true }), 'ParameterPatternMismatchException');
    await apiError(parameters.put(admin, { name: '/whole', value: 'ok', overwrite: true, keyId: 'alias/x' }), 'ValidationException');
    await apiError(parameters.put(admin, { name: '/whole', value: 'ok', type: 'SecureString', overwrite: true, keyId: 'alias/x' }), 'InvalidKeyId');
    const history = await parameters.history('/whole');
    assert.equal(history.versions.length, 1);
    assert.equal(history.versions[0]!.Value, 'first');
  });
});
