/**
 * The compliance service: what PutComplianceItems and the in-process ComplianceRecorder write, and what the List
 * operations read.
 *
 * Storage: one row per (resource, compliance type) in the `compliance` table, so a put is one write, however
 * many other types the resource holds. Each row carries its own summary, computed when it is written; an index
 * of those summaries (no items) is kept in memory along with per-type fleet counts that every write adjusts,
 * so ListComplianceSummaries without filters costs one step per compliance type and the filtered summaries one
 * step per (resource, type), never one per item.
 */
import { ApiError } from '../api/errors.js';
import { ordinal } from '../api/pagination.js';
import type { Store, Table } from '../store/store.js';
import type { CompiledFilter } from './compliance-filters.js';
import { MAX_CUSTOM_TYPES, MAX_RESOURCE_BYTES, parseComplianceWrite, type ParsedWrite } from './compliance-input.js';
import type { ComplianceRecorder, ComplianceWrite } from './compliance-recorder.js';
import { SEVERITIES, summarise, zeroCounts, type ComplianceRow, type RowSummary, type SeverityCounts, type StoredExecutionSummary, type StoredItem } from './compliance-records.js';

export const COMPLIANCE_TABLE = 'compliance';

/** What the summaries need of a row: everything but its items. */
export interface ResourceTypeView {
  ResourceId: string;
  ResourceType: 'ManagedInstance';
  ComplianceType: string;
  ExecutionSummary: StoredExecutionSummary;
  summary: RowSummary;
  bytes: number;
}

/** Where an item stands in ListComplianceItems' order: its resource, its compliance type, its place in that upload. */
export type ItemPosition = readonly [resourceId: string, complianceType: string, index: number];

/** One item as ListComplianceItems shows it. */
export interface ItemView extends StoredItem {
  ComplianceType: string;
  ResourceType: 'ManagedInstance';
  ResourceId: string;
  ExecutionSummary: StoredExecutionSummary;
}

/** Per compliance type: resources counted once each, under their OverallSeverity. */
export interface TypeCounts {
  ComplianceType: string;
  compliant: SeverityCounts;
  nonCompliant: SeverityCounts;
}

export interface ComplianceServiceOptions {
  store: Store;
  /** Whether the id names a registered managed instance (compliance is only kept for those). */
  resourceExists: (resourceId: string) => boolean;
}

const rowKey = (resourceId: string, complianceType: string): string => `${resourceId}/${complianceType}`;

const viewOf = (row: ComplianceRow | ResourceTypeView): ResourceTypeView => ({
  ResourceId: row.ResourceId,
  ResourceType: row.ResourceType,
  ComplianceType: row.ComplianceType,
  ExecutionSummary: row.ExecutionSummary,
  summary: row.summary,
  bytes: row.bytes,
});

/** PARTIAL: the given items replace those with the same Id where they stand; new ones go at the end. */
function merge(current: readonly StoredItem[], given: readonly StoredItem[]): StoredItem[] {
  const byId = new Map(given.map((item) => [item.Id, item]));
  const merged = current.map((item) => {
    const replacement = item.Id !== undefined ? byId.get(item.Id) : undefined;
    if (replacement) byId.delete(item.Id);
    return replacement ?? item;
  });
  return [...merged, ...byId.values()];
}

