import { Command, Flags } from '@oclif/core';
import { stateDirFlag } from '../cli/agent-flags.js';
import { LOG_LEVELS, runStart, START_OPTIONS as O } from '../cli/start-options.js';

/** Its options are described in cli/start-options.ts, which a well-formed `start` is parsed with (no oclif loaded). */
export default class Start extends Command {
  static override summary = 'Run the agent in the foreground until stopped.';
  static override description =
    'Connects to the control plane it registered with, reports this host\'s platform details, and keeps a heartbeat. It retries (with backoff) while the broker is unreachable and never exits for that; it stops by itself only when the control plane refuses or deregisters it (exit code 3). Logs are JSON lines on standard output.';
  static override flags = {
    'state-dir': stateDirFlag,
    'log-level': Flags.string({ description: O['log-level'].description, options: [...LOG_LEVELS], default: O['log-level'].default, env: O['log-level'].env }),
    plugin: Flags.directory({ description: O.plugin.description, multiple: true, exists: true }),
    'heartbeat-seconds': Flags.integer({ description: O['heartbeat-seconds'].description, min: O['heartbeat-seconds'].min, env: O['heartbeat-seconds'].env }),
    'inventory-interval-minutes': Flags.integer({ description: O['inventory-interval-minutes'].description, min: O['inventory-interval-minutes'].min, default: O['inventory-interval-minutes'].default, env: O['inventory-interval-minutes'].env }),
    'inventory-jitter-seconds': Flags.integer({ description: O['inventory-jitter-seconds'].description, min: O['inventory-jitter-seconds'].min, default: O['inventory-jitter-seconds'].default, env: O['inventory-jitter-seconds'].env }),
    'custom-inventory-dir': Flags.string({ description: O['custom-inventory-dir'].description, env: O['custom-inventory-dir'].env }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Start);
    const { code, message } = await runStart(flags);
    if (code !== 0) this.error(message ?? `stopped with exit code ${code}`, { exit: code });
  }
}
