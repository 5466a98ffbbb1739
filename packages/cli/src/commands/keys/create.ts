import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import type { KeyMetadata } from '../../client/parameters.js';

export default class KeysCreate extends ApiCommand {
  static override summary = 'Create a master key for SecureString parameters (Tender.CreateKey).';
  static override description =
    'The control plane keeps the key material, sealed under its own master key; it never leaves it. Use the key with: tender param put NAME --type SecureString --key-id KEY-ID-OR-ALIAS.';
  static override examples = ['<%= config.bin %> keys create --alias alias/payments --description "payments secrets"'];
  static override flags = {
    description: Flags.string({ description: 'what the key is for' }),
    alias: Flags.string({ description: 'an alias for the key, alias/NAME' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysCreate);
    await this.connect(flags);
    const result = await this.tender<{ KeyMetadata: KeyMetadata }>('CreateKey', { Description: flags.description, AliasName: flags.alias });
    if (flags.json) return this.printJson(result.KeyMetadata);
    const key = result.KeyMetadata;
    this.log(`${key.KeyId}  ${key.Arn}${key.Aliases.length ? `  ${key.Aliases.map((a) => a.AliasName).join(',')}` : ''}`);
  }
}
