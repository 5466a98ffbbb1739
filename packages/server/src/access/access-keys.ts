import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { ADMIN_POLICY, parsePolicy, type PolicyDocument } from '../api/auth/policy.js';
import { openSecret, sealSecret, type SealedSecret } from '../identity/secret-box.js';
import { deepFreeze, type Store, type Table } from '../store/store.js';

/** An API access key: the SigV4 key id and secret of one principal, with the IAM-style policy it is held to. */
export interface AccessKeyRecord {
  accessKeyId: string;
  userName: string;
  /** The secret is needed to check SigV4 signatures, so it is kept, sealed under the master key. */
  secret: SealedSecret;
  policy: PolicyDocument;
  createdAt: string;
  status: 'Active' | 'Inactive';
}

export interface Principal {
  accessKeyId: string;
  userName: string;
  arn: string;
  policies: PolicyDocument[];
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newAccessKeyId(): string {
  // "TKIA" marks keys Tender issued, the way AWS's begin with "AKIA"; 16 base32 characters follow.
  const bytes = randomBytes(16);
  return `TKIA${Array.from(bytes, (b) => KEY_ALPHABET[b % 32]).join('')}`;
}

export class AccessKeys {
  private readonly table: Table<AccessKeyRecord>;
  /**
   * What every signed call looks up, kept per key id: reading the record and opening its sealed secret on each
   * call was a large share of the API's cost. Only this class writes the table, and every write here empties
   * the cache first, so a deleted key stops working at once. (Several control planes sharing one store would
   * need the store to announce changes before they could share this cache.)
   */
  private readonly resolved = new Map<string, { secretAccessKey: string; principal: Principal }>();

  constructor(
    store: Store,
    private readonly masterKey: Uint8Array,
    private readonly accountId: string,
  ) {
    this.table = store.table<AccessKeyRecord>('access-keys');
  }

  arnOf(userName: string): string {
    return `arn:aws:iam::${this.accountId}:user/${userName}`;
  }

  /** Issue a key. The secret is returned once, here, and never shown again. */
  async create(userName: string, policy: unknown = ADMIN_POLICY): Promise<{ record: AccessKeyRecord; secretAccessKey: string }> {
    if (!/^[\w+=,.@-]{1,64}$/.test(userName)) {
      throw new ApiError('ValidationException', `user name ${JSON.stringify(userName)} must be 1-64 characters of letters, digits and +=,.@_-`);
    }
    const parsed = parsePolicy(policy);
    const secretAccessKey = randomBytes(30).toString('base64').replace(/[+/=]/g, (c) => ({ '+': 'A', '/': 'B', '=': 'C' })[c] ?? c);
    const record: AccessKeyRecord = {
      accessKeyId: newAccessKeyId(),
      userName,
      secret: sealSecret(secretAccessKey, this.masterKey),
      policy: parsed,
      createdAt: new Date().toISOString(),
      status: 'Active',
    };
    this.resolved.clear();
    await this.table.put(record.accessKeyId, record);
    return { record, secretAccessKey };
  }

  async list(): Promise<AccessKeyRecord[]> {
    return this.table.list();
  }

  async delete(accessKeyId: string): Promise<boolean> {
    this.resolved.clear();
    try {
      return await this.table.delete(accessKeyId);
    } finally {
      // Also after: a lookup that ran during the delete may have cached the key again.
      this.resolved.clear();
    }
  }

  /** For the SigV4 verifier: the secret of an active key, or undefined for an unknown or inactive one. */
  async secretOf(accessKeyId: string): Promise<{ secretAccessKey: string } | undefined> {
    const active = await this.activeKey(accessKeyId);
    return active ? { secretAccessKey: active.secretAccessKey } : undefined;
  }

  async principalOf(accessKeyId: string): Promise<Principal | undefined> {
    const cached = this.resolved.get(accessKeyId);
    if (cached) return cached.principal;
    const record = await this.table.get(accessKeyId);
    if (!record) return undefined;
    return this.principalFrom(record);
  }

  /** Frozen: one principal now serves many calls, and no handler may change what the next call is allowed. */
  private principalFrom(record: AccessKeyRecord): Principal {
    return Object.freeze({ accessKeyId: record.accessKeyId, userName: record.userName, arn: this.arnOf(record.userName), policies: Object.freeze([deepFreeze(record.policy) as PolicyDocument]) as PolicyDocument[] });
  }

  private async activeKey(accessKeyId: string): Promise<{ secretAccessKey: string; principal: Principal } | undefined> {
    const cached = this.resolved.get(accessKeyId);
    if (cached !== undefined) return cached;
    const record = await this.table.get(accessKeyId);
    const active = record && record.status === 'Active' ? { secretAccessKey: openSecret(record.secret, this.masterKey), principal: this.principalFrom(record) } : undefined;
    // Unknown ids are not remembered: anyone can send any id, and the cache must not grow with them.
    if (active) this.resolved.set(accessKeyId, active);
    return active;
  }
}
