import path from 'node:path';
import type { ActionContext, ActionHandler, Logger, OutputSink, Platform } from '@tender/plugin-api';
import type { InventoryServices } from './inventory-uploader.js';
import { INVENTORY_FOLDER } from './inventory-state.js';

export const SOFTWARE_INVENTORY_ACTION = 'aws:softwareInventory';

/** AWS-GatherSoftwareInventory's defaults: every switch Enabled, no files or registry filters. */
export const DEFAULT_GATHER_INPUTS: Readonly<Record<string, string>> = {
  applications: 'Enabled',
  awsComponents: 'Enabled',
  networkConfig: 'Enabled',
  windowsUpdates: 'Enabled',
  instanceDetailedInformation: 'Enabled',
  services: 'Enabled',
  windowsRoles: 'Enabled',
  customInventory: 'Enabled',
  billingInfo: 'Enabled',
};

export const DEFAULT_INVENTORY_INTERVAL_MINUTES = 30;

export interface InventoryScheduleOptions {
  /** The aws:softwareInventory handler from the loaded plugins; undefined when no plugin provides it. */
  action: ActionHandler | undefined;
  services: InventoryServices;
  stateDir: string;
  instance: { instanceId: string; region: string };
  platform: Platform;
  logger: Logger;
  /** Minutes between gathers; 0 turns the agent's own gathering off (SendCommand still works). */
  intervalMinutes: number;
  /**
   * How long a start that has not heard yet whether an association gathers (standDown never called) waits for that
   * before gathering anyway. Default {@link DEFAULT_AWAIT_ASSOCIATIONS_MS}.
   */
  awaitAssociationsMs?: number;
}

/**
 * A first start has no association set yet; the control plane sends it right after the hello. Gathering at once and
 * then again in the first run of the fleet's AWS-GatherSoftwareInventory association gathered twice (seconds of CPU
 * and a 250 KB upload each, on every new host): the schedule waits this long for the set instead. An agent that cannot
 * reach its control plane could not upload before then anyway.
 */
export const DEFAULT_AWAIT_ASSOCIATIONS_MS = 60_000;

/** Lines an action writes, kept out of the way: debug for stdout, warn for stderr. */
function loggingSink(log: (message: string) => void): OutputSink {
  return {
    write(chunk) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.split('\n')) if (line.trim()) log(line);
    },
  };
}

/**
 * The agent's built-in inventory gathering, the fallback for a host that holds no State Manager association of
 * AWS-GatherSoftwareInventory: at start (once the agent knows it holds no such association) and every
 * intervalMinutes, it runs aws:softwareInventory with
 * AWS-GatherSoftwareInventory's defaults, the result going to the uploader like a SendCommand's would. While the
 * agent holds such an association, the association gathers (on its schedule, with its parameters) and this
 * schedule stands down (standDown(true)); when the association goes, this schedule takes over again, with a
 * gather at once. Runs never overlap; stop() aborts a run in progress.
 */
export class InventorySchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly controller = new AbortController();
  private started = false;
  /** Whether an association gathers (true) or this schedule does (false); undefined until the agent knows. */
  private standingDown: boolean | undefined;

  constructor(private readonly options: InventoryScheduleOptions) {}

  start(): void {
    const { intervalMinutes, action, logger } = this.options;
    if (intervalMinutes <= 0) {
      logger.info('the agent\'s own inventory gathering is off (interval 0)');
      return;
    }
    if (!action) {
      logger.warn(`no plugin provides ${SOFTWARE_INVENTORY_ACTION}: inventory is not gathered`);
      return;
    }
    this.started = true;
    if (this.standingDown === true) logger.info('an association of AWS-GatherSoftwareInventory gathers inventory: the built-in inventory schedule stands down');
    else if (this.standingDown === false) this.arm();
    else {
      const waitMs = this.options.awaitAssociationsMs ?? DEFAULT_AWAIT_ASSOCIATIONS_MS;
      logger.info('the first inventory gather waits for the control plane\'s associations (one of them may gather instead)', { waitMs });
      this.timer = setTimeout(() => {
        this.timer = undefined;
        logger.info('no association set from the control plane yet: the built-in inventory schedule gathers');
        this.standDown(false);
      }, waitMs);
      this.timer.unref?.();
    }
  }

  /** Whether an association of AWS-GatherSoftwareInventory does the gathering (true) or this schedule (false). */
  standDown(standDown: boolean): void {
    if (standDown === this.standingDown) return;
    const undecided = this.standingDown === undefined;
    this.standingDown = standDown;
    if (!this.started) return;
    clearTimeout(this.timer); // the wait for the set, or the interval: the same kind of timer in Node
    this.timer = undefined;
    if (standDown) {
      this.options.logger.info('an association of AWS-GatherSoftwareInventory gathers inventory now: the built-in inventory schedule stands down');
    } else {
      if (!undecided) this.options.logger.info('no association of AWS-GatherSoftwareInventory any more: the built-in inventory schedule takes over');
      this.arm();
    }
  }

  private arm(): void {
    void this.runOnce();
    clearTimeout(this.timer);
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMinutes * 60_000);
    this.timer.unref?.();
  }

  /** One gather now (unless one is running: then that one's completion). */
  runOnce(): Promise<void> {
    this.running ??= this.gather().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async gather(): Promise<void> {
    const { action, logger, instance, platform, stateDir, services } = this.options;
    if (!action || this.controller.signal.aborted) return;
    const started = new Date();
    const context: ActionContext = {
      inputs: { ...DEFAULT_GATHER_INPUTS },
      signal: this.controller.signal,
      logger,
      stdout: loggingSink((line) => logger.debug(line, { action: SOFTWARE_INVENTORY_ACTION })),
      stderr: loggingSink((line) => logger.warn(line, { action: SOFTWARE_INVENTORY_ACTION })),
      orchestrationDirectory: path.join(stateDir, INVENTORY_FOLDER, 'run'),
      env: {},
      run: { instanceId: instance.instanceId, commandId: `inventory-${started.getTime()}`, documentName: 'AWS-GatherSoftwareInventory', stepName: 'collectSoftwareInventoryItems', region: instance.region },
      platform,
      services,
    };
    try {
      const result = await action.run(context);
      logger.info('inventory gathered', { status: result.status, ms: Date.now() - started.getTime(), ...(result.message ? { message: result.message } : {}) });
    } catch (error) {
      logger.error('inventory gathering failed', { err: (error as Error).message });
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.controller.abort('shutdown');
    await this.running;
  }
}
