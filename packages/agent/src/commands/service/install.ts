import { Command, Flags } from '@oclif/core';
import { defaultStateDir, jsonFlag, stateDirFlag } from '../../cli/agent-flags.js';
import { reportLines } from '../../service/report-output.js';
import { ServiceError } from '../../service/service-backend.js';
import { selectBackend } from '../../service/select-backend.js';

export default class ServiceInstall extends Command {
  static override summary = 'Install the agent as a system service that starts at boot, and start it.';
  static override description =
    'systemd (Linux): uses the unit the .deb/.rpm installed, or writes /etc/systemd/system/tender-agent.service; launchd (macOS): /Library/LaunchDaemons/com.tender.agent.plist with newsyslog rotation; Windows: a WinSW service. Running it again reloads the definition and restarts the agent (after an upgrade or a new registration). Register first: the agent will not start without an identity.';
  static override examples = ['sudo <%= config.bin %> service install', 'sudo <%= config.bin %> service install --no-start --json'];
  static override flags = {
    'state-dir': stateDirFlag,
    start: Flags.boolean({ description: 'start it now (--no-start: only at the next boot)', default: true, allowNo: true }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServiceInstall);
    try {
      const report = await selectBackend({ stateDir: flags['state-dir'] ?? defaultStateDir(), needsAdmin: true }).install({ start: flags.start });
      if (flags.json) this.log(JSON.stringify(report, null, 2));
      else for (const line of reportLines(report)) this.log(line);
    } catch (error) {
      if (error instanceof ServiceError) this.error(error.message, { exit: 1 });
      throw error;
    }
  }
}
