import path from 'node:path';
import { acquireLock, LockedError, StateFileError } from '@tender/local-state';
import type { Logger, Platform } from '@tender/plugin-api';
import { createJsonLogger } from './json-logger.js';
import { loadIdentity, NotRegisteredError } from '../identity/agent-identity.js';
import { discoverPlugins } from '../plugins/plugin-loader.js';
import { PluginCatalog } from '../plugins/plugin-catalog.js';
import { Agent, type AgentExit } from './agent.js';
import { CommandChannel } from '../run-command/command-channel.js';
import { fromBase64 } from '@tender/protocol';
import { fetchDocument } from '../run-command/document-fetcher.js';
import { fetchPatchSnapshot } from '../run-command/patch-snapshot-fetcher.js';
import { CommandRunner, createSystemRebooter, rebootOnce, secretOpener } from '../runner/index.js';
import { gatherPlatformInfo } from '../platform/platform-info.js';
import { DEFAULT_INVENTORY_INTERVAL_MINUTES, InventoryChannel, InventorySchedule, InventoryUploader, SOFTWARE_INVENTORY_ACTION } from '../inventory/index.js';
import { AGENT_VERSION } from '../version.js';
import { AssociationChannel, AssociationScheduler, INVENTORY_DOCUMENT, testClockFromEnvironment } from '../associations/index.js';
import type { Clock } from '../runner/index.js';
import { clearReady, markReady } from './ready-marker.js';

/** The plugins the agent ships with. */
export const BUNDLED_PLUGINS = ['@tender/transport-mqtt', '@tender/action-script', '@tender/action-document', '@tender/inventory', '@tender/patch-apt', '@tender/patch-dnf', '@tender/patch-windows-update', '@tender/action-patch'];

export interface RunAgentOptions {
  stateDir: string;
  logLevel?: string;
  pluginPaths?: string[];
  heartbeatSeconds?: number;
  logger?: Logger;
  /** Minutes between the agent's own inventory gathers (also one at start); 0: off. Default 30. */
  inventoryIntervalMinutes?: number;
  /** The largest random delay before an inventory upload, in seconds. Default 60. */
  inventoryJitterSeconds?: number;
  /** Where custom inventory JSON files are read. Default `<state dir>/inventory/custom`. */
  customInventoryDir?: string;
  /** The association scheduler's clock (tests). Default: the test clock the environment enables, else the system's. */
  associationClock?: Clock;
}

export const DEFAULT_INVENTORY_JITTER_SECONDS = 60;
/** How the agent tells aws:softwareInventory (in this process) where custom inventory lives. */
const CUSTOM_INVENTORY_DIR_VARIABLE = 'TENDER_AGENT_CUSTOM_INVENTORY_DIR';

