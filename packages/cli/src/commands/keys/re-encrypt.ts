import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

interface ReEncryptResult {
  Parameters: number;
  ReEncryptedVersions: number;
  AlreadyCurrentVersions: number;
}

export default class KeysReEncrypt extends ApiCommand {
  static override summary = 'Re-encrypt every stored SecureString version under the current version of its key (Tender.ReEncryptParameters).';
  static override description =
    'Run it after a rotation so that no value depends on an old key version any more. With --key-id, every SecureString version moves to that key instead. Values are decrypted and encrypted again inside the control plane; no plaintext leaves it.';
  static override examples = ['<%= config.bin %> keys re-encrypt', '<%= config.bin %> keys re-encrypt --key-id alias/payments'];
  static override flags = { 'key-id': Flags.string({ description: 'move every SecureString to this key (id, ARN or alias)' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysReEncrypt);
    await this.connect(flags);
    const result = await this.tender<ReEncryptResult>('ReEncryptParameters', flags['key-id'] ? { KeyId: flags['key-id'] } : {});
    if (flags.json) return this.printJson(result);
    this.log(`${result.ReEncryptedVersions} version(s) re-encrypted, ${result.AlreadyCurrentVersions} already current, in ${result.Parameters} SecureString parameter(s)`);
  }
}
