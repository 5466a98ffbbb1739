import { Command, Flags } from '@oclif/core';
import { LockedError, StateFileError } from '@tender/local-state';
import { NotRegisteredError } from '../identity/agent-identity.js';
import { runAgent } from '../runtime/run-agent.js';
import { TestClockError } from '../associations/index.js';
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
    'inventory-interval-minutes': Flags.integer({ description: 'minutes between the agent\'s own inventory gathers (one also runs at start); 0 turns them off', min: 0, default: 30, env: 'TENDER_AGENT_INVENTORY_INTERVAL_MINUTES' }),
    'inventory-jitter-seconds': Flags.integer({ description: 'largest random delay before an inventory upload, so a fleet does not upload at once', min: 0, default: 60, env: 'TENDER_AGENT_INVENTORY_JITTER_SECONDS' }),
    'custom-inventory-dir': Flags.string({ description: 'folder of custom inventory JSON files (default: <state dir>/inventory/custom)', env: 'TENDER_AGENT_CUSTOM_INVENTORY_DIR' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Start);
    try {
      const exit = await runAgent({
        stateDir: flags['state-dir'] ?? defaultStateDir(),
        logLevel: flags['log-level'],
        pluginPaths: flags.plugin,
        heartbeatSeconds: flags['heartbeat-seconds'],
        inventoryIntervalMinutes: flags['inventory-interval-minutes'],
        inventoryJitterSeconds: flags['inventory-jitter-seconds'],
        customInventoryDir: flags['custom-inventory-dir'],
      });
      if (exit.code !== 0) this.error(exit.reason, { exit: exit.code });
    } catch (error) {
      if (error instanceof NotRegisteredError || error instanceof StateFileError || error instanceof LockedError || error instanceof TestClockError) this.error(error.message, { exit: 1 });
      throw error;
    }
  }
}
