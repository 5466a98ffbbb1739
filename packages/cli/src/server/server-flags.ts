import path from 'node:path';
import { Flags } from '@oclif/core';
import { layerSettings, readConfigFile } from '@tender/local-state';
import { SERVER_DEFAULTS, type ServerConfig } from '@tender/server';
import { DEFAULT_DATA_DIR } from '../client/client-settings.js';

/**
 * `tender server start` settings. Each is a flag, an environment variable (shown in --help) and a key of the
 * JSON config file (--config, camelCase: {"httpPort": 8700, "mqttUrl": "mqtt://..."}); flags win over
 * environment variables, which win over the file, which wins over the defaults.
 */
export const serverFlags = {
  config: Flags.file({ description: 'JSON config file (keys: the camelCase names of these flags)', env: 'TENDER_CONFIG', exists: true }),
  'data-dir': Flags.string({ description: `data directory (default ${DEFAULT_DATA_DIR})`, env: 'TENDER_DATA_DIR' }),
  'http-host': Flags.string({ description: `address the API listens on (default ${SERVER_DEFAULTS.httpHost})`, env: 'TENDER_HTTP_HOST' }),
  'http-port': Flags.integer({ description: `API port, 0 for any free one (default ${SERVER_DEFAULTS.httpPort})`, env: 'TENDER_HTTP_PORT' }),
  'mqtt-host': Flags.string({ description: `address the embedded broker listens on (default ${SERVER_DEFAULTS.mqttHost})`, env: 'TENDER_MQTT_HOST' }),
  'mqtt-port': Flags.integer({ description: `embedded broker port, 0 for any free one (default ${SERVER_DEFAULTS.mqttPort})`, env: 'TENDER_MQTT_PORT' }),
  'mqtt-url': Flags.string({ description: 'use this external broker (Mosquitto 2 with dynamic security) instead of the embedded one', env: 'TENDER_MQTT_URL' }),
  'mqtt-username': Flags.string({ description: 'privileged user on the external broker', env: 'TENDER_MQTT_USERNAME' }),
  'mqtt-password': Flags.string({ description: 'its password', env: 'TENDER_MQTT_PASSWORD' }),
  'mqtt-ca': Flags.string({ description: 'PEM file of the external broker\'s CA (mqtts://)', env: 'TENDER_MQTT_CA' }),
  'agent-mqtt-url': Flags.string({ description: 'broker URL handed to agents when it differs from what the control plane uses', env: 'TENDER_AGENT_MQTT_URL' }),
  'tls-cert': Flags.string({ description: 'PEM certificate for HTTPS and the embedded broker\'s MQTTS', env: 'TENDER_TLS_CERT' }),
  'tls-key': Flags.string({ description: 'PEM private key for it', env: 'TENDER_TLS_KEY' }),
  region: Flags.string({ description: `region this control plane answers as (default ${SERVER_DEFAULTS.region})`, env: 'TENDER_REGION' }),
  'log-level': Flags.string({ description: `log level (default ${SERVER_DEFAULTS.logLevel})`, env: 'TENDER_LOG_LEVEL', options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  'heartbeat-seconds': Flags.integer({ description: `agent heartbeat period (default ${SERVER_DEFAULTS.heartbeatSeconds})`, env: 'TENDER_HEARTBEAT_SECONDS' }),
  'patch-snapshot-lifetime-seconds': Flags.integer({ description: 'how long a patch baseline snapshot (AWS-RunPatchBaseline\'s SnapshotId) lives (default 86400)', env: 'TENDER_PATCH_SNAPSHOT_LIFETIME_SECONDS' }),
  'share-group': Flags.string({ description: 'shared-subscription group, for several replicas on one Mosquitto', env: 'TENDER_SHARE_GROUP' }),
  'retention-inventory-history-days': Flags.integer({ description: `days of inventory history (per-host diffs) kept; current inventory is never pruned (default ${SERVER_DEFAULTS.retentionInventoryHistoryDays})`, env: 'TENDER_RETENTION_INVENTORY_HISTORY_DAYS' }),
  'retention-maintenance-window-execution-days': Flags.integer({ description: `days of finished maintenance-window executions kept (default ${SERVER_DEFAULTS.retentionMaintenanceWindowExecutionDays}, as SSM)`, env: 'TENDER_RETENTION_MAINTENANCE_WINDOW_EXECUTION_DAYS' }),
  'retention-command-days': Flags.integer({ description: `days of finished commands, their invocations and outputs kept (default ${SERVER_DEFAULTS.retentionCommandDays}, as SSM)`, env: 'TENDER_RETENTION_COMMAND_DAYS' }),
  'retention-association-execution-days': Flags.integer({ description: `days of finished State Manager association executions, their per-host results and runs kept; each host's latest status is never pruned (default ${SERVER_DEFAULTS.retentionAssociationExecutionDays}, as SSM)`, env: 'TENDER_RETENTION_ASSOCIATION_EXECUTION_DAYS' }),
};

type ServerFlagValues = { [K in keyof typeof serverFlags]?: unknown };

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const fileKeys = Object.keys(serverFlags).filter((k) => k !== 'config').map(camel).map((k) => (k === 'mqttCa' ? 'mqttCaFile' : k === 'tlsCert' ? 'tlsCertFile' : k === 'tlsKey' ? 'tlsKeyFile' : k));

/** Layer flags (with their environment variables), the config file and the defaults into a ServerConfig. */
export async function resolveServerConfig(flags: ServerFlagValues): Promise<ServerConfig> {
  const fromFlags: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(flags)) {
    if (flag === 'config' || value === undefined) continue;
    const key = camel(flag);
    fromFlags[key === 'mqttCa' ? 'mqttCaFile' : key === 'tlsCert' ? 'tlsCertFile' : key === 'tlsKey' ? 'tlsKeyFile' : key] = value;
  }
  const fromFile = typeof flags.config === 'string' ? await readConfigFile(flags.config, fileKeys) : {};
  const merged = layerSettings<Record<string, unknown>>(fromFlags, fromFile, { ...SERVER_DEFAULTS, dataDir: DEFAULT_DATA_DIR });
  return { ...(merged as unknown as ServerConfig), dataDir: path.resolve(String(merged.dataDir)) };
}
