import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateActivationCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand, SSMClient, type GetCommandInvocationCommandOutput, type InstanceInformation } from '@aws-sdk/client-ssm';
import { SERVER_DEFAULTS, startControlPlane, type RunningControlPlane, type ServerConfig } from '@tender/server';
import { pino } from 'pino';
import type { MosquittoInstance } from './mosquitto.js';
import { AGENT_BIN, eventually, LiveProcess, runCli } from './processes.js';

/** The statuses an invocation ends in. */
const FINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);

export interface TestControlPlane {
  running: RunningControlPlane;
  dataDir: string;
  ssm: SSMClient;
  admin: { accessKeyId: string; secretAccessKey: string };
  createActivation(options?: { limit?: number; expiresInMs?: number; name?: string; tags?: Array<{ Key: string; Value: string }> }): Promise<{ id: string; code: string }>;
  describe(instanceId: string): Promise<InstanceInformation | undefined>;
  /** DescribeInstanceInformation once the instance is Online; bounded wait (fails the test with `what`). */
  untilOnline(instanceId: string, what?: string, timeoutMs?: number): Promise<InstanceInformation>;
  /**
   * A new activation (with `activation`'s options), then `tender-agent register --json` into `stateDir`, as an
   * operator would; fails the test with the CLI's error output unless it exits 0. Resolves to the instance id.
   */
  registerAgent(stateDir: string, activation?: Parameters<TestControlPlane['createActivation']>[0]): Promise<string>;
  /**
   * registerAgent, then `tender-agent start --state-dir stateDir` (and `args`) as a live process, once it is Online.
   * The caller kills the agent.
   */
  startAgent(stateDir: string, args?: string[], env?: NodeJS.ProcessEnv): Promise<{ instanceId: string; agent: LiveProcess }>;
  /** GetCommandInvocation once the invocation has ended (Success, Failed, Cancelled, TimedOut); bounded wait. */
  finished(commandId: string, instanceId: string, timeoutMs?: number): Promise<GetCommandInvocationCommandOutput>;
  stop(): Promise<void>;
}

export async function readAdminKey(credentialsFile: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const text = await fs.readFile(credentialsFile, 'utf8');
  const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return { accessKeyId: get('aws_access_key_id'), secretAccessKey: get('aws_secret_access_key') };
}

/**
 * A real control plane in this process (real HTTP and MQTT sockets on loopback, real files in a temp dir),
 * on the embedded broker or on a Mosquitto the test started.
 */
export async function startTestControlPlane(
  options: {
    mosquitto?: MosquittoInstance;
    heartbeatSeconds?: number;
    now?: () => Date;
    /** Keep the data dir (stop() removes only a temp dir it made): to restart on the same data. */
    dataDir?: string;
    /** Fixed ports (default 0, any free one): to restart where registered agents will look for it. */
    httpPort?: number;
    mqttPort?: number;
    /** Further settings (e.g. patchSnapshotLifetimeSeconds). */
    config?: Partial<ServerConfig>;
  } = {},
): Promise<TestControlPlane> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'tender-cp-')));
  const config: ServerConfig = {
    ...SERVER_DEFAULTS,
    dataDir,
    httpPort: options.httpPort ?? 0,
    mqttPort: options.mqttPort ?? 0,
    logLevel: 'warn',
    heartbeatSeconds: options.heartbeatSeconds ?? 2,
    ...(options.mosquitto ? { mqttUrl: options.mosquitto.url, mqttUsername: options.mosquitto.adminUsername, mqttPassword: options.mosquitto.adminPassword } : {}),
    ...options.config,
  };
  const logger = pino({ level: process.env.TENDER_TEST_LOG ?? 'silent' });
  const running = await startControlPlane(config, { logger, ...(options.now ? { now: options.now } : {}) });
  const admin = await readAdminKey(running.credentialsFile);
  const ssm = new SSMClient({ region: running.region, endpoint: running.endpoint, credentials: admin, maxAttempts: 1 });
  const plane: TestControlPlane = {
    running,
    dataDir,
    ssm,
    admin,
    async createActivation({ limit = 1, expiresInMs = 3_600_000, name, tags } = {}) {
      const result = await ssm.send(
        new CreateActivationCommand({ IamRole: 'TestRole', RegistrationLimit: limit, ExpirationDate: new Date((options.now?.() ?? new Date()).getTime() + expiresInMs), DefaultInstanceName: name, Tags: tags }),
      );
      return { id: result.ActivationId ?? '', code: result.ActivationCode ?? '' };
    },
    async registerAgent(stateDir, activationOptions) {
      const activation = await plane.createActivation(activationOptions);
      const registered = await runCli(AGENT_BIN, ['register', '--endpoint', running.endpoint, '--id', activation.id, '--code', activation.code, '--state-dir', stateDir, '--json']);
      if (registered.code !== 0) throw new Error(`tender-agent register exited with ${registered.code}: ${registered.stderr}`);
      return (JSON.parse(registered.stdout) as { instanceId: string }).instanceId;
    },
    async startAgent(stateDir, args = [], env) {
      const instanceId = await plane.registerAgent(stateDir);
      const agent = new LiveProcess(AGENT_BIN, ['start', '--state-dir', stateDir, ...args], env);
      await plane.untilOnline(instanceId, 'the agent Online').catch((error: Error) => {
        throw new Error(`${error.message}\n${agent.output}`);
      });
      return { instanceId, agent };
    },
    async describe(instanceId: string) {
      const result = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }));
      return result.InstanceInformationList?.[0];
    },
    untilOnline(instanceId, what = `${instanceId} Online`, timeoutMs = 15_000) {
      return eventually(async () => {
        const info = await plane.describe(instanceId);
        return info?.PingStatus === 'Online' ? info : undefined;
      }, what, timeoutMs, 100);
    },
    finished(commandId, instanceId, timeoutMs = 60_000) {
      return eventually(async () => {
        const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
        return invocation && FINAL.has(invocation.Status ?? '') ? invocation : undefined;
      }, `command ${commandId} to finish on ${instanceId}`, timeoutMs, 100);
    },
    async stop() {
      ssm.destroy();
      await running.stop();
      if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
  return plane;
}
