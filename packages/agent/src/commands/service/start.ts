import { Command } from '@oclif/core';
import { defaultStateDir, jsonFlag, stateDirFlag } from '../../cli/agent-flags.js';
import { reportLines } from '../../service/report-output.js';
import { ServiceError } from '../../service/service-backend.js';
import { selectBackend } from '../../service/select-backend.js';

export default class ServiceStart extends Command {
  static override summary = 'Start the installed service.';
  static override examples = ['sudo <%= config.bin %> service start'];
  static override flags = { 'state-dir': stateDirFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServiceStart);
    try {
      const report = await selectBackend({ stateDir: flags['state-dir'] ?? defaultStateDir(), needsAdmin: true }).start();
      if (flags.json) this.log(JSON.stringify(report, null, 2));
      else for (const line of reportLines(report)) this.log(line);
    } catch (error) {
      if (error instanceof ServiceError) this.error(error.message, { exit: 1 });
      throw error;
    }
  }
}
