import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

interface ListAccessKeysResult {
  AccessKeyMetadata: Array<{ UserName: string; AccessKeyId: string; Status: string; CreateDate: number }>;
}

export default class AccessKeysList extends ApiCommand {
  static override summary = 'List API access keys (never their secrets).';

  async run(): Promise<void> {
    const { flags } = await this.parse(AccessKeysList);
    await this.connect(flags);
    const result = await this.tender<ListAccessKeysResult>('ListAccessKeys');
    if (flags.json) return this.printJson(result);
    this.log(renderTable(result.AccessKeyMetadata.map((k) => ({ ...k, CreateDate: new Date(k.CreateDate * 1000).toISOString() })), ['AccessKeyId', 'UserName', 'Status', 'CreateDate']));
  }
}