export class ComplianceService implements ComplianceRecorder {
  private readonly index = new Map<string, Map<string, ResourceTypeView>>();
  private readonly fleet = new Map<string, TypeCounts>();
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly rows: Table<ComplianceRow>,
    private readonly resourceExists: (resourceId: string) => boolean,
  ) {}

  static async open(options: ComplianceServiceOptions): Promise<ComplianceService> {
    const service = new ComplianceService(options.store.table<ComplianceRow>(COMPLIANCE_TABLE), options.resourceExists);
    for (const row of await service.rows.readAll()) service.account(undefined, viewOf(row as ComplianceRow));
    return service;
  }

  /** ComplianceRecorder: validated like PutComplianceItems, stored as one write. */
  async put(write: ComplianceWrite): Promise<void> {
    await this.putItems(parseComplianceWrite(write));
  }

  /** A checked write; `skipped` when ItemContentHash matched what is stored, so nothing was written. */
  putItems(write: ParsedWrite): Promise<{ skipped: boolean }> {
    return this.exclusive(write.ResourceId, async () => {
      if (!this.resourceExists(write.ResourceId)) throw new ApiError('InvalidResourceId', `The resource ID ${write.ResourceId} is not a registered managed instance`);
      const key = rowKey(write.ResourceId, write.ComplianceType);
      const current = await this.rows.read(key);
      if (write.ItemContentHash !== undefined && current?.ItemContentHash === write.ItemContentHash) return { skipped: true };

      const types = this.index.get(write.ResourceId);
      if (!current && write.ComplianceType.startsWith('Custom:')) {
        const custom = [...(types?.keys() ?? [])].filter((type) => type.startsWith('Custom:')).length;
        if (custom >= MAX_CUSTOM_TYPES) {
          throw new ApiError('ComplianceTypeCountLimitExceededException', `${write.ResourceId} already has ${custom} custom compliance types; at most ${MAX_CUSTOM_TYPES} are allowed (remove one by putting it with no items)`);
        }
      }
      const items = write.UploadType === 'PARTIAL' && current ? merge(current.Items as StoredItem[], write.Items) : write.Items;
      const bytes = items === write.Items ? write.bytes : Buffer.byteLength(JSON.stringify(items));
      let total = bytes;
      for (const [type, view] of types ?? []) if (type !== write.ComplianceType) total += view.bytes;
      if (total > MAX_RESOURCE_BYTES) {
        throw new ApiError('TotalSizeLimitExceededException', `${write.ResourceId} would hold ${total} bytes of compliance items over all its types; the limit is ${MAX_RESOURCE_BYTES}`);
      }

      const previous = types?.get(write.ComplianceType);
      if (items.length === 0) {
        // A complete upload of nothing: the resource no longer has compliance of this type.
        await this.rows.delete(key);
        this.account(previous, undefined);
        return { skipped: false };
      }
      const row: ComplianceRow = {
        ResourceId: write.ResourceId,
        ResourceType: write.ResourceType,
        ComplianceType: write.ComplianceType,
        ExecutionSummary: write.ExecutionSummary,
        ...(write.ItemContentHash !== undefined ? { ItemContentHash: write.ItemContentHash } : {}),
        Items: items,
        bytes,
        summary: summarise(items),
      };
      await this.rows.put(key, row);
      this.account(previous, viewOf(row));
      return { skipped: false };
    });
  }

  /** Forget everything recorded for a resource (its instance was deregistered). Returns how many types it had. */
  removeResource(resourceId: string): Promise<number> {
    return this.exclusive(resourceId, async () => {
      const views = [...(this.index.get(resourceId)?.values() ?? [])];
      for (const view of views) {
        await this.rows.delete(rowKey(resourceId, view.ComplianceType));
        this.account(view, undefined);
      }
      return views.length;
    });
  }

  /** Whether anything is recorded for the resource. */
  has(resourceId: string): boolean {
    return this.index.has(resourceId);
  }

  /** Every (resource, type) summary matching the filter, by resource id then type. */
  resourceSummaries(filter: CompiledFilter<ResourceTypeView> = () => true): ResourceTypeView[] {
    const out: ResourceTypeView[] = [];
    for (const resourceId of [...this.index.keys()].sort()) {
      const types = this.index.get(resourceId)!;
      for (const type of [...types.keys()].sort()) {
        const view = types.get(type)!;
        if (filter(view)) out.push(view);
      }
    }
    return out;
  }

  /** Per compliance type, how many resources are compliant and not, by OverallSeverity; only of matching rows when filtered. */
  typeSummaries(filter?: CompiledFilter<ResourceTypeView>): TypeCounts[] {
    let counts: Iterable<TypeCounts> = this.fleet.values();
    if (filter) {
      const filtered = new Map<string, TypeCounts>();
      for (const types of this.index.values()) {
        for (const view of types.values()) if (filter(view)) addTo(filtered, view, 1);
      }
      counts = filtered.values();
    }
    return [...counts].filter((c) => c.compliant.some((n) => n > 0) || c.nonCompliant.some((n) => n > 0)).sort((a, b) => (a.ComplianceType < b.ComplianceType ? -1 : 1));
  }

  /**
   * Items of the given resources (every resource when none are given) matching the filter, in a stable order:
   * resource id, compliance type, then as uploaded; from just after `after` when given (ListComplianceItems' NextToken
   * holds the last item shown). Each comes with its own position. Reads only the rows it walks.
   */
  async *items(resourceIds: readonly string[] | undefined, filter: CompiledFilter<ItemView>, after?: ItemPosition): AsyncGenerator<{ view: ItemView; position: ItemPosition }> {
    const [afterResource, afterType, afterIndex] = after ?? [];
    for (const resourceId of [...new Set(resourceIds ?? this.index.keys())].sort(ordinal)) {
      if (afterResource !== undefined && resourceId < afterResource) continue;
      for (const type of [...(this.index.get(resourceId)?.keys() ?? [])].sort(ordinal)) {
        const sameRow = resourceId === afterResource && afterType !== undefined;
        if (sameRow && type < afterType) continue;
        const row = await this.rows.read(rowKey(resourceId, type));
        if (!row) continue;
        for (const [index, item] of row.Items.entries()) {
          if (sameRow && type === afterType && index <= afterIndex!) continue;
          const view: ItemView = { ComplianceType: row.ComplianceType, ResourceType: row.ResourceType, ResourceId: row.ResourceId, ExecutionSummary: row.ExecutionSummary, ...(item as StoredItem) };
          if (filter(view)) yield { view, position: [resourceId, type, index] };
        }
      }
    }
  }

  /** Moves a (resource, type) from its previous summary to its next one in the index and the fleet counts. */
  private account(previous: ResourceTypeView | undefined, next: ResourceTypeView | undefined): void {
    if (previous) {
      addTo(this.fleet, previous, -1);
      const types = this.index.get(previous.ResourceId);
      types?.delete(previous.ComplianceType);
      if (types?.size === 0) this.index.delete(previous.ResourceId);
    }
    if (next) {
      addTo(this.fleet, next, 1);
      let types = this.index.get(next.ResourceId);
      if (!types) this.index.set(next.ResourceId, (types = new Map()));
      types.set(next.ComplianceType, next);
    }
  }

  /** Writes to one resource run one at a time, so limits checked against its other types hold when written. */
  private async exclusive<T>(resourceId: string, work: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(resourceId) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(resourceId, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(resourceId) === tail) this.locks.delete(resourceId);
    }
  }
}

function addTo(counts: Map<string, TypeCounts>, view: ResourceTypeView, delta: number): void {
  let entry = counts.get(view.ComplianceType);
  if (!entry) counts.set(view.ComplianceType, (entry = { ComplianceType: view.ComplianceType, compliant: zeroCounts(), nonCompliant: zeroCounts() }));
  (view.summary.Status === 'COMPLIANT' ? entry.compliant : entry.nonCompliant)[SEVERITIES.indexOf(view.summary.OverallSeverity)]! += delta;
}
