import { DEFAULT_RETENTION_DAYS, retentionDaysProblem } from './retention/retention-settings.js';

/** Everything `tender server start` can be told; each field is also a config-file key and an environment variable. */
export interface ServerConfig {
  dataDir: string;
  httpHost: string;
  /** 0 picks a free port. */
  httpPort: number;
  /** Embedded broker listener (ignored with mqttUrl). 0 picks a free port. */
  mqttHost: string;
  mqttPort: number;
  /** An external broker (e.g. Mosquitto with the dynamic-security plugin); no embedded broker then. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** PEM file of the CA of an external broker's TLS certificate. */
  mqttCaFile?: string;
  /** The broker URL handed to agents, when it differs from what the control plane uses. */
  agentMqttUrl?: string;
  /** TLS for HTTP and the embedded broker's agent listener. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  region: string;
  logLevel: string;
  /** How often agents report; an agent silent for 3 periods is marked ConnectionLost. */
  heartbeatSeconds: number;
  /** Shared-subscription group for several replicas on one broker (external Mosquitto only). */
  shareGroup?: string;
  /** Days of inventory history (the per-host diffs) kept; current inventory is never pruned. */
  retentionInventoryHistoryDays?: number;
  /** Days of maintenance-window executions (with their task executions and invocations) kept; SSM keeps 30. */
  retentionMaintenanceWindowExecutionDays?: number;
  /** Days of finished commands (with their invocations and outputs) kept; SSM keeps 30. */
  retentionCommandDays?: number;
  /** Days of finished association executions (with their per-host results and runs) kept; SSM keeps 30. */
  retentionAssociationExecutionDays?: number;
  /** How long a patch baseline snapshot (AWS-RunPatchBaseline's SnapshotId) lives; default one day. */
  patchSnapshotLifetimeSeconds?: number;
}

export const SERVER_DEFAULTS: Omit<ServerConfig, 'dataDir'> = {
  httpHost: '127.0.0.1',
  httpPort: 8700,
  mqttHost: '127.0.0.1',
  mqttPort: 1883,
  region: 'us-east-1',
  logLevel: 'info',
  heartbeatSeconds: 60,
  retentionInventoryHistoryDays: DEFAULT_RETENTION_DAYS,
  retentionMaintenanceWindowExecutionDays: DEFAULT_RETENTION_DAYS,
  retentionCommandDays: DEFAULT_RETENTION_DAYS,
  retentionAssociationExecutionDays: DEFAULT_RETENTION_DAYS,
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Refuse a configuration that cannot work, saying which setting is wrong and why. */
export function validateServerConfig(config: ServerConfig): void {
  const problems: string[] = [];
  const port = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0 || value > 65535) problems.push(`${name} must be a port number 0-65535, got ${value}`);
  };
  port('http-port', config.httpPort);
  port('mqtt-port', config.mqttPort);
  if (!REGION.test(config.region)) problems.push(`region ${JSON.stringify(config.region)} does not look like an AWS region (e.g. us-east-1)`);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) problems.push(`log-level must be one of fatal, error, warn, info, debug, trace, silent; got ${config.logLevel}`);
  if (!Number.isFinite(config.heartbeatSeconds) || config.heartbeatSeconds < 1 || config.heartbeatSeconds > 3600) problems.push('heartbeat-seconds must be between 1 and 3600');
  const lifetime = config.patchSnapshotLifetimeSeconds;
  if (lifetime !== undefined && (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 30 * 86400)) problems.push('patch-snapshot-lifetime-seconds must be a whole number of seconds from 1 to 2592000 (30 days)');
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) problems.push('tls-cert and tls-key go together: give both or neither');
  if (config.mqttUrl) {
    if (!/^(mqtts?|tcp|ssl|wss?):\/\//.test(config.mqttUrl)) problems.push(`mqtt-url must be an mqtt:// or mqtts:// URL, got ${config.mqttUrl}`);
    if (!config.mqttUsername || !config.mqttPassword) problems.push('an external broker (mqtt-url) needs mqtt-username and mqtt-password of a privileged client');
  }
  for (const [setting, value] of [
    ['retention-inventory-history-days', config.retentionInventoryHistoryDays],
    ['retention-maintenance-window-execution-days', config.retentionMaintenanceWindowExecutionDays],
    ['retention-command-days', config.retentionCommandDays],
    ['retention-association-execution-days', config.retentionAssociationExecutionDays],
  ] as const) {
    const problem = value === undefined ? undefined : retentionDaysProblem(setting, value);
    if (problem) problems.push(problem);
  }
  if (problems.length) throw new Error(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
}
