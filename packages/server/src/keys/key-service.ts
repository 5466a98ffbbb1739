/**
 * Named master keys for SecureString values: the role KMS plays for SSM. Each key has versions; encryption uses
 * the current one, decryption whichever one a blob names, so rotation never strands a stored value. Key
 * material is 32 random bytes per version, kept in the store sealed under the control plane's identity master
 * key (never in the clear at rest), and held opened in memory once used.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { openSecret, sealSecret, type SealedSecret } from '../identity/secret-box.js';
import type { Store, Table } from '../store/store.js';
import { blobHeader, openBlob, sealBlob } from './ciphertext.js';

export const DEFAULT_KEY_ALIAS = 'alias/tender/ssm';
/** What SSM users write for the AWS-managed default key; it names Tender's default key. */
const AWS_DEFAULT_ALIAS = 'alias/aws/ssm';
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface KeyVersionRecord {
  version: number;
  material: SealedSecret;
  createdAt: string;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  description: string;
  aliases: string[];
  createdAt: string;
  currentVersion: number;
  rotatedAt?: string;
  versions: KeyVersionRecord[];
}

export function invalidKeyId(keyId: string): ApiError {
  return new ApiError('InvalidKeyId', `Key ${keyId} does not exist: give the key id, key ARN, alias name (alias/...) or alias ARN of a key this control plane keeps (Tender.ListKeys)`);
}

export interface KeyServiceOptions {
  region: string;
  accountId: string;
  now?: () => Date;
}

export class KeyService {
  private readonly keys: Table<KeyRecord>;
  /** Alias name → key id; a table of its own so that `insert` makes alias names unique. */
  private readonly aliases: Table<string>;
  /** Opened key material by `keyId:version`. */
  private readonly material = new Map<string, Uint8Array>();
  private readonly now: () => Date;

  private constructor(
    store: Store,
    private readonly masterKey: Uint8Array,
    private readonly options: KeyServiceOptions,
  ) {
    this.keys = store.table<KeyRecord>('kms-keys');
    this.aliases = store.table<string>('kms-aliases');
    this.now = options.now ?? (() => new Date());
  }

  /** Open the key store, creating the default key `alias/tender/ssm` on first start. */
  static async open(store: Store, masterKey: Uint8Array, options: KeyServiceOptions): Promise<KeyService> {
    const service = new KeyService(store, masterKey, options);
    const defaultId = await service.aliases.get(DEFAULT_KEY_ALIAS);
    if (defaultId === undefined) await service.create({ description: 'Default key for SecureString parameters', aliasName: DEFAULT_KEY_ALIAS, reserved: true });
    else service.materialOf(await service.resolve(defaultId), undefined); // fails now, clearly, if the identity changed
    return service;
  }

  get defaultAlias(): string {
    return DEFAULT_KEY_ALIAS;
  }

  private arnOf(resource: string): string {
    return `arn:aws:kms:${this.options.region}:${this.options.accountId}:${resource}`;
  }

