import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { ADMIN_POLICY, parsePolicy, type PolicyDocument } from '../api/auth/policy.js';
import { openSecret, sealSecret, type SealedSecret } from '../identity/secret-box.js';
import type { Store, Table } from '../store/store.js';

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
    await this.table.put(record.accessKeyId, record);
    return { record, secretAccessKey };
  }

  async list(): Promise<AccessKeyRecord[]> {
    return this.table.list();
  }

  async delete(accessKeyId: string): Promise<boolean> {
    return this.table.delete(accessKeyId);
  }

  /** For the SigV4 verifier: the secret of an active key, or undefined for an unknown or inactive one. */
  async secretOf(accessKeyId: string): Promise<{ secretAccessKey: string } | undefined> {
    const record = await this.table.get(accessKeyId);
    if (!record || record.status !== 'Active') return undefined;
    return { secretAccessKey: openSecret(record.secret, this.masterKey) };
  }

  async principalOf(accessKeyId: string): Promise<Principal | undefined> {
    const record = await this.table.get(accessKeyId);
    if (!record) return undefined;
    return { accessKeyId, userName: record.userName, arn: this.arnOf(record.userName), policies: [record.policy] };
  }
}
