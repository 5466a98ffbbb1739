import { GetParameterHistoryCommand, type ParameterHistory } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { historyRow } from '../../client/parameters.js';
import { renderTable } from '../../client/table.js';

export default class ParamHistory extends ApiCommand {
  static override summary = 'Show every kept version of a parameter, with its labels (GetParameterHistory).';
  static override description = 'The last 100 versions are kept, as in SSM. SecureString values are shown decrypted only with --with-decryption.';
  static override examples = ['<%= config.bin %> param history /app/db/host', '<%= config.bin %> param history /app/db/password --with-decryption --json'];
  static override args = { name: Args.string({ description: 'parameter name', required: true }) };
  static override flags = { 'with-decryption': Flags.boolean({ description: 'show SecureString values decrypted', default: false }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ParamHistory);
    await this.connect(flags);
    const versions: ParameterHistory[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(new GetParameterHistoryCommand({ Name: args.name, WithDecryption: flags['with-decryption'], NextToken: token }));
      versions.push(...(page.Parameters ?? []));
      token = page.NextToken;
    } while (token);
    if (flags.json) return this.printJson(versions);
    this.log(renderTable(versions.map((v) => historyRow(v, flags['with-decryption'])), ['Version', 'Type', 'LastModified', 'User', 'Labels', 'Value']));
  }
}
