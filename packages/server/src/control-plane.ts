import { promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, ensurePrivateDir, writeJsonFile } from '@tender/local-state';
import { DOCUMENT_FETCH_PREFIX, fromBase64, MAX_OUTPUT_UPLOAD_BYTES, OUTPUT_UPLOAD_PREFIX, PATCH_SNAPSHOT_FETCH_PREFIX, type Message, type PresenceBody, type RejectionBody, type SessionEndBody } from '@tender/protocol';
import { pino, type Logger } from 'pino';
import { AccessKeys } from './access/access-keys.js';
import { associationExecutionRetention, startStateManager, type StateManager } from './associations/index.js';
import { accessKeyOperations } from './access/operations.js';
import { ActivationService } from './activations/activation-service.js';
import { activationOperations } from './activations/operations.js';
import { ADMIN_POLICY } from './api/auth/policy.js';
import { ApiError, isApiError } from './api/errors.js';
import { authorizeRequest, createRequestListener, sendJson, sourceOf } from './api/http-api.js';
import { ComplianceService, complianceOperations } from './compliance/index.js';
import { AuditTrail } from './audit/audit-trail.js';
import type { AuditEvent } from './audit/audit-record.js';
import { auditOperations } from './audit/operations.js';
import type { BrokerAdmin } from './broker/broker-admin.js';
import { EmbeddedBroker } from './broker/embedded-broker.js';
import { ensureDynsecDefaults, MosquittoDynsecAdmin } from './broker/mosquitto-dynsec.js';
import { validateServerConfig, type ServerConfig } from './config.js';
import { DocumentService, documentOperations, handleDocumentFetch } from './documents/index.js';
import { agentMessageHandlers, CommandService, commandOperations } from './commands/index.js';
import type { BrokerLink } from './gateway/broker-link.js';
import { Gateway, type GatewayRejection } from './gateway/gateway.js';
import { MqttClientLink } from './gateway/mqtt-client-link.js';
import { writeCredentialFiles } from './identity/credentials-file.js';
import { loadOrCreateServerIdentity, type ServerIdentity } from './identity/server-identity.js';
import { InstanceRegistry } from './instances/instance-registry.js';
import { SESSION_CHURN_WINDOW_MS, SessionChurn } from './instances/session-churn.js';
import { FileInventoryPersistence, InventoryService, inventoryMessageHandlers, inventoryOperations } from './inventory/index.js';
import { KeyService, keyOperations } from './keys/index.js';
import { maintenanceWindowOperations, WindowScheduler, WindowService } from './maintenance-windows/index.js';
import { ParameterService, parameterOperations } from './parameters/index.js';
import { handlePatchSnapshotFetch, PatchManager } from './patch/index.js';
import { instanceOperations } from './instances/operations.js';
import { RegistrationService } from './instances/registration-service.js';
import { Counters } from './metrics/counters.js';
import { commandRetention } from './commands/command-retention.js';
import { inventoryHistoryRetention } from './inventory/history-retention.js';
import { windowExecutionRetention } from './maintenance-windows/execution-retention.js';
import { DEFAULT_RETENTION_DAYS, RetentionPruner } from './retention/index.js';
import { FileStore } from './store/file-store.js';
import type { Store } from './store/store.js';

/** How long the API keeps an idle client connection open (see where the HTTP server is made). */
const HTTP_KEEP_ALIVE_MS = 65_000;

export interface RunningControlPlane {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:8700 */
  endpoint: string;
  /** The broker URL handed to agents. */
  agentBrokerUrl: string;
  dataDir: string;
  region: string;
  accountId: string;
  credentialsFile: string;
  /** Whether this start created the admin key (first start of this data dir). */
  createdAdminKey: boolean;
  counters: Counters;
  registry: InstanceRegistry;
  /** Inventory (for tools and benchmarks that load a fleet's inventory without a fleet). */
  inventory: InventoryService;
  /** State Manager (associations, their delivery and executions; for tools and benchmarks). */
  stateManager: StateManager;
  /** Compliance (the ComplianceRecorder other services write to; for tools and benchmarks). */
  compliance: ComplianceService;
  /** The history pruner (runOnce() prunes now: for tools and tests). */
  retention: RetentionPruner;
  /** The privileged broker account, for operators' tooling and tests (the gateway itself needs none with the embedded broker). */
  brokerConnection: { url: string; username: string; password: string };
  stop(): Promise<void>;
}

