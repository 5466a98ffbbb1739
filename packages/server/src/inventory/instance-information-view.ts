/**
 * AWS:InstanceInformation for every registered instance, as GetInventory reports it: built from the instance
 * registry (what the agent uploaded of that type, overlaid by what the registry knows), since every managed
 * instance has it whether or not it ever uploaded inventory.
 *
 * Queries read it for every instance, so it is cached: an instance's row is rebuilt only when its registry
 * record or its uploaded item is a different object than last time (the registry replaces a record on every
 * change, heartbeats included), and encoded into one long-lived set of columns.
 */
import { encodeRows, TypeColumns, type IndexedItem } from './inventory-index.js';
import type { InventoryRow } from './inventory-records.js';
import { INSTANCE_INFORMATION } from './inventory-schemas.js';
import type { InstanceRecord } from '../instances/instance-registry.js';

/** SSM's CaptureTime format: second precision, `Z`. */
export function captureTimeOf(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** AWS:InstanceInformation as SSM reports it, from the registry (over what the agent uploaded, if anything). */
export function instanceInformationRow(record: InstanceRecord, uploaded?: InventoryRow): InventoryRow {
  const info = record.info;
  const fields: Record<string, string | undefined> = {
    AgentType: 'tender-agent',
    AgentVersion: info?.AgentVersion,
    ComputerName: info?.ComputerName ?? record.Name,
    IamRole: record.IamRole,
    InstanceId: record.InstanceId,
    InstanceStatus: 'Active',
    IpAddress: info?.IPAddress,
    PlatformName: info?.PlatformName,
    PlatformType: info?.PlatformType,
    PlatformVersion: info?.PlatformVersion,
    ResourceType: record.ResourceType,
  };
  const row: InventoryRow = { ...uploaded };
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== '') row[name] = value;
  return row;
}

export class InstanceInformationView {
  readonly table = new TypeColumns(INSTANCE_INFORMATION);
  private readonly cache = new Map<string, { record: InstanceRecord; uploaded: IndexedItem | undefined; item: IndexedItem }>();

  /**
   * The items of these instances (by id), reusing what has not changed. `uploaded` gives the stored
   * AWS:InstanceInformation of an instance and (decoded only when needed) its first row.
   */
  items(records: readonly InstanceRecord[], uploaded: (instanceId: string) => { item: IndexedItem; row: () => InventoryRow | undefined } | undefined): Map<string, IndexedItem> {
    const items = new Map<string, IndexedItem>();
    for (const record of records) {
      const stored = uploaded(record.InstanceId);
      const cached = this.cache.get(record.InstanceId);
      if (cached && cached.record === record && cached.uploaded === stored?.item) {
        items.set(record.InstanceId, cached.item);
        continue;
      }
      const row = instanceInformationRow(record, stored?.row());
      const item: IndexedItem = {
        TypeName: INSTANCE_INFORMATION,
        SchemaVersion: '1.0',
        CaptureTime: stored?.item.CaptureTime ?? captureTimeOf(new Date(record.LastPingDateTime ?? record.RegistrationDate)),
        // Built from the registry, not uploaded: there is no content hash to report.
        ContentHash: '',
        rowCount: 1,
        columns: encodeRows(this.table, [row]),
      };
      this.cache.set(record.InstanceId, { record, uploaded: stored?.item, item });
      items.set(record.InstanceId, item);
    }
    if (this.cache.size > records.length) {
      const current = new Set(records.map((record) => record.InstanceId));
      for (const id of this.cache.keys()) if (!current.has(id)) this.cache.delete(id);
    }
    return items;
  }
}
