import { Command } from '@oclif/core';
import { defaultStateDir, jsonFlag, stateDirFlag } from '../../cli/agent-flags.js';
import { statusLines } from '../../service/report-output.js';
import { ServiceError } from '../../service/service-backend.js';
import { selectBackend } from '../../service/select-backend.js';

export default class ServiceStatus extends Command {
  static override summary = 'Show whether the agent\'s service is installed, enabled at boot and running.';
  static override description = 'Exit code 0 when it is running, 3 when it is not (as `systemctl status` does), 1 on an error.';
  static override examples = ['<%= config.bin %> service status --json'];
  static override flags = { 'state-dir': stateDirFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServiceStatus);
    try {
      const status = await selectBackend({ stateDir: flags['state-dir'] ?? defaultStateDir(), needsAdmin: false }).status();
      if (flags.json) this.log(JSON.stringify(status, null, 2));
      else for (const line of statusLines(status)) this.log(line);
      if (!status.running) this.exit(3);
    } catch (error) {
      if (error instanceof ServiceError) this.error(error.message, { exit: 1 });
      throw error;
    }
  }
}
