import { Args } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import type { KeyMetadata } from '../../client/parameters.js';

export default class KeysRotate extends ApiCommand {
  static override summary = 'Give a master key a new current version (Tender.RotateKey).';
  static override description =
    'New SecureString values are encrypted under the new version; values stored under older versions still decrypt. To move them to the new version too: tender keys re-encrypt.';
  static override examples = ['<%= config.bin %> keys rotate alias/tender/ssm'];
  static override args = { keyId: Args.string({ description: 'key id, key ARN or alias', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysRotate);
    await this.connect(flags);
    const result = await this.tender<{ KeyMetadata: KeyMetadata }>('RotateKey', { KeyId: args.keyId });
    if (flags.json) return this.printJson(result.KeyMetadata);
    this.log(`${result.KeyMetadata.KeyId} now at version ${result.KeyMetadata.CurrentKeyVersion} (${result.KeyMetadata.KeyVersions} kept)`);
  }
}