function listen(server: net.Server, port: number, host: string, setting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`the API's port ${port} on ${host} is already in use: choose another with ${setting}, or 0 for any free port`) : error),
    );
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function hostForUrl(host: string): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return reachable.includes(':') ? `[${reachable}]` : reachable;
}

/**
 * Start a control plane: identity, store, audit trail, broker (embedded or external), gateway, API. Every
 * part it started is stopped again if a later part fails, and by stop().
 */
export interface ControlPlaneOptions {
  logger?: Logger;
  now?: () => Date;
  /**
   * TEST-ONLY: the maintenance-window scheduler's own clock and tick period. End-to-end tests move this clock
   * to a window's start or cutoff while agents, heartbeats and command deadlines keep real time. Production
   * leaves it unset: the scheduler reads `now` every second.
   */
  maintenanceWindows?: { now?: () => Date; tickMs?: number };
  /** TEST-ONLY: the retention pruner's own clock and period (production: `now`, hourly). */
  retention?: { now?: () => Date; intervalMs?: number };
}

export async function startControlPlane(config: ServerConfig, options: ControlPlaneOptions = {}): Promise<RunningControlPlane> {
  validateServerConfig(config);
  const logger = options.logger ?? pino({ level: config.logLevel, base: { svc: 'tender' } });
  const now = options.now ?? (() => new Date());
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
    cleanups.length = 0;
  };

  try {
    // Everything the control plane writes (store, audit trail, keys, credentials) is for its owner only;
    // not every writer here takes a file mode, so the process umask is what guarantees it.
    process.umask(0o077);
    const dataDir = path.resolve(config.dataDir);
    await ensurePrivateDir(dataDir);
    const lock = await acquireLock(dataDir, 'server.lock');
    cleanups.push(() => lock.release());

    const { identity } = await loadOrCreateServerIdentity(dataDir);
    const store: Store = await FileStore.open(dataDir);
    cleanups.push(() => store.close());
    const audit = await AuditTrail.open(path.join(dataDir, 'audit.log'));
    cleanups.push(() => audit.close());
    const writeAudit = (event: AuditEvent) => audit.append(event);

    const counters = new Counters();
    counters.describe('tender_gateway_rejected_total', 'Agent messages the control plane refused, by reason');
    counters.describe('tender_agent_rejected_total', 'Control-plane messages agents reported refusing, by reason');
    counters.describe('tender_broker_denied_total', 'Publishes and subscriptions the embedded broker refused');
    counters.describe('tender_instance_session_churn_total', 'Warnings that an instance keeps reconnecting (its session replaced again and again: a cloned identity?)');

    const accessKeys = new AccessKeys(store, identity.masterKey, identity.accountId);
    const credentialsFile = path.join(dataDir, 'credentials');
    let createdAdminKey = false;
    if ((await accessKeys.list()).length === 0) {
      const admin = await accessKeys.create('admin', ADMIN_POLICY);
      await writeCredentialFiles(dataDir, { accessKeyId: admin.record.accessKeyId, secretAccessKey: admin.secretAccessKey }, config.region);
      createdAdminKey = true;
      logger.info({ accessKeyId: admin.record.accessKeyId, credentialsFile }, 'created the admin access key');
    }

    const registry = await InstanceRegistry.open(store, { now });
    cleanups.push(() => registry.close());
    registry.onStatusChange((record, previous) => logger.info({ instanceId: record.InstanceId, from: previous, to: record.PingStatus }, 'instance status'));

    // The broker: embedded aedes, or an external one the control plane administers.
    const tls = config.tlsCertFile && config.tlsKeyFile ? { cert: await fs.readFile(config.tlsCertFile, 'utf8'), key: await fs.readFile(config.tlsKeyFile, 'utf8') } : undefined;
    let brokerAdmin: BrokerAdmin;
    // The privileged account: the gateway's own with an external broker; with the embedded one, the gateway talks
    // to aedes in-process and the account serves the control plane's other MQTT clients (tools, tests, benches).
    let brokerConnection: { url: string; username: string; password: string };
    let gatewayLink: BrokerLink;
    let externalLink: MqttClientLink | undefined;
    let agentBrokerUrl: string;
    let isConnected: (id: string) => boolean;
    let embedded: EmbeddedBroker | undefined;
    if (config.mqttUrl) {
      brokerConnection = { url: config.mqttUrl, username: config.mqttUsername ?? '', password: config.mqttPassword ?? '' };
      externalLink = new MqttClientLink({
        ...brokerConnection,
        ...(config.mqttCaFile ? { ca: await fs.readFile(config.mqttCaFile, 'utf8') } : {}),
        shareGroup: config.shareGroup,
        logger,
      });
      gatewayLink = externalLink;
      agentBrokerUrl = config.agentMqttUrl ?? config.mqttUrl;
      isConnected = (id) => registry.get(id)?.PingStatus === 'Online';
    } else {
      embedded = await EmbeddedBroker.start({
        host: config.mqttHost,
        port: config.mqttPort,
        tls,
        accounts: { checkPassword: (id, password) => registry.checkBrokerPassword(id, password) },
        onDenied: ({ clientId, action, topic }) => {
          counters.inc('tender_broker_denied_total', { action });
          void writeAudit({ time: now().toISOString(), caller: `agent:${clientId}`, operation: `mqtt:${action}`, resources: [topic], source: 'mqtt', outcome: 'denied', detail: `the broker ACL refused ${action} to ${topic}` });
        },
      });
      const broker = embedded;
      cleanups.push(() => broker.close());
      // A fresh embedded broker has no connections: whatever was Online when the last run ended is not now.
      await registry.markAllConnectionLost();
      brokerAdmin = broker;
      brokerConnection = broker.internal;
      gatewayLink = broker.inProcessLink();
      agentBrokerUrl = config.agentMqttUrl ?? `${tls ? 'mqtts' : 'mqtt'}://${hostForUrl(config.mqttHost)}:${broker.port}`;
      isConnected = (id) => broker.isConnected(id);
    }

    const gateway = new Gateway({
      link: gatewayLink,
      identity,
      logger,
      agentKey: (keyId) => {
        const record = registry.get(keyId);
        return record ? { publicKey: fromBase64(record.publicKey), owner: record.InstanceId } : undefined;
      },
      onRejected: (rejection: GatewayRejection) => {
        counters.inc('tender_gateway_rejected_total', { reason: rejection.reason });
        logger.warn({ ...rejection }, 'refused an agent message');
        void writeAudit({
          time: now().toISOString(),
          caller: rejection.claimedFrom ? `agent:${rejection.claimedFrom}` : 'unknown',
          operation: 'mqtt:message',
          resources: [rejection.topic],
          source: 'mqtt',
          outcome: 'rejected',
          errorCode: rejection.reason,
          detail: rejection.detail,
        });
      },
    });
    await gateway.start();
    cleanups.push(() => gateway.stop());
    if (externalLink) {
      const dynsec = new MosquittoDynsecAdmin(externalLink.client);
      await ensureDynsecDefaults(externalLink.client);
      brokerAdmin = dynsec;
      cleanups.push(() => dynsec.close());
    }
    const admin = brokerAdmin!;

    const churn = new SessionChurn({ now });
    const presence = async (message: Message) => {
      const body = message.body as PresenceBody;
      const sessionId = String(body?.sid);
      const previous = registry.get(message.from)?.sessionId;
      await registry.markSeen(message.from, sessionId, body?.info);
      if (previous === undefined || previous === sessionId) return;
      const sessions = churn.sessionStarted(message.from);
      if (sessions === undefined) return;
      counters.inc('tender_instance_session_churn_total');
      logger.warn(
        { instanceId: message.from, sessions, withinMinutes: SESSION_CHURN_WINDOW_MS / 60_000, lastSeenHost: body?.info?.ComputerName },
        'an instance keeps reconnecting: its connection is replaced again and again. Two hosts may be running with its identity (a cloned disk or image); give the clone its own: tender-agent register --force with a new activation, on the clone',
      );
    };
    const sessionEnd = async (message: Message) => {
      await registry.markConnectionLost(message.from, String((message.body as SessionEndBody)?.sid));
    };
    gateway.on('hello', presence);
    gateway.on('heartbeat', presence);
    gateway.on('will', sessionEnd);
    gateway.on('goodbye', sessionEnd);
    gateway.on('rejection', async (message: Message) => {
      const body = (message.body ?? {}) as Partial<RejectionBody>;
      counters.inc('tender_agent_rejected_total', { reason: String(body.reason) });
      await writeAudit({ time: now().toISOString(), caller: `agent:${message.from}`, operation: 'agent:message-refused', resources: [message.from], source: 'mqtt', outcome: 'rejected', errorCode: String(body.reason), detail: String(body.detail ?? '').slice(0, 500) });
    });

    // Missed heartbeats: silent for three periods means the connection is gone even without a Last Will.
    const sweeper = setInterval(() => {
      for (const record of registry.silentSince(config.heartbeatSeconds * 3000)) void registry.markConnectionLost(record.InstanceId);
    }, Math.max(1000, (config.heartbeatSeconds * 1000) / 2));
    sweeper.unref();
    cleanups.push(async () => clearInterval(sweeper));

    // The ComplianceRecorder that State Manager and Patch Manager record their results through.
    const compliance = await ComplianceService.open({ store, resourceExists: (id) => registry.get(id) !== undefined });

    const deregister = async (instanceId: string): Promise<void> => {
      // Tell the agent first (best effort), so it stops with a clear message rather than a refused reconnect.
      await gateway.send(instanceId, 'deregistered', { reason: 'this instance was deregistered from the control plane' }).catch(() => undefined);
      await registry.remove(instanceId);
      churn.forget(instanceId);
      await admin.removeAgent(instanceId);
      await compliance.removeResource(instanceId);
      await patching.states.removeInstance(instanceId);
    };

    const agentBrokerCa = config.mqttCaFile && config.mqttUrl ? await fs.readFile(config.mqttCaFile, 'utf8') : tls ? tls.cert : undefined;
    const registration = new RegistrationService(new ActivationService(store, now), registry, admin, identity, { region: config.region, agentBrokerUrl, agentBrokerCa, heartbeatSeconds: config.heartbeatSeconds }, now);
    const activations = new ActivationService(store, now);
    const documents = await DocumentService.open(store, { now });
    const keys = await KeyService.open(store, identity.masterKey, { region: config.region, accountId: identity.accountId, now });
    const parameters = new ParameterService({ store, keys, region: config.region, accountId: identity.accountId, now, audit: writeAudit, logger });
    await parameters.start();
    cleanups.push(() => parameters.stop());
    const listening: { endpoint?: string } = {}; // known once the API listens, after the services are built
    const commands = new CommandService({
      store,
      registry,
      send: (instanceId, type, body) => gateway.send(instanceId, type, body).then(() => undefined),
      resolveDocument: (name, version, hash) => documents.resolve(name, version, hash),
      resolveReference: (caller, selector) => parameters.resolveReference(caller, selector),
      boxSecretKey: identity.box.secretKey,
      audit: writeAudit,
      now,
      outputsDir: path.join(dataDir, 'outputs'),
      region: config.region,
      accountId: identity.accountId,
      endpoint: () => listening.endpoint,
      logger,
    });
    for (const [type, handler] of Object.entries(agentMessageHandlers(commands))) gateway.on(type, handler);
    const stateManager = await startStateManager({
      store,
      registry,
      documents,
      send: (instanceId, type, body) => gateway.send(instanceId, type, body),
      resolveReference: (caller, selector) => parameters.resolveReference(caller, selector),
      principalOf: (accessKeyId) => accessKeys.principalOf(accessKeyId),
      boxSecretKey: identity.box.secretKey,
      compliance,
      audit: writeAudit,
      defaultInventory: true,
      now,
      logger,
    });
    cleanups.push(() => stateManager.stop());
    for (const [type, handler] of Object.entries(stateManager.messageHandlers)) gateway.on(type, handler);
    // A hello also delivers the agent its associations (after presence: the instance is Online by then).
    gateway.on('hello', async (message: Message) => {
      await presence(message);
      await stateManager.delivery.onHello(message.from);
    });
    // Agents already connected (an external broker keeps them across our restart) get their sets now.
    void stateManager.delivery.refresh(registry.all().filter((record) => record.PingStatus === 'Online').map((record) => record.InstanceId));
    await commands.start();
    cleanups.push(() => commands.stop());
    const windows = new WindowService({ store, resolveDocument: (name, version) => documents.resolve(name, version), instances: () => registry.all(), now: options.maintenanceWindows?.now ?? now });
    const windowScheduler = new WindowScheduler({
      service: windows,
      store,
      commands,
      now: options.maintenanceWindows?.now ?? now,
      // The same name across restarts of this replica: after a crash it takes its windows' leases straight back.
      owner: `${os.hostname()}:${dataDir}`,
      logger,
      audit: writeAudit,
      ...(options.maintenanceWindows?.tickMs !== undefined ? { tickMs: options.maintenanceWindows.tickMs } : {}),
    });
    await windowScheduler.start();
    cleanups.push(() => windowScheduler.stop());
    const inventoryPersistence = new FileInventoryPersistence(dataDir);
    const inventory = await InventoryService.open({ persistence: inventoryPersistence, registry, now, logger });
    for (const [type, handler] of Object.entries(inventoryMessageHandlers(inventory, (id, ackType, body) => gateway.send(id, ackType, body)))) gateway.on(type, handler);
    const patching = new PatchManager({
      store,
      region: config.region,
      accountId: identity.accountId,
      now,
      instances: registry,
      inventory,
      compliance,
      logger,
      ...(config.patchSnapshotLifetimeSeconds ? { snapshotLifetimeMs: config.patchSnapshotLifetimeSeconds * 1000 } : {}),
    });

    // Histories past their retention period: pruned now (finishing a run a crash cut short), then hourly.
    const retentionNow = options.retention?.now ?? now;
    const retention = new RetentionPruner({
      kinds: [
        commandRetention({ store, outputsDir: path.join(dataDir, 'outputs'), days: config.retentionCommandDays ?? DEFAULT_RETENTION_DAYS, isRunning: (id) => commands.isRunning(id), now: retentionNow, onPruned: (ids) => commands.forgetCommands(ids) }),
        windowExecutionRetention({ store, days: config.retentionMaintenanceWindowExecutionDays ?? DEFAULT_RETENTION_DAYS, now: retentionNow }),
        inventoryHistoryRetention({ persistence: inventoryPersistence, days: config.retentionInventoryHistoryDays ?? DEFAULT_RETENTION_DAYS }),
        associationExecutionRetention({ store, days: config.retentionAssociationExecutionDays ?? DEFAULT_RETENTION_DAYS, now: retentionNow, onPruned: (ids) => stateManager.executions.forgetExecutions(ids) }),
      ],
      now: retentionNow,
      audit: writeAudit,
      logger,
      ...(options.retention?.intervalMs !== undefined ? { intervalMs: options.retention.intervalMs } : {}),
    });
    retention.start();
    cleanups.push(() => retention.stop());

    let ready = false;
    const listener = createRequestListener({
      operations: [
        ...activationOperations(activations, now),
        ...instanceOperations({ registry, deregister, isConnected }),
        ...documentOperations(documents),
        ...commandOperations(commands),
        ...stateManager.operations,
        ...maintenanceWindowOperations(windows, windowScheduler),
        ...inventoryOperations(inventory),
        ...complianceOperations(compliance, (id) => registry.get(id) !== undefined),
        ...patching.operations(() => listening.endpoint),
        ...parameterOperations(parameters),
        ...keyOperations(keys),
        ...accessKeyOperations(accessKeys),
        ...auditOperations(audit),
      ],
      accessKeys,
      audit: writeAudit,
      region: config.region,
      accountId: identity.accountId,
      logger,
      prefixRoutes: [
        {
          prefix: OUTPUT_UPLOAD_PREFIX,
          maxBodyBytes: MAX_OUTPUT_UPLOAD_BYTES,
          // PUT: an agent uploads a step's full output (signed with its key). GET: a caller with an access key
          // whose policy allows tender:GetCommandOutput downloads it (the StandardOutputUrl of an invocation).
          handle: async (req, res, body) => {
            if (req.method !== 'GET') return commands.handleOutputUpload(req, res, body);
            await downloadOutput(req, res, body);
          },
        },
        {
          // GET: an agent fetches a document for aws:runDocument / aws:downloadContent (signed with its key).
          prefix: DOCUMENT_FETCH_PREFIX,
          maxBodyBytes: 0,
          handle: (req, res, body) =>
            handleDocumentFetch({ now, publicKeyOf: (id) => registry.get(id)?.publicKey, resolve: (name, version) => documents.resolve(name, version), audit: writeAudit }, req, res, body),
        },
        {
          // PUT: an agent gets (making it the first time) its patch baseline snapshot for AWS-RunPatchBaseline.
          prefix: PATCH_SNAPSHOT_FETCH_PREFIX,
          maxBodyBytes: 64 * 1024,
          handle: (req, res, body) =>
            handlePatchSnapshotFetch({ now, publicKeyOf: (id) => registry.get(id)?.publicKey, instance: (id) => registry.get(id), snapshots: patching.snapshots, audit: writeAudit }, req, res, body),
        },
      ],
      extraRoutes: {
        '/healthz': async (_req, res) => sendJson(res, ready && gateway.connected ? 200 : 503, { status: ready && gateway.connected ? 'ok' : 'starting' }),
        '/metrics': async (_req, res) => {
          const text = counters.render();
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(text);
        },
        '/tender/v1/register': async (req, res, body) => {
          await handleRegistration(registration, writeAudit, logger, req, res, body, now);
        },
      },
    });
    const downloadOutput = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
      const parts = new URL(req.url ?? '/', 'http://tender').pathname.slice(OUTPUT_UPLOAD_PREFIX.length).split('/').map(decodeURIComponent);
      const [commandId, instanceId, step, stream] = parts;
      const time = now().toISOString();
      try {
        if (parts.length !== 4 || !commandId || !instanceId || !step || (stream !== 'stdout' && stream !== 'stderr')) {
          throw new ApiError('ValidationException', `expected ${OUTPUT_UPLOAD_PREFIX}<commandId>/<instanceId>/<step>/<stdout|stderr>`);
        }
        const principal = await authorizeRequest(req, body, { accessKeys, region: config.region }, 'tender:GetCommandOutput', ['*']);
        const output = await commands.readOutput(commandId, instanceId, step, stream);
        await writeAudit({ time, caller: principal.arn, operation: 'Tender.GetCommandOutput', resources: [commandId, instanceId], source: sourceOf(req), outcome: 'success' });
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': output.length });
        res.end(output);
      } catch (caught) {
        const error = isApiError(caught) ? caught : new ApiError('InternalServerError', 'reading the output failed', 500);
        await writeAudit({ time, caller: (caught as { principal?: { arn: string } }).principal?.arn ?? 'anonymous', operation: 'Tender.GetCommandOutput', resources: [String(commandId), String(instanceId)], source: sourceOf(req), outcome: error.status === 403 || error.code.includes('Signature') || error.code.includes('Denied') || error.code.includes('Unrecognized') ? 'denied' : 'error', errorCode: error.code, detail: error.message }).catch(() => undefined);
        sendJson(res, error.status, error.toJSON());
      }
    };
    const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, listener) : http.createServer(listener);
    // SDK clients keep connections open and reuse them. With Node's 5 s default the server can close an idle
    // connection just as a client sends on it (a busy event loop makes that likely), and the call fails with
    // ECONNRESET / "socket hang up". Keep idle connections longer than clients keep them (AWS's own load
    // balancers use 60 s); stop() still closes every connection at once.
    server.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
    server.headersTimeout = HTTP_KEEP_ALIVE_MS + 1_000;
    const httpPort = await listen(server, config.httpPort, config.httpHost, 'http-port');
    cleanups.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const endpoint = `${tls ? 'https' : 'http'}://${hostForUrl(config.httpHost)}:${httpPort}`;
    listening.endpoint = endpoint;
    await writeJsonFile(path.join(dataDir, 'server.json'), { endpoint, agentBrokerUrl, region: config.region, pid: process.pid });
    cleanups.push(() => fs.rm(path.join(dataDir, 'server.json'), { force: true }));
    ready = true;
    logger.info({ endpoint, agentBrokerUrl, dataDir, region: config.region }, 'control plane ready');

    return {
      endpoint,
      agentBrokerUrl,
      dataDir,
      region: config.region,
      accountId: identity.accountId,
      credentialsFile,
      createdAdminKey,
      counters,
      registry,
      inventory,
      compliance,
      retention,
      stateManager,
      brokerConnection,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function handleRegistration(
  registration: RegistrationService,
  audit: (event: AuditEvent) => Promise<unknown>,
  logger: Logger,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  now: () => Date,
): Promise<void> {
  let parsed: unknown;
  let activationId = 'unknown';
  try {
    if (req.method !== 'POST') throw new ApiError('MethodNotAllowed', 'registration is POST /tender/v1/register', 405);
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError('SerializationException', 'the registration request is not JSON');
    }
    activationId = String((parsed as { activationId?: unknown })?.activationId ?? 'unknown');
    const result = await registration.register(parsed);
    await audit({ time: now().toISOString(), caller: `activation:${activationId}`, operation: 'tender:RegisterManagedInstance', resources: [result.instanceId], source: sourceOf(req), outcome: 'success' });
    sendJson(res, 200, result);
  } catch (caught) {
    const error = isApiError(caught) ? caught : new ApiError('InternalServerError', 'registration failed', 500);
    if (!isApiError(caught)) logger.error({ err: caught }, 'registration failed');
    await audit({ time: now().toISOString(), caller: `activation:${activationId}`, operation: 'tender:RegisterManagedInstance', resources: [], source: sourceOf(req), outcome: 'denied', errorCode: error.code, detail: error.message }).catch(() => undefined);
    sendJson(res, error.status, error.toJSON());
  }
}

export type { ServerIdentity };
