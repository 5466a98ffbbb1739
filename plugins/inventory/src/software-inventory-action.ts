import path from 'node:path';
import type { ActionContext, ActionHandler, ActionResult } from '@tender/plugin-api';
import { runCommand } from './command-runner.js';
import { gatherInventory, selectGatherers } from './gather-inventory.js';
import { parseInventoryInputs } from './inputs.js';
import type { CommandRunner, GatherEnvironment } from './inventory-types.js';

export const SOFTWARE_INVENTORY = 'aws:softwareInventory';

/** The agent tells the action where custom inventory lives (it sets this to `<state dir>/inventory/custom`). */
export const CUSTOM_INVENTORY_DIR_VARIABLE = 'TENDER_AGENT_CUSTOM_INVENTORY_DIR';
/** Test hook: read dpkg's database from this folder (an isolated root's var/lib/dpkg) instead of /var/lib/dpkg. */
export const DPKG_ADMIN_DIR_VARIABLE = 'TENDER_INVENTORY_DPKG_ADMINDIR';

export interface SoftwareInventoryOptions {
  /** How programs are run (tests feed recorded output). Default: execFile without a shell. */
  run?: CommandRunner;
  /** Default: $TENDER_AGENT_CUSTOM_INVENTORY_DIR, else the default state directory's inventory/custom. */
  customInventoryDirectory?: string;
  /** Default: $TENDER_INVENTORY_DPKG_ADMINDIR, else dpkg's own (/var/lib/dpkg). */
  dpkgAdminDir?: string;
}

/** Where the agent keeps custom inventory when nobody said: inside its default (root) state directory. */
export function defaultCustomInventoryDirectory(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (env[CUSTOM_INVENTORY_DIR_VARIABLE]) return env[CUSTOM_INVENTORY_DIR_VARIABLE];
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'tender-agent', 'inventory', 'custom');
  return '/var/lib/tender-agent/inventory/custom';
}

function failed(message: string): ActionResult {
  return { status: 'Failed', exitCode: 1, message };
}

/**
 * aws:softwareInventory: gathers the types its inputs enable and hands them to the agent's uploader
 * (services.putInventory), which sends only what changed. A gatherer that fails does not stop the others: what
 * was gathered is still handed over, the failures go with it, and the step is Failed so someone looks.
 */
export function createSoftwareInventoryAction(options: SoftwareInventoryOptions = {}): ActionHandler {
  return {
    description: 'Gathers inventory (applications, network, CPU, files, services, Windows updates, roles, registry, custom) and uploads what changed',
    async run(context: ActionContext): Promise<ActionResult> {
      const parsed = parseInventoryInputs(context.inputs);
      if (!parsed.ok) return failed(parsed.message);
      const putInventory = context.services?.putInventory;
      if (!putInventory) return failed(`${SOFTWARE_INVENTORY} needs the agent's inventory uploader, which this agent does not offer`);

      const dpkgAdminDir = options.dpkgAdminDir ?? process.env[DPKG_ADMIN_DIR_VARIABLE];
      const environment: GatherEnvironment = {
        platform: context.platform,
        run: options.run ?? runCommand,
        signal: context.signal,
        instanceId: context.run.instanceId,
        customInventoryDirectory: options.customInventoryDirectory ?? defaultCustomInventoryDirectory(),
        shared: new Map(),
        ...(dpkgAdminDir ? { dpkgAdminDir } : {}),
      };
      const started = Date.now();
      const result = await gatherInventory(selectGatherers(parsed.inputs, context.platform), environment);
      for (const item of result.items) context.stdout.write(`${item.TypeName}: ${item.Content.length} ${item.Content.length === 1 ? 'entry' : 'entries'}\n`);
      context.stdout.write(`gathered ${result.items.length} types in ${Date.now() - started} ms\n`);
      for (const failure of result.failures) context.stderr.write(`${failure.message}\n`);
      for (const problem of result.problems) context.stderr.write(`${problem}\n`);

      try {
        await putInventory(result.items, result.failures.length ? result.failures : undefined);
      } catch (error) {
        return failed(`the inventory was gathered but the agent could not keep it for upload: ${(error as Error).message}`);
      }
      const troubles = result.failures.length + result.problems.length;
      if (troubles > 0) {
        return failed(`the inventory was handed to the uploader, but ${troubles} ${troubles === 1 ? 'problem was' : 'problems were'} reported: ${[...result.failures.map((f) => f.message), ...result.problems].join('; ')}`);
      }
      return { status: 'Success', exitCode: 0 };
    },
  };
}
