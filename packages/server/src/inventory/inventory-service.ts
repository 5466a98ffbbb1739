/**
 * Inventory on the control plane: what agents upload (checksum first) and API callers put, kept per host and
 * type (InventoryPersistence) and indexed in memory (InventoryIndex) for GetInventory; every change recorded as
 * a diff in the host's history.
 */
import { randomUUID } from 'node:crypto';
import { inventoryContentHash, type InventoryAckBody, type InventoryBody } from '@tender/protocol';
import type { Logger } from 'pino';
import { ApiError, isApiError } from '../api/errors.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { diffRows } from './inventory-diff.js';
import { InstanceInformationView } from './instance-information-view.js';
import { InventoryIndex } from './inventory-index.js';
import type { InventoryPersistence } from './inventory-persistence.js';
import type { CustomSchemaRecord, DeletionRecord, HistoryEntry, InventoryRow, StoredItem } from './inventory-records.js';
import { AWS_SCHEMA_BY_TYPE, AWS_SCHEMAS, INSTANCE_INFORMATION, type InventorySchema } from './inventory-schemas.js';
import { checkItem, compareSchemaVersions, MAX_ATTRIBUTES, MAX_CUSTOM_TYPES, MAX_ITEMS, MAX_TOTAL_BYTES, type CheckedItem } from './item-validation.js';
import type { QuerySource } from './inventory-query.js';

export interface InventoryServiceOptions {
  persistence: InventoryPersistence;
  registry: { get(instanceId: string): InstanceRecord | undefined; all(): InstanceRecord[] };
  now?: () => Date;
  logger?: Logger;
}

/** What one checked item will do once applied. */
type Plan =
  | { kind: 'unchanged' }
  | { kind: 'mismatched' }
  | { kind: 'store'; item: StoredItem; schema?: CustomSchemaRecord };

/** How many recent acknowledgements per host are kept to answer a resent upload identically. */
const RECENT_ACKS = 4;

export class InventoryService {
  private readonly index = new InventoryIndex();
  private readonly customSchemas = new Map<string, CustomSchemaRecord>();
  private deletions: DeletionRecord[] = [];
  private readonly instanceInformation = new InstanceInformationView();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly recentAcks = new Map<string, Array<{ fingerprint: string; ack: InventoryAckBody }>>();
  private readonly uploadListeners: Array<(instanceId: string, accepted: readonly string[]) => Promise<void>> = [];
  private readonly persistence: InventoryPersistence;
  private readonly registry: InventoryServiceOptions['registry'];
  readonly now: () => Date;
  private readonly logger: Logger | undefined;

  private constructor(options: InventoryServiceOptions) {
    this.persistence = options.persistence;
    this.registry = options.registry;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
  }

  static async open(options: InventoryServiceOptions): Promise<InventoryService> {
    const service = new InventoryService(options);
    for (const schema of await service.persistence.loadSchemas()) service.customSchemas.set(schema.TypeName, schema);
    service.deletions = await service.persistence.loadDeletions();
    for await (const { instanceId, items } of service.persistence.loadAll()) {
      for (const { Content, ...item } of items) service.index.put(instanceId, item, Content);
    }
    return service;
  }

