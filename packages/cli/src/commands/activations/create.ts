import { CreateActivationCommand } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

export default class ActivationsCreate extends ApiCommand {
  static override summary = 'Create a hybrid activation (CreateActivation) and print how to register hosts with it.';
  static override flags = {
    'iam-role': Flags.string({ description: 'IamRole recorded on the instances', default: 'TenderManagedInstance' }),
    'registration-limit': Flags.integer({ description: 'how many hosts may register with it', default: 1, min: 1, max: 1000 }),
    'expires-in-hours': Flags.integer({ description: 'hours until it expires (at most 720)', default: 24, min: 1, max: 720 }),
    'default-instance-name': Flags.string({ description: 'name given to the instances' }),
    description: Flags.string({ description: 'what it is for' }),
    tag: Flags.string({ description: 'tag copied onto each instance (Key=Value)', multiple: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ActivationsCreate);
    await this.connect(flags);
    const result = await this.ssm.send(
      new CreateActivationCommand({
        IamRole: flags['iam-role'],
        RegistrationLimit: flags['registration-limit'],
        ExpirationDate: new Date(Date.now() + flags['expires-in-hours'] * 3_600_000),
        DefaultInstanceName: flags['default-instance-name'],
        Description: flags.description,
        Tags: flags.tag?.map((tag) => {
          const [Key, ...value] = tag.split('=');
          return { Key: Key ?? '', Value: value.join('=') };
        }),
      }),
    );
    if (flags.json) return this.printJson({ ActivationId: result.ActivationId, ActivationCode: result.ActivationCode });
    this.log(`ActivationId:   ${result.ActivationId}`);
    this.log(`ActivationCode: ${result.ActivationCode}   (shown only now)`);
    this.log('');
    this.log('On each host:');
    this.log(`  tender-agent register --endpoint ${this.settings.endpoint} --id ${result.ActivationId} --code ${result.ActivationCode}`);
    this.log('  tender-agent start');
  }
}