  async create(request: { description?: string; aliasName?: string; reserved?: boolean }): Promise<KeyRecord> {
    const description = request.description ?? '';
    if (description.length > 8192) throw new ApiError('ValidationException', 'Description must be at most 8192 characters');
    const alias = request.aliasName;
    if (alias !== undefined) {
      if (!ALIAS_NAME.test(alias)) throw new ApiError('ValidationException', `AliasName ${JSON.stringify(alias)} must be alias/ followed by 1-250 letters, digits and /_-`);
      if (!request.reserved && (/^alias\/aws\//i.test(alias) || alias === DEFAULT_KEY_ALIAS)) throw new ApiError('ValidationException', `AliasName ${alias} is reserved`);
    }
    const keyId = randomUUID();
    const time = this.now().toISOString();
    const record: KeyRecord = {
      keyId,
      arn: this.arnOf(`key/${keyId}`),
      description,
      aliases: alias ? [alias] : [],
      createdAt: time,
      currentVersion: 1,
      versions: [this.newVersion(1, time)],
    };
    // The alias first: a taken alias leaves no key behind.
    if (alias && !(await this.aliases.insert(alias, keyId))) throw new ApiError('AlreadyExistsException', `An alias with the name ${this.arnOf(alias)} already exists`);
    await this.keys.put(keyId, record);
    return record;
  }

  private newVersion(version: number, createdAt: string): KeyVersionRecord {
    return { version, material: sealSecret(randomBytes(32).toString('base64'), this.masterKey), createdAt };
  }

  async list(): Promise<KeyRecord[]> {
    return (await this.keys.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  /** A key by key id, key ARN, alias name or alias ARN; InvalidKeyId for anything else. */
  async resolve(keyId: string): Promise<KeyRecord> {
    const arnPrefix = this.arnOf('');
    let ref = keyId.startsWith('arn:') ? (keyId.startsWith(arnPrefix) ? keyId.slice(arnPrefix.length) : '') : keyId;
    if (ref.startsWith('key/')) ref = ref.slice(4);
    if (ref === AWS_DEFAULT_ALIAS) ref = DEFAULT_KEY_ALIAS;
    const id = ref.startsWith('alias/') ? await this.aliases.get(ref) : UUID.test(ref) ? ref : undefined;
    const record = id === undefined ? undefined : await this.keys.get(id);
    if (!record) throw invalidKeyId(keyId);
    return record;
  }

  /** A new current version; the old ones stay for decryption. */
  async rotate(keyId: string): Promise<KeyRecord> {
    const { keyId: id } = await this.resolve(keyId);
    const time = this.now().toISOString();
    const updated = await this.keys.update(id, (current) => {
      if (!current) throw invalidKeyId(keyId);
      const version = current.currentVersion + 1;
      return { ...current, currentVersion: version, rotatedAt: time, versions: [...current.versions, this.newVersion(version, time)] };
    });
    return updated!;
  }

  private materialOf(record: KeyRecord, version: number | undefined): Uint8Array {
    const wanted = version ?? record.currentVersion;
    const cacheKey = `${record.keyId}:${wanted}`;
    let key = this.material.get(cacheKey);
    if (!key) {
      const stored = record.versions.find((v) => v.version === wanted);
      if (!stored) throw new Error(`key ${record.keyId} has no version ${wanted}: the store was altered`);
      key = Uint8Array.from(Buffer.from(openSecret(stored.material, this.masterKey), 'base64'));
      this.material.set(cacheKey, key);
    }
    return key;
  }

  /** Encrypt under the key's current version. */
  encrypt(record: KeyRecord, plaintext: Uint8Array): string {
    return sealBlob(plaintext, this.materialOf(record, undefined), { keyId: record.keyId, keyVersion: record.currentVersion });
  }

  /** The ARN of the key a blob was encrypted under (for the kms:Decrypt check before decrypting). */
  keyArnOf(blob: string): string | undefined {
    const header = blobHeader(blob);
    return header ? this.arnOf(`key/${header.keyId}`) : undefined;
  }

  /** The key and version a blob names. */
  headerOf(blob: string): { keyId: string; keyVersion: number } | undefined {
    return blobHeader(blob);
  }

  async decrypt(blob: string): Promise<Uint8Array> {
    const header = blobHeader(blob);
    if (!header) throw new Error('a stored SecureString value is not a Tender ciphertext: the store was altered');
    // Key versions never change once made, so opened material needs no fresh read of the key record.
    let key = this.material.get(`${header.keyId}:${header.keyVersion}`);
    if (!key) {
      const record = await this.keys.get(header.keyId);
      if (!record) throw new Error(`a stored SecureString value names key ${header.keyId}, which does not exist: the store was altered`);
      key = this.materialOf(record, header.keyVersion);
    }
    const opened = openBlob(blob, key);
    if (!opened) throw new Error(`a stored SecureString value does not open under key ${header.keyId} version ${header.keyVersion}: the store was altered`);
    return opened;
  }
}
