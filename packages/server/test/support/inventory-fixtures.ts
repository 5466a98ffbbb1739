/**
 * What the inventory tests share: registered instances in a real registry on a real file store, a service on
 * real files, and hosts' inventories as the agent would send them.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inventoryContentHash, type InventoryItemBody } from '@tender/protocol';
import { InstanceRegistry, type InstanceRecord, type PlatformInfo } from '../../src/instances/instance-registry.js';
import { FileInventoryPersistence } from '../../src/inventory/inventory-persistence.js';
import type { InventoryRow } from '../../src/inventory/inventory-records.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { FileStore } from '../../src/store/file-store.js';

export const CAPTURE = '2026-11-28T22:00:00Z';

/** `mi-` + 17 hex digits, from a number, so tests can name hosts 0, 1, 2... */
export function instanceId(n: number): string {
  return `mi-${n.toString(16).padStart(17, '0')}`;
}

export function instanceRecord(id: string, info: Partial<PlatformInfo> = {}): InstanceRecord {
  return {
    InstanceId: id,
    ActivationId: 'act',
    IamRole: 'TestRole',
    RegistrationDate: '2026-11-28T21:00:00.000Z',
    ResourceType: 'ManagedInstance',
    Tags: [],
    publicKey: '',
    boxPublicKey: '',
    brokerPasswordHash: '',
    PingStatus: 'Online',
    info: { PlatformType: 'Linux', PlatformName: 'Ubuntu', PlatformVersion: '24.04', AgentVersion: '0.1.0', ComputerName: `host-${id.slice(-4)}`, IPAddress: '10.0.0.1', ...info },
  };
}

/** An item as the agent sends it: rows with their hash, or the hash alone. */
export function item(typeName: string, rows: InventoryRow[], options: { hashOnly?: boolean; schemaVersion?: string } = {}): InventoryItemBody {
  return {
    TypeName: typeName,
    SchemaVersion: options.schemaVersion ?? (typeName === 'AWS:Application' ? '1.1' : '1.0'),
    CaptureTime: CAPTURE,
    ContentHash: inventoryContentHash(rows),
    ...(options.hashOnly ? {} : { Content: rows }),
  };
}

export function app(name: string, version: string, architecture = 'amd64'): InventoryRow {
  return { Name: name, Version: version, Architecture: architecture, ApplicationType: 'admin', Publisher: 'Debian' };
}

export interface InventoryWorld {
  dir: string;
  store: FileStore;
  registry: InstanceRegistry;
  service: InventoryService;
  reopen(): Promise<InventoryService>;
  close(): Promise<void>;
}

export async function inventoryWorld(now?: () => Date): Promise<InventoryWorld> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-inventory-'));
  const store = await FileStore.open(dir);
  const registry = await InstanceRegistry.open(store, { flushEveryMs: 3_600_000, ...(now ? { now } : {}) });
  const open = () => InventoryService.open({ persistence: new FileInventoryPersistence(dir), registry, ...(now ? { now } : {}) });
  const world: InventoryWorld = {
    dir,
    store,
    registry,
    service: await open(),
    async reopen() {
      world.service = await open();
      return world.service;
    },
    async close() {
      await registry.close();
      await store.close();
    },
  };
  return world;
}
