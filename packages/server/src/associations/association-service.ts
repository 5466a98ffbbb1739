/**
 * State Manager associations on the control plane: create (one or a batch), update (a new version), describe,
 * list, list versions, delete. Every check runs before the single write, so bad input leaves nothing behind.
 * Delivery to agents, executions and compliance live beside it (see index.ts); this file owns the records.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../access/access-keys.js';
import { ApiError } from '../api/errors.js';
import { byKey } from '../api/pagination.js';
import type { ResolveReference } from '../commands/parameter-store-references.js';
import { prepareRun } from '../commands/prepare-run.js';
import type { Input } from '../api/operation.js';
import type { ResolvedDocument } from '../documents/document-service.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { Store, Table } from '../store/store.js';
import { associationNotFound, invalidAssociationVersion } from './association-errors.js';
import { parseAssociationInput } from './association-input.js';
import { AssociationIndex } from './association-index.js';
import { ASSOCIATION_DOCUMENT_TYPES, currentVersion, listingOrder, type AssociationOutcome, type AssociationRecord, type AssociationSettings } from './association-records.js';

/**
 * Associations per control plane. SSM's error text names 2,000 active associations; Tender allows the 10,000 that
 * issue 6's benchmark (10,000 associations over 1,000 hosts) needs.
 */
export const MAX_ASSOCIATIONS = 10_000;
/** SSM: "Each association has a limit of 1,000 versions." */
export const MAX_ASSOCIATION_VERSIONS = 1000;

export interface AssociationServiceOptions {
  store: Store;
  /** The documents service's resolve: InvalidDocument / InvalidDocumentVersion for what does not exist. */
  resolveDocument: (name: string, version?: string) => Promise<ResolvedDocument>;
  /** The instance registry's lookup. */
  instance: (id: string) => InstanceRecord | undefined;
  /**
   * The Parameter Store's resolver: an association's `{{ssm:...}}` / `{{ssm-secure:...}}` references are checked
   * as the caller of CreateAssociation / UpdateAssociation (who must be allowed to read them). Absent: refused.
   */
  resolveReference?: ResolveReference;
  now?: () => Date;
  /** Limits, for tests that reach them without creating 10,000 associations. */
  limits?: { associations?: number; versions?: number };
}

export interface FailedAssociation {
  Entry: Input;
  Message: string;
  Fault: 'Client' | 'Server';
}

/** What changed: the association before and after (undefined: created / deleted). */
export type AssociationChangeListener = (before: AssociationRecord | undefined, after: AssociationRecord | undefined) => void;

export class AssociationService {
  private readonly table: Table<AssociationRecord>;
  private readonly now: () => Date;
  private indexed: Promise<AssociationIndex> | undefined;
  private readonly listeners: AssociationChangeListener[] = [];

  constructor(private readonly options: AssociationServiceOptions) {
    this.table = options.store.table<AssociationRecord>('associations');
    this.now = options.now ?? (() => new Date());
  }

  get lookup(): (id: string) => InstanceRecord | undefined {
    return this.options.instance;
  }

