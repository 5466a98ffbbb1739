import { ApiError } from '../api/errors.js';
import type { Operation } from '../api/operation.js';
import { requiredString } from '../api/validate.js';
import type { AccessKeys } from './access-keys.js';

/** Tender's own admin operations for API keys (`Tender.CreateAccessKey`, ...; IAM actions `tender:*`). */
export function accessKeyOperations(accessKeys: AccessKeys): Operation[] {
  return [
    {
      service: 'Tender',
      name: 'CreateAccessKey',
      resources: (input, context) => [`arn:aws:iam::${context.accountId}:user/${String(input.UserName ?? '')}`],
      async handle(input) {
        const userName = requiredString(input, 'UserName', { min: 1, max: 64 });
        if (input.Policy === undefined) throw new ApiError('ValidationException', 'Policy is required: an IAM-style policy document (object or JSON string)');
        let policy: unknown = input.Policy;
        if (typeof policy === 'string') {
          try {
            policy = JSON.parse(policy);
          } catch (error) {
            throw new ApiError('MalformedPolicyDocument', `the policy is not JSON: ${(error as Error).message}`);
          }
        }
        const { record, secretAccessKey } = await accessKeys.create(userName, policy);
        return {
          AccessKey: { UserName: record.userName, AccessKeyId: record.accessKeyId, SecretAccessKey: secretAccessKey, Status: record.status, CreateDate: Date.parse(record.createdAt) / 1000 },
          Arn: accessKeys.arnOf(record.userName),
        };
      },
    },
    {
      service: 'Tender',
      name: 'ListAccessKeys',
      async handle() {
        const keys = await accessKeys.list();
        return {
          AccessKeyMetadata: keys.map((k) => ({ UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: Date.parse(k.createdAt) / 1000, Policy: k.policy })),
        };
      },
    },
    {
      service: 'Tender',
      name: 'DeleteAccessKey',
      async handle(input, context) {
        const id = requiredString(input, 'AccessKeyId');
        if (id === context.caller.accessKeyId) throw new ApiError('ValidationException', 'a key cannot delete itself; use another admin key');
        if (!(await accessKeys.delete(id))) throw new ApiError('NoSuchEntity', `The access key ${id} does not exist`);
        return {};
      },
    },
  ];
}
