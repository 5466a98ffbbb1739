import { DeleteParameterCommand, DeleteParametersCommand } from '@aws-sdk/client-ssm';
import { Args } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { EXIT } from '../../client/exit-codes.js';

export default class ParamDelete extends ApiCommand {
  static override summary = 'Delete parameters with all their versions (DeleteParameter, DeleteParameters for several).';
  static override description = 'Names that do not exist are listed and make the exit code 3; the others are deleted all the same.';
  static override examples = ['<%= config.bin %> param delete /app/db/host', '<%= config.bin %> param delete /app/a /app/b /app/c --json'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'parameter name; several may follow', required: true }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ParamDelete);
    const names = argv as string[];
    await this.connect(flags);
    let deleted: string[];
    let invalid: string[] = [];
    if (names.length === 1) {
      await this.ssm.send(new DeleteParameterCommand({ Name: names[0] }));
      deleted = names;
    } else {
      const result = await this.ssm.send(new DeleteParametersCommand({ Names: names }));
      deleted = result.DeletedParameters ?? [];
      invalid = result.InvalidParameters ?? [];
    }
    if (flags.json) this.printJson({ DeletedParameters: deleted, InvalidParameters: invalid });
    else for (const name of deleted) this.log(`deleted ${name}`);
    if (invalid.length > 0) this.error(`not found: ${invalid.join(', ')}`, { exit: EXIT.apiError });
  }
}