  /** Told after every create, update and delete is stored (delivery to agents follows the changes). */
  onChange(listener: AssociationChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * CreateAssociation. `caller` is who asks: Parameter Store references are checked as them, and resolved as
   * their access key each time the association is delivered (AssociationVersionRecord.resolveAs).
   */
  async create(input: Input, caller?: Principal): Promise<AssociationRecord> {
    const { settings, tags } = parseAssociationInput(input, this.options.instance, this.now());
    await this.checkDocument(settings, caller);
    const limit = this.options.limits?.associations ?? MAX_ASSOCIATIONS;
    if ((await this.index()).size >= limit) {
      throw new ApiError('AssociationLimitExceeded', `You can have at most ${limit} associations on this control plane; delete some first`);
    }
    const at = this.now().toISOString();
    const record: AssociationRecord = {
      AssociationId: randomUUID(),
      Date: at,
      LastUpdateAssociationDate: at,
      Tags: tags,
      versions: [{ ...settings, AssociationVersion: '1', CreatedDate: at, ...(caller ? { resolveAs: caller.accessKeyId } : {}) }],
      Overview: { Status: 'Pending', DetailedStatus: 'Creating', AssociationStatusAggregatedCount: {} },
    };
    if (!(await this.table.insert(record.AssociationId, record))) throw new ApiError('AssociationAlreadyExists', `Association ${record.AssociationId} already exists`);
    await this.changed(undefined, record);
    return record;
  }

  /** CreateAssociationBatch: each entry succeeds or fails on its own, as in SSM. */
  async createBatch(entries: Input[], caller?: Principal): Promise<{ successful: AssociationRecord[]; failed: FailedAssociation[] }> {
    const successful: AssociationRecord[] = [];
    const failed: FailedAssociation[] = [];
    for (const entry of entries) {
      try {
        if (entry.Tags !== undefined) throw new ApiError('ValidationException', 'CreateAssociationBatch entries take no Tags');
        successful.push(await this.create(entry, caller));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        failed.push({ Entry: entry, Message: `${error.code}: ${error.message}`, Fault: error.status < 500 ? 'Client' : 'Server' });
      }
    }
    return { successful, failed };
  }

  /** UpdateAssociation: a new version with the request's settings (see parseAssociationInput). */
  async update(associationId: string, input: Input, caller?: Principal): Promise<AssociationRecord> {
    const existing = await this.get(associationId);
    const expected = latestVersionAsked(input, existing);
    const { settings } = parseAssociationInput(input, this.options.instance, this.now(), currentVersion(existing));
    await this.checkDocument(settings, caller);
    const at = this.now().toISOString();
    const updated = await this.table.update(associationId, (record) => {
      if (!record) throw associationNotFound(associationId);
      if (expected !== undefined && currentVersion(record).AssociationVersion !== expected) {
        throw invalidAssociationVersion(`Association ${associationId} is at version ${currentVersion(record).AssociationVersion}, not ${expected}: describe it again and retry`);
      }
      const limit = this.options.limits?.versions ?? MAX_ASSOCIATION_VERSIONS;
      if (record.versions.length >= limit) {
        throw new ApiError('AssociationVersionLimitExceeded', `Association ${associationId} has reached the limit of ${limit} versions`);
      }
      const version = String(Number(currentVersion(record).AssociationVersion) + 1);
      const added = { ...settings, AssociationVersion: version, CreatedDate: at, ...(caller ? { resolveAs: caller.accessKeyId } : {}) };
      return { ...record, LastUpdateAssociationDate: at, versions: [...record.versions, added] };
    });
    if (!updated) throw associationNotFound(associationId);
    await this.changed(existing, updated);
    return updated;
  }

  async get(associationId: string): Promise<AssociationRecord> {
    const record = await this.table.get(associationId);
    if (!record) throw associationNotFound(associationId);
    return record;
  }

  /** The association of a document that names this instance id in an InstanceIds target (the legacy lookup). */
  async findByDocumentAndInstance(name: string, instanceId: string): Promise<AssociationRecord> {
    const found = (await this.list()).find((record) => {
      const version = currentVersion(record);
      return version.Name === name && version.Targets.some((target) => target.Key.toLowerCase() === 'instanceids' && target.Values.includes(instanceId));
    });
    if (!found) throw associationNotFound(`${name} on ${instanceId}`);
    return found;
  }

  /** Every association, oldest first (listingOrder: ListAssociations pages by it). */
  async list(): Promise<AssociationRecord[]> {
    const all = await this.table.list();
    return all.sort(byKey(listingOrder));
  }

  /**
   * The associations that apply to a node now (their current targets take it in), oldest first, each with the
   * document version it runs. An association whose document has since been deleted is left out: it cannot run.
   * This is the set delivered to the node's agent. Found through the index: a few lookups per node.
   */
  async effectiveFor(instanceId: string): Promise<Array<{ record: AssociationRecord; document: ResolvedDocument }>> {
    const instance = this.options.instance(instanceId);
    if (!instance) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance of this control plane`);
    const effective: Array<{ record: AssociationRecord; document: ResolvedDocument }> = [];
    for (const record of await this.matching(instance)) {
      const version = currentVersion(record);
      try {
        effective.push({ record, document: await this.options.resolveDocument(version.Name, version.DocumentVersion) });
      } catch (error) {
        if (error instanceof ApiError && (error.code === 'InvalidDocument' || error.code === 'InvalidDocumentVersion')) continue;
        throw error;
      }
    }
    return effective;
  }

  /** The associations whose current targets take this node in now, oldest first (shared records: read only). */
  async matching(instance: Pick<InstanceRecord, 'InstanceId' | 'Tags'>): Promise<AssociationRecord[]> {
    const index = await this.index();
    const records: AssociationRecord[] = [];
    for (const entry of index.matching(instance)) {
      const record = await this.table.read(entry.AssociationId);
      if (record) records.push(record as AssociationRecord);
    }
    return records;
  }

  /**
   * What executions learned: the Overview, LastExecutionDate, LastSuccessfulExecutionDate. Not a new version,
   * and not a change listeners hear of (nothing an agent holds depends on it). An association deleted meanwhile
   * is left deleted.
   */
  async recordOutcome(associationId: string, outcome: (record: AssociationRecord) => AssociationOutcome): Promise<AssociationRecord | undefined> {
    return this.table.update(associationId, (record) => (record ? { ...record, ...outcome(record) } : undefined));
  }

  async delete(associationId: string): Promise<void> {
    const existing = await this.table.get(associationId);
    if (!existing || !(await this.table.delete(associationId))) throw associationNotFound(associationId);
    await this.changed(existing, undefined);
  }

  /**
   * The document and version must exist, the parameters must satisfy the document, and its Parameter Store
   * references must resolve for the caller: what a run of it would need (Run Command's checks, prepareRun).
   */
  private async checkDocument(settings: AssociationSettings, caller: Principal | undefined): Promise<void> {
    await prepareRun(
      (name, version) => this.options.resolveDocument(name, version),
      { documentName: settings.Name, documentVersion: settings.DocumentVersion, parameters: settings.Parameters ?? {}, comment: '', documentTypes: ASSOCIATION_DOCUMENT_TYPES },
      { caller, resolve: this.options.resolveReference },
    );
  }

  /** The index of every association by target, built on first use and kept up to date by every write. */
  private index(): Promise<AssociationIndex> {
    this.indexed ??= (async () => {
      const index = new AssociationIndex();
      for (const record of await this.table.readAll()) index.put({ AssociationId: record.AssociationId, Date: record.Date, Targets: currentVersion(record as AssociationRecord).Targets });
      return index;
    })();
    return this.indexed;
  }

  private async changed(before: AssociationRecord | undefined, after: AssociationRecord | undefined): Promise<void> {
    const index = await this.index();
    if (after) index.put({ AssociationId: after.AssociationId, Date: after.Date, Targets: currentVersion(after).Targets });
    else if (before) index.remove(before.AssociationId);
    for (const listener of this.listeners) listener(before, after);
  }
}

/** UpdateAssociation's AssociationVersion: concurrency control; `$LATEST` or absent means "whatever it is now". */
function latestVersionAsked(input: Input, existing: AssociationRecord): string | undefined {
  const asked = input.AssociationVersion;
  if (asked === undefined || asked === null || asked === '$LATEST') return undefined;
  if (typeof asked !== 'string' || !/^[1-9][0-9]*$/.test(asked)) throw invalidAssociationVersion(`AssociationVersion must be $LATEST or a version number, not ${JSON.stringify(asked)}`);
  if (asked !== currentVersion(existing).AssociationVersion) {
    throw invalidAssociationVersion(`Association ${existing.AssociationId} is at version ${currentVersion(existing).AssociationVersion}, not ${asked}: give the latest version or $LATEST`);
  }
  return asked;
}
