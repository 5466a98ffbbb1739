import { Command, Flags } from '@oclif/core';
import { LockedError, StateFileError } from '@tender/local-state';
import { NotRegisteredError } from '../identity/agent-identity.js';
import { runAgent } from '../runtime/run-agent.js';
import { defaultStateDir, stateDirFlag } from '../cli/agent-flags.js';

export default class Start extends Command {
  static override summary = 'Run the agent in the foreground until stopped.';
  static override description =
    'Connects to the control plane it registered with, reports this host\'s platform details, and keeps a heartbeat. It retries (with backoff) while the broker is unreachable and never exits for that; it stops by itself only when the control plane refuses or deregisters it (exit code 3). Logs are JSON lines on standard output.';
  static override flags = {
    'state-dir': stateDirFlag,
    'log-level': Flags.string({ description: 'log level', options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], default: 'info', env: 'TENDER_AGENT_LOG_LEVEL' }),
    plugin: Flags.directory({ description: 'folder of an extra plugin to load (repeatable)', multiple: true, exists: true }),
    'heartbeat-seconds': Flags.integer({ description: 'override the heartbeat period the control plane gave', min: 1, env: 'TENDER_AGENT_HEARTBEAT_SECONDS' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Start);
    try {
      const exit = await runAgent({
        stateDir: flags['state-dir'] ?? defaultStateDir(),
        logLevel: flags['log-level'],
        pluginPaths: flags.plugin,
        heartbeatSeconds: flags['heartbeat-seconds'],
      });
      if (exit.code !== 0) this.error(exit.reason, { exit: exit.code });
    } catch (error) {
      if (error instanceof NotRegisteredError || error instanceof StateFileError || error instanceof LockedError) this.error(error.message, { exit: 1 });
      throw error;
    }
  }
}
