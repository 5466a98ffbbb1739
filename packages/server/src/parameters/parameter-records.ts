import type { Tag } from '../api/validate.js';
import type { DeepReadonly } from '../store/store.js';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';
export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];

export type PolicyType = 'Expiration' | 'ExpirationNotification' | 'NoChangeNotification';

/** One parameter policy as stored: SSM's ParameterInlinePolicy plus what Tender needs to act on it. */
export interface StoredPolicy {
  PolicyText: string;
  PolicyType: PolicyType;
  /** Pending until it acted (Finished). */
  PolicyStatus: 'Pending' | 'Finished';
  /** Expiration: when. */
  timestamp?: string;
  /** The notifications' Before / After, in milliseconds. */
  offsetMs?: number;
}

/** One version of a parameter. `Value` of a SecureString is a ciphertext blob (keys/ciphertext.ts), never plaintext. */
export interface ParameterVersionRecord {
  Version: number;
  Type: ParameterType;
  Value: string;
  /** SecureString: the KeyId as the caller gave it (or the default alias), and the key's ARN. */
  KeyId?: string;
  keyArn?: string;
  Description?: string;
  AllowedPattern?: string;
  Labels: string[];
  Tier: ParameterTier;
  Policies: StoredPolicy[];
  DataType: string;
  LastModifiedDate: string;
  LastModifiedUser: string;
}

/** A parameter: its tags, and its versions (oldest first, at most 100; the last is the current one). */
export interface ParameterRecord {
  Name: string;
  Tags: Tag[];
  versions: ParameterVersionRecord[];
}

/** A record or version as the store shares it with readers: frozen, never to be changed. */
export type StoredParameter = DeepReadonly<ParameterRecord>;
export type StoredVersion = DeepReadonly<ParameterVersionRecord>;

export function currentVersion<R extends StoredParameter>(record: R): R['versions'][number] {
  return record.versions[record.versions.length - 1]!;
}
