import type { Operation } from '../api/operation.js';
import { optionalString, requiredString } from '../api/validate.js';
import type { KeyRecord, KeyService } from './key-service.js';

const KEY_ID = { min: 1, max: 2048, pattern: /^[a-zA-Z0-9:/_-]+$/ };

/** A key as Tender's key operations show it (after KMS's KeyMetadata). */
export function keyMetadata(record: KeyRecord, aliasArn: (alias: string) => string) {
  return {
    KeyId: record.keyId,
    Arn: record.arn,
    Description: record.description,
    CreationDate: Date.parse(record.createdAt) / 1000,
    Enabled: true,
    KeyState: 'Enabled',
    KeyManager: 'CUSTOMER',
    Aliases: record.aliases.map((name) => ({ AliasName: name, AliasArn: aliasArn(name) })),
    CurrentKeyVersion: record.currentVersion,
    KeyVersions: record.versions.length,
    ...(record.rotatedAt ? { LastRotationDate: Date.parse(record.rotatedAt) / 1000 } : {}),
  };
}

/** Tender.CreateKey, ListKeys, DescribeKey, RotateKey: the master keys of SecureString parameters. */
export function keyOperations(keys: KeyService): Operation[] {
  const metadata = (record: KeyRecord, context: { region: string; accountId: string }) =>
    keyMetadata(record, (alias) => `arn:aws:kms:${context.region}:${context.accountId}:${alias}`);
  return [
    {
      service: 'Tender',
      name: 'CreateKey',
      handle: async (input, context) => ({
        KeyMetadata: metadata(await keys.create({ description: optionalString(input, 'Description', { max: 8192 }), aliasName: optionalString(input, 'AliasName', { min: 1, max: 256 }) }), context),
      }),
    },
    {
      service: 'Tender',
      name: 'ListKeys',
      handle: async (_input, context) => ({ Keys: (await keys.list()).map((record) => metadata(record, context)) }),
    },
    {
      service: 'Tender',
      name: 'DescribeKey',
      handle: async (input, context) => ({ KeyMetadata: metadata(await keys.resolve(requiredString(input, 'KeyId', KEY_ID)), context) }),
    },
    {
      service: 'Tender',
      name: 'RotateKey',
      handle: async (input, context) => ({ KeyMetadata: metadata(await keys.rotate(requiredString(input, 'KeyId', KEY_ID)), context) }),
    },
  ];
}