/**
 * `tender-agent start`: hold the state directory (one agent per state dir), load identity and plugins,
 * connect, and run until stopped by a signal or by the control plane. Resolves with the exit to take.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentExit> {
  const logger = options.logger ?? createJsonLogger({ level: options.logLevel, base: { svc: 'tender-agent' } });
  // Checked before anything is touched: a refused test clock stops the start with its reason.
  const testClock = options.associationClock ? undefined : testClockFromEnvironment();
  if (testClock) logger.warn('TEST ONLY: association schedules run on a sped-up clock', { anchor: new Date(testClock.anchor).toISOString(), scale: testClock.scale });
  const stateDir = path.resolve(options.stateDir);
  const lock = await acquireLock(stateDir, 'agent.lock').catch((error: NodeJS.ErrnoException) => {
    if (error instanceof LockedError) throw error;
    if (error.code === 'ENOENT') throw new NotRegisteredError(stateDir); // no state dir: never registered here
    throw new StateFileError(stateDir, `cannot use the state directory ${stateDir}: ${error.message}`);
  });
  try {
    await clearReady(stateDir); // a killed agent's; this one writes its own once it is up
    const identity = await loadIdentity(stateDir);
    // Manifests only: a plugin's code is imported when what it provides is first used (the transport: now).
    const plugins = new PluginCatalog(await discoverPlugins({ packages: BUNDLED_PLUGINS, paths: options.pluginPaths }), logger);
    const transportName = identity.file.transport.name;
    const factory = await plugins.transport(transportName);
    const patchProviders = await plugins.patchProviders();
    const agent = new Agent({ identity, transport: factory, logger, heartbeatSeconds: options.heartbeatSeconds });
    const platform = await gatherPlatformInfo();
    process.env[CUSTOM_INVENTORY_DIR_VARIABLE] = path.resolve(options.customInventoryDir ?? path.join(stateDir, 'inventory', 'custom'));
    const uploader = await InventoryUploader.open({
      stateDir,
      send: (body) => agent.send('inventory', body),
      logger,
      jitterMs: (options.inventoryJitterSeconds ?? DEFAULT_INVENTORY_JITTER_SECONDS) * 1000,
      agentVersion: AGENT_VERSION,
    });
    const actions = plugins.actions();
    const channel: { current?: CommandChannel } = {}; // the runner reports through it once it exists
    const transportCa = identity.file.transport.settings.ca;
    const controlPlane = { endpoint: identity.file.endpoint, instanceId: identity.file.instanceId, secretKey: identity.signing.secretKey, ...(typeof transportCa === 'string' ? { ca: transportCa } : {}) };
    // One rebooter for Run Command and the associations: a host asked twice at once reboots once.
    const rebooter = rebootOnce(createSystemRebooter({ platform: process.platform as Platform }));
    const runner = await CommandRunner.open({
      stateDir,
      actions,
      rebooter,
      instance: { instanceId: identity.file.instanceId, region: identity.file.region, platformName: platform.PlatformName, platformVersion: platform.PlatformVersion },
      logger,
      // A result goes out as its run ends, while the disk syncs its spool file; others (recovery's) once spooled.
      onEnding: (result) => channel.current?.result(result),
      onResult: (result) => channel.current?.result(result),
      onProgress: (progress) => channel.current?.progress(progress),
      documents: (name, version) => fetchDocument(controlPlane, name, version),
      openSecret: secretOpener(fromBase64(identity.file.controlPlane.boxPublicKey), identity.box.secretKey),
      inventory: uploader.services(),
      patchSnapshots: (snapshotId, options) => fetchPatchSnapshot(controlPlane, snapshotId, options?.baselineOverride),
      patchProviders,
    });
    channel.current = new CommandChannel(agent, runner, controlPlane, logger);
    new InventoryChannel(agent, uploader, logger);
    const inventorySchedule = new InventorySchedule({
      action: actions(SOFTWARE_INVENTORY_ACTION),
      services: uploader.services(),
      stateDir,
      instance: { instanceId: identity.file.instanceId, region: identity.file.region },
      platform: process.platform as Platform,
      logger,
      intervalMinutes: options.inventoryIntervalMinutes ?? DEFAULT_INVENTORY_INTERVAL_MINUTES,
    });
    const associationChannel: { current?: AssociationChannel } = {};
    const associations = await AssociationScheduler.open({
      stateDir,
      logger,
      ...(options.associationClock ?? testClock?.clock ? { clock: options.associationClock ?? testClock!.clock } : {}),
      runner: {
        actions,
        rebooter,
        instance: { instanceId: identity.file.instanceId, region: identity.file.region, platformName: platform.PlatformName, platformVersion: platform.PlatformVersion },
        documents: (name, version) => fetchDocument(controlPlane, name, version),
        openSecret: secretOpener(fromBase64(identity.file.controlPlane.boxPublicKey), identity.box.secretKey),
        inventory: uploader.services(),
        // An association of AWS-RunPatchBaseline is how SSM scans on a schedule: its step needs the snapshot too.
        patchSnapshots: (snapshotId, options) => fetchPatchSnapshot(controlPlane, snapshotId, options?.baselineOverride),
        patchProviders,
      },
      onReport: (report) => associationChannel.current?.reportReady(report),
      // While an association gathers inventory, the built-in schedule stands down (and takes over again without one).
      // Before the first set has come (revision 0), the schedule waits for it rather than guessing.
      onSetChanged: (held, revision) => {
        if (revision > 0) inventorySchedule.standDown(held.some((a) => a.documentName === INVENTORY_DOCUMENT));
      },
    });
    associationChannel.current = new AssociationChannel(agent, associations, logger);
    const recovered = await runner.recover();
    if (recovered.ended.length || recovered.resumed.length || recovered.requeued.length) logger.info('recovered commands', { ended: recovered.ended.map((r) => r.commandId), resumed: recovered.resumed, requeued: recovered.requeued });
    logger.info('agent starting', { instanceId: identity.file.instanceId, stateDir, transport: transportName, plugins: plugins.describe(), imported: plugins.imported() });
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info('stopping', { signal });
      void agent.stop();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    await associations.start();
    agent.start();
    inventorySchedule.start();
    await markReady(stateDir).catch((error: unknown) => logger.warn('could not write agent.ready (service install|start wait for it)', { err: (error as Error).message }));
    const exit = await agent.exited;
    await clearReady(stateDir).catch(() => undefined);
    await inventorySchedule.stop();
    associationChannel.current.stop();
    await associations.stop();
    uploader.stop();
    channel.current.stop();
    await runner.stop();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    return exit;
  } finally {
    await lock.release();
  }
}
