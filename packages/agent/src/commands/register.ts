import { promises as fs } from 'node:fs';
import { Command, Flags } from '@oclif/core';
import { registerAgent } from '../registration/register.js';
import { defaultStateDir, jsonFlag, stateDirFlag } from '../cli/agent-flags.js';

export default class Register extends Command {
  static override summary = 'Register this host with a Tender control plane using a hybrid activation.';
  static override description =
    'Generates the agent\'s key pairs (the private halves never leave this host), registers with the activation id and code from CreateActivation, pins the control plane\'s public key, and stores the identity in the state directory, readable by its owner only.';
  static override examples = ['<%= config.bin %> register --endpoint http://tender.example:8700 --id 5f7c…-… --code AbCdEf… --name web-1'];
  static override flags = {
    endpoint: Flags.string({ description: 'URL of the control plane\'s API', required: true, env: 'TENDER_ENDPOINT' }),
    id: Flags.string({ description: 'activation id', required: true, env: 'TENDER_ACTIVATION_ID' }),
    code: Flags.string({ description: 'activation code', required: true, env: 'TENDER_ACTIVATION_CODE' }),
    name: Flags.string({ description: 'instance name (default: the activation\'s DefaultInstanceName)' }),
    'state-dir': stateDirFlag,
    ca: Flags.file({ description: 'PEM file of the CA that signed an https endpoint\'s certificate', exists: true }),
    force: Flags.boolean({ description: 'register again as a new instance even if this state dir already has an identity (the old one is kept aside)', default: false }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Register);
    const stateDir = flags['state-dir'] ?? defaultStateDir();
    try {
      const identity = await registerAgent({
        endpoint: flags.endpoint,
        activationId: flags.id,
        activationCode: flags.code,
        stateDir,
        name: flags.name,
        force: flags.force,
        ca: flags.ca ? await fs.readFile(flags.ca, 'utf8') : undefined,
      });
      if (flags.json) {
        this.log(JSON.stringify({ instanceId: identity.instanceId, region: identity.region, stateDir }));
      } else {
        this.log(`Registered as ${identity.instanceId} (region ${identity.region}).`);
        this.log(`Identity stored in ${stateDir}.`);
        this.log(`Start the agent: tender-agent start --state-dir ${stateDir}`);
      }
    } catch (error) {
      this.error(`registration failed: ${(error as Error).message}`, { exit: 1 });
    }
  }
}
