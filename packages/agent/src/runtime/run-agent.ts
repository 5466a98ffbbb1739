import path from 'node:path';
import { acquireLock, LockedError, StateFileError } from '@tender/local-state';
import type { Logger } from '@tender/plugin-api';
import { createJsonLogger } from './json-logger.js';
import { loadIdentity, NotRegisteredError } from '../identity/agent-identity.js';
import { loadPlugins } from '../plugins/plugin-loader.js';
import { Agent, type AgentExit } from './agent.js';
import { CommandChannel } from '../run-command/command-channel.js';
import { fetchDocument } from '../run-command/document-fetcher.js';
import { actionsFromPlugins, CommandRunner } from '../runner/index.js';
import { gatherPlatformInfo } from '../platform/platform-info.js';

/** The plugins the agent ships with. */
export const BUNDLED_PLUGINS = ['@tender/transport-mqtt', '@tender/action-script', '@tender/action-document'];

export interface RunAgentOptions {
  stateDir: string;
  logLevel?: string;
  pluginPaths?: string[];
  heartbeatSeconds?: number;
  logger?: Logger;
}

/**
 * `tender-agent start`: hold the state directory (one agent per state dir), load identity and plugins,
 * connect, and run until stopped by a signal or by the control plane. Resolves with the exit to take.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentExit> {
  const logger = options.logger ?? createJsonLogger({ level: options.logLevel, base: { svc: 'tender-agent' } });
  const stateDir = path.resolve(options.stateDir);
  const lock = await acquireLock(stateDir, 'agent.lock').catch((error: NodeJS.ErrnoException) => {
    if (error instanceof LockedError) throw error;
    if (error.code === 'ENOENT') throw new NotRegisteredError(stateDir); // no state dir: never registered here
    throw new StateFileError(stateDir, `cannot use the state directory ${stateDir}: ${error.message}`);
  });
  try {
    const identity = await loadIdentity(stateDir);
    const plugins = await loadPlugins({ packages: BUNDLED_PLUGINS, paths: options.pluginPaths });
    const transportName = identity.file.transport.name;
    const factory = plugins.map((p) => p.plugin.transports?.[transportName]).find(Boolean);
    if (!factory) throw new Error(`no installed plugin provides the transport ${transportName} this agent registered with`);
    const agent = new Agent({ identity, transport: factory, logger, heartbeatSeconds: options.heartbeatSeconds });
    const platform = await gatherPlatformInfo();
    const channel: { current?: CommandChannel } = {}; // the runner reports through it once it exists
    const transportCa = identity.file.transport.settings.ca;
    const controlPlane = { endpoint: identity.file.endpoint, instanceId: identity.file.instanceId, secretKey: identity.signing.secretKey, ...(typeof transportCa === 'string' ? { ca: transportCa } : {}) };
    const runner = await CommandRunner.open({
      stateDir,
      actions: actionsFromPlugins(plugins),
      instance: { instanceId: identity.file.instanceId, region: identity.file.region, platformName: platform.PlatformName, platformVersion: platform.PlatformVersion },
      logger,
      onResult: (result) => channel.current?.result(result),
      onProgress: (progress) => channel.current?.progress(progress),
      documents: (name, version) => fetchDocument(controlPlane, name, version),
    });
    channel.current = new CommandChannel(agent, runner, controlPlane, logger);
    const recovered = await runner.recover();
    if (recovered.ended.length || recovered.resumed.length || recovered.requeued.length) logger.info('recovered commands', { ended: recovered.ended.map((r) => r.commandId), resumed: recovered.resumed, requeued: recovered.requeued });
    logger.info('agent starting', { instanceId: identity.file.instanceId, stateDir, transport: transportName, plugins: plugins.map((p) => `${p.manifest.name}@${p.manifest.version}`) });
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info('stopping', { signal });
      void agent.stop();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    agent.start();
    const exit = await agent.exited;
    channel.current.stop();
    await runner.stop();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    return exit;
  } finally {
    await lock.release();
  }
}
