/**
 * A test bed for maintenance windows: a FileStore in a temporary directory, the real documents service, an
 * instance registry, the real commands service whose gateway is a recorder, the windows service, scheduler and
 * operations, and a clock the test moves. Agents are played by calling the commands service's message handlers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMessage, type CommandBody, type CommandResultBody } from '@tender/protocol';
import type { Input } from '../../src/api/operation.js';
import type { AuditEvent } from '../../src/audit/audit-record.js';
import { COMMANDS_TABLE, INVOCATIONS_TABLE } from '../../src/commands/command-records.js';
import { agentMessageHandlers, CommandService } from '../../src/commands/index.js';
import { DocumentService } from '../../src/documents/index.js';
import { InstanceRegistry, type InstanceRecord } from '../../src/instances/instance-registry.js';
import { maintenanceWindowOperations, WindowScheduler, WindowService } from '../../src/maintenance-windows/index.js';
import { FileStore } from '../../src/store/file-store.js';
import { ManualClock, testContext } from './operation-harness.js';
import { hostInfo, instanceRecord } from './instance-records.js';
import { WholeTableReads } from './whole-table-reads.js';

export const idOf = (n: number): string => `mi-${n.toString(16).padStart(17, '0')}`;

export function instance(n: number, tags: Array<{ Key: string; Value: string }> = []): InstanceRecord {
  return instanceRecord(idOf(n), { Tags: tags, publicKey: Buffer.alloc(32, n).toString('base64'), boxPublicKey: Buffer.alloc(32, n + 1).toString('base64'), info: hostInfo(`host-${n}`) });
}

export interface Sent {
  instanceId: string;
  type: string;
  body: unknown;
}

export class WindowBed {
  dir = '';
  store!: FileStore;
  registry!: InstanceRegistry;
  commands!: CommandService;
  windows!: WindowService;
  scheduler!: WindowScheduler;
  sent: Sent[] = [];
  audited: AuditEvent[] = [];
  /** The command service's reads of the whole invocations table (its start's own included). */
  invocationReads!: WholeTableReads;
  /** The same, of the commands table. */
  commandReads!: WholeTableReads;

  constructor(
    readonly clock: ManualClock,
    private readonly owner = 'replica-a',
  ) {}

  static async create(clock: ManualClock, instances: InstanceRecord[] = [], options: { limits?: { windows?: number; targetsPerWindow?: number; tasksPerWindow?: number } } = {}): Promise<WindowBed> {
    const bed = new WindowBed(clock);
    bed.dir = await mkdtemp(path.join(os.tmpdir(), 'tender-mw-'));
    await bed.open(options);
    for (const record of instances) await bed.registry.add(record);
    return bed;
  }

  async open(options: { limits?: { windows?: number; targetsPerWindow?: number; tasksPerWindow?: number } } = {}): Promise<void> {
    this.store = await FileStore.open(this.dir);
    this.registry = await InstanceRegistry.open(this.store, { now: this.clock.now, flushEveryMs: 3_600_000 });
    const documents = await DocumentService.open(this.store, { now: this.clock.now });
    this.invocationReads = new WholeTableReads(this.store, INVOCATIONS_TABLE);
    this.commandReads = new WholeTableReads(this.invocationReads.store, COMMANDS_TABLE);
    this.commands = new CommandService({
      store: this.commandReads.store,
      registry: this.registry,
      send: async (instanceId, type, body) => {
        this.sent.push({ instanceId, type, body: structuredClone(body) });
      },
      resolveDocument: (name, version, hash) => documents.resolve(name, version, hash),
      now: this.clock.now,
      outputsDir: path.join(this.dir, 'outputs'),
      region: 'us-east-1',
      accountId: '123456789012',
      tickMs: 0,
    });
    await this.commands.start();
    this.windows = new WindowService({ store: this.store, resolveDocument: (name, version) => documents.resolve(name, version), instances: () => this.registry.all(), now: this.clock.now, ...(options.limits ? { limits: options.limits } : {}) });
    this.scheduler = new WindowScheduler({ service: this.windows, store: this.store, commands: this.commands, now: this.clock.now, logger: silent, owner: this.owner, tickMs: 0, audit: async (event) => this.audited.push(event) });
  }

  /** Stop everything as a shutdown would, and start again on the same directory (same owner: the same replica). */
  async restart(): Promise<void> {
    await this.scheduler.stop();
    await this.commands.stop();
    await this.registry.close();
    await this.store.close();
    await this.open();
  }

  async close(): Promise<void> {
    await this.scheduler.stop();
    await this.commands.stop();
    await this.registry.close();
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  async call<T = Record<string, unknown>>(name: string, input: Input): Promise<T> {
    const operation = maintenanceWindowOperations(this.windows, this.scheduler).find((op) => op.name === name);
    if (!operation) throw new Error(`no operation ${name}`);
    const result = (await operation.handle(input, testContext)) as T;
    await this.commands.whenSent();
    return result;
  }

  async tick(): Promise<void> {
    await this.scheduler.tick();
    await this.commands.whenSent();
  }

  /** The `command` messages sent so far (one per delivery; a resend repeats the commandId). */
  commandMessages(): Array<{ instanceId: string; commandId: string; body: CommandBody }> {
    return this.sent.filter((m) => m.type === 'command').map((m) => ({ instanceId: m.instanceId, commandId: (m.body as CommandBody).commandId, body: m.body as CommandBody }));
  }

  /** The agent on `instanceId` reports its command finished. */
  async result(instanceId: string, commandId: string, status = 'Success'): Promise<void> {
    const body: CommandResultBody = { commandId, status, responseCode: status === 'Success' ? 0 : 1, startedAt: this.clock.now().toISOString(), endedAt: this.clock.now().toISOString(), steps: [] };
    await agentMessageHandlers(this.commands)['command-result'](createMessage({ type: 'command-result', from: instanceId, to: 'tender-control-plane', body, ts: this.clock.ms }));
    await this.commands.whenSent();
  }

  async ack(instanceId: string, commandId: string): Promise<void> {
    await agentMessageHandlers(this.commands)['command-ack'](createMessage({ type: 'command-ack', from: instanceId, to: 'tender-control-plane', body: { commandId, accepted: 'new' }, ts: this.clock.ms }));
    await this.commands.whenSent();
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
