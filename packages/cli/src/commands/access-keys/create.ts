import { promises as fs } from 'node:fs';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

interface CreateAccessKeyResult {
  AccessKey: { UserName: string; AccessKeyId: string; SecretAccessKey: string };
  Arn: string;
}

export default class AccessKeysCreate extends ApiCommand {
  static override summary = 'Issue an API access key held to an IAM-style policy.';
  static override description =
    'The policy is an IAM policy document: statements with Effect Allow/Deny, Action (wildcards like ssm:Describe*), Resource ARNs (arn:aws:ssm:REGION:ACCOUNT:managed-instance/mi-...) or "*". An explicit Deny wins over any Allow; anything not allowed is denied. The secret is shown once.';
  static override examples = ['<%= config.bin %> access-keys create --user-name readonly --policy readonly.json'];
  static override flags = {
    'user-name': Flags.string({ description: 'name of the key\'s user (appears in the audit trail as arn:aws:iam::ACCOUNT:user/NAME)', required: true }),
    policy: Flags.file({ description: 'JSON file of the policy document', required: true, exists: true }),
    'credentials-profile': Flags.string({ description: 'also print the key as an AWS shared-credentials profile of this name' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AccessKeysCreate);
    await this.connect(flags);
    const policy = await fs.readFile(flags.policy, 'utf8');
    const result = await this.tender<CreateAccessKeyResult>('CreateAccessKey', { UserName: flags['user-name'], Policy: policy });
    if (flags.json) return this.printJson(result);
    this.log(`Created ${result.AccessKey.AccessKeyId} for ${result.Arn}. The secret is shown only now:`);
    this.log('');
    this.log(`[${flags['credentials-profile'] ?? flags['user-name']}]`);
    this.log(`aws_access_key_id = ${result.AccessKey.AccessKeyId}`);
    this.log(`aws_secret_access_key = ${result.AccessKey.SecretAccessKey}`);
    this.log(`region = ${this.settings.region}`);
  }
}
