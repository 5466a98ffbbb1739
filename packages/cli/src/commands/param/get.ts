import { GetParameterCommand, GetParametersCommand, type Parameter } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { EXIT } from '../../client/exit-codes.js';
import { parameterRow, shownValue } from '../../client/parameters.js';
import { renderTable } from '../../client/table.js';

export default class ParamGet extends ApiCommand {
  static override summary = 'Show parameters (GetParameter, GetParameters for several).';
  static override description =
    'A name may select a version or a label: /app/db/host:3, /app/db/host:prod. A SecureString\'s value is shown decrypted only with --with-decryption (which needs kms:Decrypt on its key); without it the table hides the ciphertext and --json shows it as the API returned it. Names that do not exist are listed on stderr and make the exit code 3.';
  static override examples = [
    '<%= config.bin %> param get /app/db/host',
    '<%= config.bin %> param get /app/db/password --with-decryption --raw',
    '<%= config.bin %> param get /app/db/host:prod /app/db/port --json',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'parameter name (name:version or name:label); several may follow', required: true }) };
  static override flags = {
    'with-decryption': Flags.boolean({ description: 'show SecureString values decrypted', default: false }),
    raw: Flags.boolean({ description: 'print only the values, one per line (for scripts)', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ParamGet);
    const names = argv as string[];
    await this.connect(flags);
    const decrypt = flags['with-decryption'];
    let parameters: Parameter[];
    let invalid: string[] = [];
    if (names.length === 1) {
      const result = await this.ssm.send(new GetParameterCommand({ Name: names[0], WithDecryption: decrypt }));
      parameters = result.Parameter ? [result.Parameter] : [];
      if (flags.json) return this.printJson(result.Parameter);
    } else {
      const result = await this.ssm.send(new GetParametersCommand({ Names: names, WithDecryption: decrypt }));
      parameters = result.Parameters ?? [];
      invalid = result.InvalidParameters ?? [];
      if (flags.json) this.printJson({ Parameters: parameters, InvalidParameters: invalid });
    }
    if (!flags.json) {
      if (flags.raw) for (const p of parameters) this.log(shownValue(p, decrypt) ?? '');
      else this.log(renderTable(parameters.map((p) => parameterRow(p, decrypt)), ['Name', 'Type', 'Version', 'LastModified', 'Value']));
    }
    if (invalid.length > 0) this.error(`not found: ${invalid.join(', ')}`, { exit: EXIT.apiError });
  }
}