  /** Run tasks for one host one at a time: two uploads from it must not diff against the same old content. */
  private serial<T>(instanceId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(instanceId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.queues.set(instanceId, settled);
    void settled.then(() => {
      if (this.queues.get(instanceId) === settled) this.queues.delete(instanceId);
    });
    return next;
  }

  // ---- Uploads -----------------------------------------------------------------------------------------------

  /**
   * An agent's `inventory` message: each item is accepted, mismatched (hash only, and not the hash held: the
   * agent resends it in full) or rejected with the reason; one bad item does not cost the others. A resend of
   * the same upload gets the same answer without being applied twice.
   */
  async receiveUpload(instanceId: string, body: unknown): Promise<InventoryAckBody> {
    const upload = (typeof body === 'object' && body !== null ? body : {}) as Partial<InventoryBody>;
    const uploadId = typeof upload.uploadId === 'string' ? upload.uploadId.slice(0, 128) : '';
    const items: unknown[] = Array.isArray(upload.items) ? upload.items : [];
    const fingerprint = JSON.stringify([uploadId, items.map((item) => { const i = item as Partial<CheckedItem>; return [i?.TypeName, i?.ContentHash, i?.Content === undefined]; })]);
    const cached = this.recentAcks.get(instanceId)?.find((entry) => entry.fingerprint === fingerprint);
    if (cached && uploadId !== '') return cached.ack;

    const ack: InventoryAckBody = { uploadId, accepted: [], mismatched: [], rejected: [] };
    const nameOf = (item: unknown, i: number) => (typeof (item as { TypeName?: unknown })?.TypeName === 'string' ? (item as { TypeName: string }).TypeName : `Items[${i}]`);
    if (!this.registry.get(instanceId)) {
      ack.rejected = items.map((item, i) => ({ TypeName: nameOf(item, i), message: `InvalidInstanceId: ${instanceId} is not a registered managed instance` }));
      return ack;
    }
    for (const failure of Array.isArray(upload.failures) ? upload.failures : []) {
      this.logger?.warn({ instanceId, typeName: String(failure?.TypeName), failure: String(failure?.message).slice(0, 500) }, 'an inventory gatherer failed on the host; what it reported before is kept');
    }
    await this.serial(instanceId, async () => {
      const newCustom = new Set<string>();
      for (const [i, raw] of items.entries()) {
        const typeName = nameOf(raw, i);
        try {
          if (i >= MAX_ITEMS) throw new ApiError('ValidationException', `an upload holds at most ${MAX_ITEMS} items; send the rest in another`);
          const checked = checkItem(raw, i, 'agent');
          if (checked.Content !== undefined) {
            if (checked.ContentHash === undefined) throw new ApiError('ItemContentMismatchException', `${typeName}: an uploaded item needs its ContentHash`);
            if (inventoryContentHash(checked.Content) !== checked.ContentHash) throw new ApiError('ItemContentMismatchException', `${typeName}: the content does not match its ContentHash (SHA-256 of the rows' JSON); nothing of it was stored`);
          } else if (checked.ContentHash === undefined) {
            throw new ApiError('InvalidItemContentException', `${typeName}: an item needs Content or a ContentHash`);
          }
          const plan = this.plan(instanceId, checked, newCustom);
          if (plan.kind === 'mismatched') {
            ack.mismatched.push(checked.TypeName);
            continue;
          }
          if (plan.kind === 'store') await this.apply(instanceId, plan);
          ack.accepted.push(checked.TypeName);
        } catch (error) {
          if (!isApiError(error)) throw error;
          ack.rejected!.push({ TypeName: typeName, message: `${error.code}: ${error.message}` });
        }
      }
    });
    if (ack.rejected!.length === 0) delete ack.rejected;
    await this.notifyUploaded(instanceId, ack.accepted);
    const recent = this.recentAcks.get(instanceId) ?? [];
    recent.push({ fingerprint, ack });
    if (recent.length > RECENT_ACKS) recent.shift();
    this.recentAcks.set(instanceId, recent);
    return ack;
  }

  /**
   * Called after an agent's upload is applied, with the types it accepted (changed or not): for services that
   * derive their own records from inventory types (Patch Manager from AWS:PatchSummary). Runs before the upload is
   * acknowledged, so a resend after a lost acknowledgement runs it again. A listener's failure is logged and the
   * upload stays accepted: its rows are stored, and the service catches up with the host's next upload.
   */
  onUploadApplied(listener: (instanceId: string, accepted: readonly string[]) => Promise<void>): void {
    this.uploadListeners.push(listener);
  }

  private async notifyUploaded(instanceId: string, accepted: readonly string[]): Promise<void> {
    if (accepted.length === 0) return;
    for (const listener of this.uploadListeners) {
      await listener(instanceId, accepted).catch((error: unknown) => this.logger?.error({ instanceId, err: (error as Error).message }, 'a service could not take in an inventory upload'));
    }
  }

  /** The rows of one stored type on one host (shared: do not change them). */
  rowsOf(instanceId: string, typeName: string): readonly InventoryRow[] | undefined {
    return this.index.rows(instanceId, typeName);
  }

  /** PutInventory: every item is checked before any is written, so a bad one leaves nothing half-stored. */
  async putInventory(instanceId: string, rawItems: unknown[]): Promise<void> {
    if (!this.registry.get(instanceId)) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance`);
    const checked = rawItems.map((item, i) => checkItem(item, i, 'api'));
    const seen = new Set<string>();
    for (const item of checked) {
      if (seen.has(item.TypeName)) throw new ApiError('ValidationException', `${item.TypeName} appears twice in Items; put each type once per call`);
      seen.add(item.TypeName);
    }
    const total = checked.reduce((sum, item) => sum + item.bytes, 0);
    if (total > MAX_TOTAL_BYTES) throw new ApiError('TotalSizeLimitExceededException', `the items' content is ${total} bytes in all; one PutInventory call carries at most ${MAX_TOTAL_BYTES}`);
    await this.serial(instanceId, async () => {
      const newCustom = new Set<string>();
      const plans = checked.map((item) => {
        if (item.Content === undefined && item.ContentHash === undefined) throw new ApiError('InvalidItemContentException', `${item.TypeName}: an item needs Content (or the ContentHash of content already stored)`);
        const plan = this.plan(instanceId, item, newCustom);
        if (plan.kind === 'mismatched') throw new ApiError('ItemContentMismatchException', `${item.TypeName}: no Content was sent and ContentHash ${item.ContentHash} is not the hash of the content stored for ${instanceId}`);
        return plan;
      });
      for (const plan of plans) if (plan.kind === 'store') await this.apply(instanceId, plan);
    });
  }

  /** Decide what an item does, throwing (with SSM's error) if it may not be stored. Writes nothing. */
  private plan(instanceId: string, item: CheckedItem, newCustom: Set<string>): Plan {
    const current = this.index.get(instanceId, item.TypeName);
    const schema = item.TypeName.startsWith('Custom:') ? this.planCustomSchema(item, newCustom) : undefined;
    if (item.Content === undefined) return current?.ContentHash === item.ContentHash ? { kind: 'unchanged' } : { kind: 'mismatched' };
    const contentHash = item.ContentHash ?? inventoryContentHash(item.Content);
    if (current?.ContentHash === contentHash && current.SchemaVersion === item.SchemaVersion && !schema) return { kind: 'unchanged' };
    const stored: StoredItem = { TypeName: item.TypeName, SchemaVersion: item.SchemaVersion, CaptureTime: item.CaptureTime, ContentHash: contentHash, ...(item.Context ? { Context: item.Context } : {}), Content: item.Content };
    return { kind: 'store', item: stored, ...(schema ? { schema } : {}) };
  }

  /** A custom type's schema after this item, or undefined when it does not change; throws when refused. */
  private planCustomSchema(item: CheckedItem, newCustom: Set<string>): CustomSchemaRecord | undefined {
    const existing = this.customSchemas.get(item.TypeName);
    if (!existing && !newCustom.has(item.TypeName)) {
      if (this.customSchemas.size + newCustom.size >= MAX_CUSTOM_TYPES) {
        throw new ApiError('CustomSchemaCountLimitExceededException', `there are already ${MAX_CUSTOM_TYPES} custom inventory types, the limit; delete one (DeleteInventory with SchemaDeleteOption DeleteSchema) to add ${item.TypeName}`);
      }
      newCustom.add(item.TypeName);
    }
    if (existing?.disabledThrough !== undefined && compareSchemaVersions(item.SchemaVersion, existing.disabledThrough) <= 0) {
      throw new ApiError('UnsupportedInventorySchemaVersionException', `${item.TypeName} is disabled through schema version ${existing.disabledThrough} (DeleteInventory DisableSchema): put a version greater than ${existing.disabledThrough} to enable it again`);
    }
    const attributes = new Set(existing?.Attributes ?? []);
    const before = attributes.size;
    for (const row of item.Content ?? []) for (const name of Object.keys(row)) attributes.add(name);
    if (attributes.size > MAX_ATTRIBUTES) throw new ApiError('InvalidItemContentException', `${item.TypeName}: a custom type has at most ${MAX_ATTRIBUTES} attributes; this content would give it ${attributes.size}`);
    const version = existing && compareSchemaVersions(existing.Version, item.SchemaVersion) > 0 ? existing.Version : item.SchemaVersion;
    if (existing && attributes.size === before && version === existing.Version && existing.disabledThrough === undefined) return undefined;
    return { TypeName: item.TypeName, Version: version, Attributes: [...attributes] };
  }

  /** Store one type: its file, then the diff in history, then the index (the index never runs ahead of disk). */
  private async apply(instanceId: string, plan: Extract<Plan, { kind: 'store' }>): Promise<void> {
    const { item } = plan;
    const previous = this.index.get(instanceId, item.TypeName);
    const before = this.index.rows(instanceId, item.TypeName) ?? [];
    if (plan.schema) {
      const schemas = new Map(this.customSchemas).set(plan.schema.TypeName, plan.schema);
      await this.persistence.saveSchemas([...schemas.values()]);
      this.customSchemas.set(plan.schema.TypeName, plan.schema);
    }
    await this.persistence.saveItem(instanceId, item);
    const diff = diffRows(item.TypeName, before, item.Content);
    if (diff.added.length + diff.removed.length + diff.changed.length > 0) {
      const entry: HistoryEntry = { time: this.now().toISOString(), TypeName: item.TypeName, CaptureTime: item.CaptureTime, ...(previous ? { fromHash: previous.ContentHash } : {}), toHash: item.ContentHash, ...diff };
      await this.persistence.appendHistory(instanceId, [entry]).catch((error: unknown) => this.logger?.error({ err: (error as Error).message, instanceId }, 'could not record inventory history'));
    }
    const { Content, ...meta } = item;
    this.index.put(instanceId, meta, Content);
  }

  // ---- Reading -----------------------------------------------------------------------------------------------

  /** The schema of a type: SSM's for AWS: types, what has been put for custom ones. */
  schemaOf(typeName: string): InventorySchema | undefined {
    const aws = AWS_SCHEMA_BY_TYPE.get(typeName);
    if (aws) return aws;
    const custom = this.customSchemas.get(typeName);
    return custom ? { TypeName: custom.TypeName, Version: custom.Version, Attributes: custom.Attributes.map((name) => ({ Name: name, DataType: 'string' })) } : undefined;
  }

  schemas(): InventorySchema[] {
    const custom = [...this.customSchemas.keys()].sort().map((name) => this.schemaOf(name)!);
    return [...AWS_SCHEMAS, ...custom];
  }

  isRegistered(instanceId: string): boolean {
    return this.registry.get(instanceId) !== undefined;
  }

  /**
   * A consistent view for one query: the registered instances in id order, their stored types, and
   * AWS:InstanceInformation built from the registry (what the agent uploaded of it, overlaid by what the
   * registry knows), since every managed instance has it whether or not it ever uploaded inventory.
   */
  querySource(): QuerySource {
    const records = this.registry.all().sort((a, b) => (a.InstanceId < b.InstanceId ? -1 : a.InstanceId > b.InstanceId ? 1 : 0));
    const infoTable = this.instanceInformation.table;
    const infoItems = this.instanceInformation.items(records, (instanceId) => {
      const item = this.index.get(instanceId, INSTANCE_INFORMATION);
      return item ? { item, row: () => this.index.rows(instanceId, INSTANCE_INFORMATION)?.[0] } : undefined;
    });
    return {
      instanceIds: records.map((record) => record.InstanceId),
      table: (typeName) => (typeName === INSTANCE_INFORMATION ? infoTable : this.index.table(typeName)),
      item: (instanceId, typeName) => (typeName === INSTANCE_INFORMATION ? infoItems.get(instanceId) : this.index.get(instanceId, typeName)),
      hasType: (typeName) => AWS_SCHEMA_BY_TYPE.has(typeName) || this.customSchemas.has(typeName) || this.index.table(typeName) !== undefined,
      hasAttribute: (typeName, attribute) =>
        (this.schemaOf(typeName)?.Attributes.some((a) => a.Name === attribute) ?? false) ||
        (typeName === INSTANCE_INFORMATION ? infoTable : this.index.table(typeName))?.attributeIndex(attribute) !== undefined,
    };
  }

  // ---- History -----------------------------------------------------------------------------------------------

  /** A host's changes, newest first. */
  async history(instanceId: string, typeName?: string): Promise<HistoryEntry[]> {
    const entries = await this.persistence.readHistory(instanceId);
    return entries.filter((entry) => typeName === undefined || entry.TypeName === typeName).reverse();
  }

  // ---- Deletion ----------------------------------------------------------------------------------------------

  /**
   * DeleteInventory of a custom type: its data on every host (each removal recorded in that host's history),
   * and with DeleteSchema its schema, with DisableSchema its current version and those before it.
   */
  async deleteInventory(request: { TypeName: string; SchemaDeleteOption?: 'DisableSchema' | 'DeleteSchema'; DryRun: boolean; ClientToken?: string }): Promise<{ DeletionId?: string; TypeName: string; DeletionSummary: DeletionRecord['DeletionSummary'] }> {
    const { TypeName: typeName } = request;
    if (!typeName.startsWith('Custom:')) throw new ApiError('InvalidTypeNameException', `${typeName}: DeleteInventory deletes Custom: types only`);
    if (request.ClientToken) {
      const earlier = this.deletions.find((deletion) => deletion.ClientToken === request.ClientToken);
      if (earlier) {
        if (earlier.TypeName !== typeName) throw new ApiError('InvalidDeleteInventoryParametersException', `ClientToken ${request.ClientToken} was used for deleting ${earlier.TypeName}`);
        return { DeletionId: earlier.DeletionId, TypeName: typeName, DeletionSummary: earlier.DeletionSummary };
      }
    }
    const schema = this.customSchemas.get(typeName);
    const holders = this.index.holders(typeName);
    if (!schema && holders.length === 0) throw new ApiError('InvalidTypeNameException', `the custom inventory type ${typeName} does not exist`);
    const byVersion = new Map<string, number>();
    for (const id of holders) {
      const version = this.index.get(id, typeName)!.SchemaVersion;
      byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
    }
    const summary = (remaining: boolean): DeletionRecord['DeletionSummary'] => ({
      TotalCount: holders.length,
      RemainingCount: remaining ? holders.length : 0,
      SummaryItems: [...byVersion].sort(([a], [b]) => compareSchemaVersions(a, b)).map(([Version, Count]) => ({ Version, Count, RemainingCount: remaining ? Count : 0 })),
    });
    if (request.DryRun) return { TypeName: typeName, DeletionSummary: summary(true) };

    const started = this.now().toISOString();
    for (const instanceId of holders) {
      await this.serial(instanceId, async () => {
        const current = this.index.get(instanceId, typeName);
        if (!current) return;
        const rows = this.index.rows(instanceId, typeName) ?? [];
        await this.persistence.deleteItem(instanceId, typeName);
        this.index.remove(instanceId, typeName);
        await this.persistence
          .appendHistory(instanceId, [{ time: this.now().toISOString(), TypeName: typeName, fromHash: current.ContentHash, added: [], removed: rows, changed: [], reason: 'DeleteInventory' }])
          .catch((error: unknown) => this.logger?.error({ err: (error as Error).message, instanceId }, 'could not record inventory history'));
      });
    }
    if (schema && request.SchemaDeleteOption) {
      const schemas = new Map(this.customSchemas);
      if (request.SchemaDeleteOption === 'DeleteSchema') schemas.delete(typeName);
      else schemas.set(typeName, { ...schema, disabledThrough: schema.Version });
      await this.persistence.saveSchemas([...schemas.values()]);
      this.customSchemas.clear();
      for (const [name, record] of schemas) this.customSchemas.set(name, record);
    }
    const finished = this.now().toISOString();
    const option = request.SchemaDeleteOption ? `; schema: ${request.SchemaDeleteOption}` : '';
    const record: DeletionRecord = {
      DeletionId: randomUUID(),
      TypeName: typeName,
      ...(request.ClientToken ? { ClientToken: request.ClientToken } : {}),
      DeletionStartTime: started,
      LastStatus: 'Complete',
      LastStatusMessage: `Deleted ${typeName} from ${holders.length} instance(s)${option}`,
      LastStatusUpdateTime: finished,
      DeletionSummary: summary(false),
    };
    this.deletions = [...this.deletions, record];
    await this.persistence.saveDeletions(this.deletions);
    return { DeletionId: record.DeletionId, TypeName: typeName, DeletionSummary: record.DeletionSummary };
  }

  listDeletions(): DeletionRecord[] {
    return [...this.deletions].reverse();
  }

  /** The stored rows of one type on one host (for tests and tools), or undefined. */
  rows(instanceId: string, typeName: string): InventoryRow[] | undefined {
    return this.index.rows(instanceId, typeName);
  }
}
