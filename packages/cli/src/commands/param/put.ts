import { promises as fs } from 'node:fs';
import { PutParameterCommand, type ParameterTier, type ParameterType } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { EXIT } from '../../client/exit-codes.js';
import { parseTag, readStdin, withoutFinalNewline } from '../../client/parameters.js';

export default class ParamPut extends ApiCommand {
  static override summary = 'Create a parameter, or a new version of one (PutParameter).';
  static override description =
    'The value comes from --value, from --value-file FILE, or from standard input (--value-file - or a pipe); one final newline of a file or pipe is dropped. A SecureString is encrypted by the control plane under --key-id (default alias/tender/ssm) and is never printed back; prefer a file or a pipe for it, since a --value shows in the shell history and the process list. Overwriting an existing name needs --overwrite and makes a new version.';
  static override examples = [
    '<%= config.bin %> param put /app/db/host --value db.internal',
    'printf %s "$DB_PASSWORD" | <%= config.bin %> param put /app/db/password --type SecureString',
    '<%= config.bin %> param put /app/db/password --type SecureString --value-file password.txt --overwrite',
    '<%= config.bin %> param put /app/hosts --type StringList --value a.internal,b.internal --tag Env=prod',
  ];
  static override args = { name: Args.string({ description: 'parameter name, e.g. /app/db/host', required: true }) };
  static override flags = {
    value: Flags.string({ description: 'the value (for a secret, prefer --value-file or a pipe)', exclusive: ['value-file'] }),
    'value-file': Flags.string({ description: 'read the value from this file (- for standard input)', exclusive: ['value'] }),
    type: Flags.string({ description: 'parameter type', options: ['String', 'StringList', 'SecureString'], default: 'String' }),
    overwrite: Flags.boolean({ description: 'replace an existing parameter with a new version', default: false }),
    description: Flags.string({ description: 'what the parameter is for' }),
    'key-id': Flags.string({ description: 'master key of a SecureString: key id, ARN or alias (default alias/tender/ssm)' }),
    tier: Flags.string({ description: 'tier (value size limit 4 KB Standard, 8 KB Advanced)', options: ['Standard', 'Advanced', 'Intelligent-Tiering'] }),
    'allowed-pattern': Flags.string({ description: 'regular expression every value of this parameter must match' }),
    'data-type': Flags.string({ description: 'data type (text)' }),
    policies: Flags.string({ description: 'parameter policies as JSON, e.g. [{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2027-01-01T00:00:00Z"}}]' }),
    tag: Flags.string({ description: 'tag as Key=Value (repeatable; only when creating)', multiple: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ParamPut);
    const value = await this.value(flags);
    let tags;
    try {
      tags = flags.tag?.map(parseTag);
    } catch (error) {
      this.error((error as Error).message, { exit: EXIT.usage });
    }
    await this.connect(flags);
    if (flags.type === 'SecureString' && flags.value !== undefined && !flags.json) {
      process.stderr.write('note: a secret given with --value is visible in the shell history and the process list; --value-file or a pipe avoids that\n');
    }
    const result = await this.ssm.send(
      new PutParameterCommand({
        Name: args.name,
        Value: value,
        Type: flags.type as ParameterType,
        Overwrite: flags.overwrite || undefined,
        Description: flags.description,
        KeyId: flags['key-id'],
        Tier: flags.tier as ParameterTier | undefined,
        AllowedPattern: flags['allowed-pattern'],
        DataType: flags['data-type'],
        Policies: flags.policies,
        Tags: tags,
      }),
    );
    // Never the value: for a SecureString it is the secret, and for any parameter it is what the caller just typed.
    if (flags.json) return this.printJson({ Name: args.name, Version: result.Version, Tier: result.Tier });
    this.log(`${args.name} version ${result.Version} (${flags.type}, ${result.Tier ?? 'Standard'})`);
  }

  private async value(flags: { value?: string; 'value-file'?: string }): Promise<string> {
    if (flags.value !== undefined) return flags.value;
    const file = flags['value-file'];
    if (file !== undefined && file !== '-') {
      try {
        return withoutFinalNewline(await fs.readFile(file, 'utf8'));
      } catch (error) {
        this.error(`cannot read --value-file ${file}: ${(error as Error).message}`, { exit: EXIT.usage });
      }
    }
    if (file === undefined && process.stdin.isTTY) {
      this.error('no value: give --value, --value-file FILE, or pipe the value in (--value-file -)', { exit: EXIT.usage });
    }
    const piped = withoutFinalNewline(await readStdin());
    if (piped === '' && file === undefined) this.error('no value: give --value, --value-file FILE, or pipe the value in (--value-file -)', { exit: EXIT.usage });
    return piped;
  }
}
