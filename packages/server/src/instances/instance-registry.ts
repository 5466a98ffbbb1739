import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PlatformInfo } from '@tender/protocol';
import type { Tag } from '../api/validate.js';

export type { PlatformInfo };
import type { Store, Table } from '../store/store.js';

export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';

export interface InstanceRecord {
  InstanceId: string;
  ActivationId: string;
  Name?: string;
  IamRole: string;
  RegistrationDate: string;
  ResourceType: 'ManagedInstance';
  Tags: Tag[];
  /** Base64 Ed25519 public key the agent signs with; the gateway verifies every message against it. */
  publicKey: string;
  /** Base64 x25519 public key secrets are sealed to. */
  boxPublicKey: string;
  /** sha256 of the broker password issued at registration (the password itself goes to the agent only). */
  brokerPasswordHash: string;
  info?: PlatformInfo;
  PingStatus: PingStatus;
  LastPingDateTime?: string;
  /** The connection session the agent announced last; a Last Will naming another session is stale. */
  sessionId?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The managed instances, held in memory for the hot paths (every MQTT message looks its sender's key up)
 * and written through to the store. Pings only move LastPingDateTime, so they are flushed in batches
 * instead of one store write per heartbeat; status changes are written at once.
 */
export class InstanceRegistry {
  private readonly table: Table<InstanceRecord>;
  private readonly byId = new Map<string, InstanceRecord>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<(record: InstanceRecord, previous: PingStatus | undefined) => void> = [];
  private readonly tagListeners: Array<(record: InstanceRecord) => void> = [];

  private constructor(store: Store, private readonly now: () => Date) {
    this.table = store.table<InstanceRecord>('instances');
  }

  static async open(store: Store, options: { now?: () => Date; flushEveryMs?: number } = {}): Promise<InstanceRegistry> {
    const registry = new InstanceRegistry(store, options.now ?? (() => new Date()));
    for (const record of await registry.table.list()) registry.byId.set(record.InstanceId, record);
    registry.flushTimer = setInterval(() => void registry.flush(), options.flushEveryMs ?? 5000);
    registry.flushTimer.unref();
    return registry;
  }

  static newInstanceId(): string {
    return `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
  }

  static newBrokerPassword(): { password: string; hash: string } {
    const password = randomBytes(32).toString('base64url');
    return { password, hash: sha256(password) };
  }

  /** Whether a broker password is the one issued to this instance (constant time). */
  checkBrokerPassword(instanceId: string, password: string): boolean {
    const record = this.byId.get(instanceId);
    if (!record) return false;
    return timingSafeEqual(Buffer.from(record.brokerPasswordHash, 'hex'), Buffer.from(sha256(password), 'hex'));
  }

  get(instanceId: string): InstanceRecord | undefined {
    return this.byId.get(instanceId);
  }

  all(): InstanceRecord[] {
    return [...this.byId.values()];
  }

  onStatusChange(listener: (record: InstanceRecord, previous: PingStatus | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Told after an instance's tags are stored changed (State Manager redelivers what its targets now give it). */
  onTagsChange(listener: (record: InstanceRecord) => void): void {
    this.tagListeners.push(listener);
  }

  async add(record: InstanceRecord): Promise<void> {
    await this.table.put(record.InstanceId, record);
    this.byId.set(record.InstanceId, record);
  }

  async remove(instanceId: string): Promise<InstanceRecord | undefined> {
    const record = this.byId.get(instanceId);
    if (!record) return undefined;
    await this.table.delete(instanceId);
    this.byId.delete(instanceId);
    this.dirty.delete(instanceId);
    return record;
  }

  async setTags(instanceId: string, tags: Tag[]): Promise<void> {
    await this.write(instanceId, (record) => ({ ...record, Tags: tags }));
    const record = this.byId.get(instanceId);
    if (record) for (const listener of this.tagListeners) listener(record);
  }

  /** A hello or heartbeat arrived: the instance is Online, in this session, with these facts. */
  async markSeen(instanceId: string, sessionId: string, info?: PlatformInfo): Promise<void> {
    const record = this.byId.get(instanceId);
    if (!record) return;
    const changed = record.PingStatus !== 'Online' || record.sessionId !== sessionId || (info !== undefined && JSON.stringify(info) !== JSON.stringify(record.info));
    const previous = record.PingStatus;
    const next: InstanceRecord = { ...record, PingStatus: 'Online', LastPingDateTime: this.now().toISOString(), sessionId, ...(info ? { info } : {}) };
    if (changed) {
      await this.write(instanceId, () => next);
      if (previous !== 'Online') this.emit(next, previous);
    } else {
      this.byId.set(instanceId, next);
      this.dirty.add(instanceId);
    }
  }

  /** The connection is gone (Last Will of the current session, or heartbeats missed). */
  async markConnectionLost(instanceId: string, sessionId?: string): Promise<boolean> {
    const record = this.byId.get(instanceId);
    if (!record || record.PingStatus !== 'Online') return false;
    if (sessionId !== undefined && record.sessionId !== sessionId) return false; // an older connection's will
    const next: InstanceRecord = { ...record, PingStatus: 'ConnectionLost' };
    await this.write(instanceId, () => next);
    this.emit(next, record.PingStatus);
    return true;
  }

  /** Every Online instance becomes ConnectionLost (at the start of an embedded broker, no connection survives). */
  async markAllConnectionLost(): Promise<void> {
    for (const record of this.all()) if (record.PingStatus === 'Online') await this.markConnectionLost(record.InstanceId);
  }

  /** Online instances whose last ping is older than `maxSilenceMs`. */
  silentSince(maxSilenceMs: number): InstanceRecord[] {
    const limit = this.now().getTime() - maxSilenceMs;
    return this.all().filter((r) => r.PingStatus === 'Online' && (r.LastPingDateTime === undefined || Date.parse(r.LastPingDateTime) < limit));
  }

  private async write(instanceId: string, change: (record: InstanceRecord) => InstanceRecord): Promise<void> {
    const record = this.byId.get(instanceId);
    if (!record) return;
    const next = change(record);
    await this.table.put(instanceId, next);
    this.byId.set(instanceId, next);
    this.dirty.delete(instanceId);
  }

  private emit(record: InstanceRecord, previous: PingStatus | undefined): void {
    for (const listener of this.listeners) listener(record, previous);
  }

  async flush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    await Promise.all(ids.map(async (id) => {
      const record = this.byId.get(id);
      if (record) await this.table.put(id, record);
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flush();
  }
}
