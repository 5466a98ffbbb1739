import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { blobHeader } from '../src/keys/ciphertext.js';
import { DEFAULT_KEY_ALIAS, KeyService } from '../src/keys/key-service.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, TEST_ACCOUNT, TEST_REGION } from './support/operation-harness.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

describe('master keys for SecureString values', () => {
  let dir: string;
  let store: FileStore;
  let masterKey: Uint8Array;
  let keys: KeyService;
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  const options = { region: TEST_REGION, accountId: TEST_ACCOUNT, now: clock.now };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-keys-'));
    store = await FileStore.open(dir);
    masterKey = randomBytes(32);
    keys = await KeyService.open(store, masterKey, options);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the default key alias/tender/ssm on first start only', async () => {
    const [first] = await keys.list();
    assert.deepEqual(first!.aliases, [DEFAULT_KEY_ALIAS]);
    assert.equal(first!.arn, `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${first!.keyId}`);
    const again = await KeyService.open(store, masterKey, options);
    assert.deepEqual((await again.list()).map((k) => k.keyId), [first!.keyId]);
  });

  it('names a key by key id, key ARN, alias name and alias ARN; anything else is InvalidKeyId', async () => {
    const created = await keys.create({ description: 'blue', aliasName: 'alias/blue' });
    for (const form of [created.keyId, created.arn, 'alias/blue', `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/blue`]) {
      assert.equal((await keys.resolve(form)).keyId, created.keyId, form);
    }
    const defaultKey = await keys.resolve(DEFAULT_KEY_ALIAS);
    assert.equal((await keys.resolve('alias/aws/ssm')).keyId, defaultKey.keyId, "SSM's default alias names Tender's default key");
    await apiError(keys.resolve('alias/red'), 'InvalidKeyId', /alias\/red/);
    await apiError(keys.resolve('00000000-0000-0000-0000-000000000000'), 'InvalidKeyId');
    await apiError(keys.resolve(`arn:aws:kms:eu-west-1:${TEST_ACCOUNT}:key/${created.keyId}`), 'InvalidKeyId', undefined);
    await apiError(keys.resolve('not a key'), 'InvalidKeyId');
  });

  it('keeps alias names unique and valid, leaving no key behind when refused', async () => {
    await keys.create({ aliasName: 'alias/team' });
    await apiError(keys.create({ aliasName: 'alias/team' }), 'AlreadyExistsException');
    await apiError(keys.create({ aliasName: 'alias/aws/mine' }), 'ValidationException', /reserved/);
    await apiError(keys.create({ aliasName: DEFAULT_KEY_ALIAS }), 'ValidationException', /reserved/);
    await apiError(keys.create({ aliasName: 'team' }), 'ValidationException', /alias\//);
    await apiError(keys.create({ aliasName: 'alias/with space' }), 'ValidationException');
    assert.equal((await keys.list()).length, 2);
  });

  it('rotation makes a new current version; blobs of older versions still decrypt', async () => {
    const key = await keys.create({ aliasName: 'alias/rotating' });
    const before = keys.encrypt(key, bytes('under version 1'));
    const rotated = await keys.rotate('alias/rotating');
    assert.equal(rotated.currentVersion, 2);
    assert.equal(rotated.rotatedAt, clock.now().toISOString());
    const after = keys.encrypt(rotated, bytes('under version 2'));
    assert.deepEqual(blobHeader(before), { keyId: key.keyId, keyVersion: 1 });
    assert.deepEqual(blobHeader(after), { keyId: key.keyId, keyVersion: 2 });
    assert.equal(keys.keyArnOf(after), key.arn);
    assert.equal(text(await keys.decrypt(before)), 'under version 1');
    assert.equal(text(await keys.decrypt(after)), 'under version 2');
    // A fresh service (nothing cached) reads both too.
    const reopened = await KeyService.open(store, masterKey, options);
    assert.equal(text(await reopened.decrypt(before)), 'under version 1');
    await apiError(keys.rotate('alias/none'), 'InvalidKeyId');
  });

  it('refuses an altered blob instead of returning garbage', async () => {
    const key = await keys.resolve(DEFAULT_KEY_ALIAS);
    const blob = Buffer.from(keys.encrypt(key, bytes('precious')), 'base64');
    blob[blob.length - 1]! ^= 1;
    await assert.rejects(keys.decrypt(blob.toString('base64')), /does not open/);
    await assert.rejects(keys.decrypt(Buffer.from('not a blob at all, just text').toString('base64')), /not a Tender ciphertext/);
  });

  it('keeps key material sealed under the master key: another master key cannot open it', async () => {
    const key = await keys.resolve(DEFAULT_KEY_ALIAS);
    const blob = keys.encrypt(key, bytes('sealed'));
    await store.close();
    const file = JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8')) as { tables: Record<string, Record<string, { versions: Array<Record<string, unknown>> }>> };
    for (const record of Object.values(file.tables['kms-keys']!)) {
      for (const version of record.versions) assert.deepEqual(Object.keys(version.material as object).sort(), ['box', 'nonce']);
    }
    await assert.rejects(KeyService.open(store, randomBytes(32), options), /does not open under the master key/);
    assert.equal(text(await (await KeyService.open(store, masterKey, options)).decrypt(blob)), 'sealed');
  });
});
