import { ApiCommand } from '../../client/api-command.js';
import { keyRow, type KeyMetadata } from '../../client/parameters.js';
import { renderTable } from '../../client/table.js';

export default class KeysList extends ApiCommand {
  static override summary = 'List the master keys of SecureString parameters (Tender.ListKeys); never their material.';
  static override description = 'Version shows the current key version and how many are kept: rotated-out versions stay, so older values still decrypt.';

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysList);
    await this.connect(flags);
    const result = await this.tender<{ Keys: KeyMetadata[] }>('ListKeys');
    if (flags.json) return this.printJson(result.Keys);
    this.log(renderTable(result.Keys.map(keyRow), ['KeyId', 'Aliases', 'Version', 'Created', 'Rotated', 'Description']));
  }
}
