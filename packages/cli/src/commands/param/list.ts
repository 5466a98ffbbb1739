import { DescribeParametersCommand, GetParametersByPathCommand, type Parameter, type ParameterMetadata, type ParameterStringFilter } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { EXIT } from '../../client/exit-codes.js';
import { metadataRow, parameterRow } from '../../client/parameters.js';
import { renderTable } from '../../client/table.js';

export default class ParamList extends ApiCommand {
  static override summary = 'List parameters: their metadata (DescribeParameters), or with --values a path\'s values (GetParametersByPath).';
  static override description =
    'Without PATH, every parameter the caller may see; with PATH, those directly under it, or the whole subtree with --recursive. --values reads the values under PATH (SecureStrings decrypted only with --with-decryption). Only parameters the caller\'s policy allows are listed.';
  static override examples = ['<%= config.bin %> param list', '<%= config.bin %> param list /app --recursive --type SecureString', '<%= config.bin %> param list /app/db --values --json'];
  static override args = { path: Args.string({ description: 'a hierarchy path, e.g. /app/db' }) };
  static override flags = {
    recursive: Flags.boolean({ description: 'include every level under PATH', default: false }),
    type: Flags.string({ description: 'only parameters of this type', options: ['String', 'StringList', 'SecureString'] }),
    values: Flags.boolean({ description: 'read the values under PATH (GetParametersByPath)', default: false }),
    'with-decryption': Flags.boolean({ description: 'with --values: show SecureString values decrypted', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ParamList);
    if ((flags.values || flags['with-decryption']) && !args.path) this.error('--values and --with-decryption need a PATH (e.g. /app)', { exit: EXIT.usage });
    await this.connect(flags);
    const filters: ParameterStringFilter[] = flags.type ? [{ Key: 'Type', Option: 'Equals', Values: [flags.type] }] : [];
    if (flags.values) {
      const parameters: Parameter[] = [];
      let token: string | undefined;
      do {
        const page = await this.ssm.send(
          new GetParametersByPathCommand({ Path: args.path, Recursive: flags.recursive, WithDecryption: flags['with-decryption'], ParameterFilters: filters.length ? filters : undefined, NextToken: token }),
        );
        parameters.push(...(page.Parameters ?? []));
        token = page.NextToken;
      } while (token);
      if (flags.json) return this.printJson(parameters);
      this.log(renderTable(parameters.map((p) => parameterRow(p, flags['with-decryption'])), ['Name', 'Type', 'Version', 'LastModified', 'Value']));
      return;
    }
    if (args.path) filters.push({ Key: 'Path', Option: flags.recursive ? 'Recursive' : 'OneLevel', Values: [args.path] });
    const parameters: ParameterMetadata[] = [];
    let token: string | undefined;
    do {
      const page = await this.ssm.send(new DescribeParametersCommand({ ParameterFilters: filters.length ? filters : undefined, NextToken: token }));
      parameters.push(...(page.Parameters ?? []));
      token = page.NextToken;
    } while (token);
    if (flags.json) return this.printJson(parameters);
    this.log(renderTable(parameters.map(metadataRow), ['Name', 'Type', 'Version', 'Tier', 'LastModified', 'KeyId', 'Description']));
  }
}
