/**
 * What the Patch Manager tests share: a PatchManager over a real FileStore and a real InventoryService (files in a
 * temporary folder), a registry of instances the test describes, a clock moved by hand, a ComplianceRecorder that
 * records what it is given, and a way to call the operations as the HTTP layer does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inventoryContentHash } from '@tender/protocol';
import type { Input } from '../../src/api/operation.js';
import type { ComplianceRecorder, ComplianceWrite } from '../../src/compliance/compliance-recorder.js';
import type { InstanceRecord } from '../../src/instances/instance-registry.js';
import { FileInventoryPersistence, InventoryService } from '../../src/inventory/index.js';
import { PatchManager } from '../../src/patch/index.js';
import { FileStore } from '../../src/store/file-store.js';
import { ManualClock, testContext } from './operation-harness.js';
import { hostInfo, instanceRecord } from './instance-records.js';

export function instance(id: string, platform: { name: string; version: string; type?: 'Linux' | 'Windows' | 'MacOS' } | undefined, tags: Array<{ Key: string; Value: string }> = []): InstanceRecord {
  return instanceRecord(id, {
    RegistrationDate: '2026-11-01T00:00:00.000Z',
    Tags: tags,
    ...(platform ? { info: hostInfo(id, { PlatformType: platform.type ?? 'Linux', PlatformName: platform.name, PlatformVersion: platform.version, AgentVersion: '0.1.0', IPAddress: '127.0.0.1' }) } : {}),
  });
}

export class RecordingCompliance implements ComplianceRecorder {
  readonly writes: ComplianceWrite[] = [];
  private gate: Promise<void> | undefined;

  /** Holds the writes until the returned function is called (to look at what callers see meanwhile). */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async put(write: ComplianceWrite): Promise<void> {
    await this.gate;
    this.writes.push(write);
  }
}

export interface PatchFixture {
  manager: PatchManager;
  inventory: InventoryService;
  instances: Map<string, InstanceRecord>;
  compliance: RecordingCompliance;
  clock: ManualClock;
  call(name: string, input?: Input): Promise<Record<string, unknown>>;
  /** An agent's inventory upload of these items (content hashed as the agent's uploader does). */
  upload(instanceId: string, items: Array<{ TypeName: string; Content: Array<Record<string, string>>; Context?: Record<string, string> }>): Promise<void>;
  close(): Promise<void>;
}

export async function patchFixture(options: { limits?: { baselines?: number; groupsPerBaseline?: number }; snapshotLifetimeMs?: number } = {}): Promise<PatchFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-patch-'));
  const store = await FileStore.open(dir);
  const clock = new ManualClock(Date.parse('2026-11-28T10:00:00Z'));
  const instances = new Map<string, InstanceRecord>();
  const registry = { get: (id: string) => instances.get(id), all: () => [...instances.values()] };
  const inventory = await InventoryService.open({ persistence: new FileInventoryPersistence(dir), registry, now: clock.now });
  const compliance = new RecordingCompliance();
  const manager = new PatchManager({ store, region: testContext.region, accountId: testContext.accountId, now: clock.now, instances: registry, inventory, compliance, ...options });
  const operations = manager.operations(() => 'http://127.0.0.1:8700');
  let uploads = 0;
  return {
    manager,
    inventory,
    instances,
    compliance,
    clock,
    async call(name, input = {}) {
      const operation = operations.find((o) => o.name === name);
      if (!operation) throw new Error(`no operation ${name}`);
      return (await operation.handle(structuredClone(input), testContext)) as Record<string, unknown>;
    },
    async upload(instanceId, items) {
      const captureTime = `${clock.now().toISOString().slice(0, 19)}Z`;
      const ack = await inventory.receiveUpload(instanceId, {
        uploadId: `upload-${++uploads}`,
        items: items.map((item) => ({ SchemaVersion: '1.0', CaptureTime: captureTime, ContentHash: inventoryContentHash(item.Content), ...item })),
      });
      if (ack.rejected?.length) throw new Error(`upload rejected: ${JSON.stringify(ack.rejected)}`);
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
