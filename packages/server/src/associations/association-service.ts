/**
 * State Manager associations on the control plane: create (one or a batch), update (a new version), describe,
 * list, list versions, delete. Every check runs before the single write, so bad input leaves nothing behind.
 * Delivering associations to agents, running them and their compliance are the next step (see index.ts).
 */
import { randomUUID } from 'node:crypto';
import { ParameterError, resolveParameters } from '@tender/documents';
import { ApiError } from '../api/errors.js';
import type { Input } from '../api/operation.js';
import type { ResolvedDocument } from '../documents/document-service.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import type { Store, Table } from '../store/store.js';
import { associationNotFound, invalidAssociationVersion } from './association-errors.js';
import { parseAssociationInput } from './association-input.js';
import { currentVersion, type AssociationRecord, type AssociationSettings } from './association-records.js';
import { targetsMatch } from './association-targets.js';

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
  now?: () => Date;
  /** Limits, for tests that reach them without creating 10,000 associations. */
  limits?: { associations?: number; versions?: number };
}

export interface FailedAssociation {
  Entry: Input;
  Message: string;
  Fault: 'Client' | 'Server';
}

export class AssociationService {
  private readonly table: Table<AssociationRecord>;
  private readonly now: () => Date;

  constructor(private readonly options: AssociationServiceOptions) {
    this.table = options.store.table<AssociationRecord>('associations');
    this.now = options.now ?? (() => new Date());
  }

  get lookup(): (id: string) => InstanceRecord | undefined {
    return this.options.instance;
  }

  /** CreateAssociation. */
  async create(input: Input): Promise<AssociationRecord> {
    const { settings, tags } = parseAssociationInput(input, this.options.instance, this.now());
    await this.checkDocument(settings);
    const limit = this.options.limits?.associations ?? MAX_ASSOCIATIONS;
    if ((await this.table.list()).length >= limit) {
      throw new ApiError('AssociationLimitExceeded', `You can have at most ${limit} associations on this control plane; delete some first`);
    }
    const at = this.now().toISOString();
    const record: AssociationRecord = {
      AssociationId: randomUUID(),
      Date: at,
      LastUpdateAssociationDate: at,
      Tags: tags,
      versions: [{ ...settings, AssociationVersion: '1', CreatedDate: at }],
      Overview: { Status: 'Pending', DetailedStatus: 'Creating', AssociationStatusAggregatedCount: {} },
    };
    if (!(await this.table.insert(record.AssociationId, record))) throw new ApiError('AssociationAlreadyExists', `Association ${record.AssociationId} already exists`);
    return record;
  }

  /** CreateAssociationBatch: each entry succeeds or fails on its own, as in SSM. */
  async createBatch(entries: Input[]): Promise<{ successful: AssociationRecord[]; failed: FailedAssociation[] }> {
    const successful: AssociationRecord[] = [];
    const failed: FailedAssociation[] = [];
    for (const entry of entries) {
      try {
        if (entry.Tags !== undefined) throw new ApiError('ValidationException', 'CreateAssociationBatch entries take no Tags');
        successful.push(await this.create(entry));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        failed.push({ Entry: entry, Message: `${error.code}: ${error.message}`, Fault: error.status < 500 ? 'Client' : 'Server' });
      }
    }
    return { successful, failed };
  }

  /** UpdateAssociation: a new version with the request's settings (see parseAssociationInput). */
  async update(associationId: string, input: Input): Promise<AssociationRecord> {
    const existing = await this.get(associationId);
    const expected = latestVersionAsked(input, existing);
    const { settings } = parseAssociationInput(input, this.options.instance, this.now(), currentVersion(existing));
    await this.checkDocument(settings);
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
      return { ...record, LastUpdateAssociationDate: at, versions: [...record.versions, { ...settings, AssociationVersion: version, CreatedDate: at }] };
    });
    if (!updated) throw associationNotFound(associationId);
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

  /** Every association, oldest first (stable for pagination). */
  async list(): Promise<AssociationRecord[]> {
    const all = await this.table.list();
    return all.sort((a, b) => a.Date.localeCompare(b.Date) || a.AssociationId.localeCompare(b.AssociationId));
  }

  /**
   * The associations that apply to a node now (their current targets take it in), oldest first, each with the
   * document version it runs. An association whose document has since been deleted is left out: it cannot run.
   * This is the set the next step pushes to the node's agent.
   */
  async effectiveFor(instanceId: string): Promise<Array<{ record: AssociationRecord; document: ResolvedDocument }>> {
    const instance = this.options.instance(instanceId);
    if (!instance) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance of this control plane`);
    const effective: Array<{ record: AssociationRecord; document: ResolvedDocument }> = [];
    for (const record of await this.list()) {
      const version = currentVersion(record);
      if (!targetsMatch(version.Targets, instance)) continue;
      try {
        effective.push({ record, document: await this.options.resolveDocument(version.Name, version.DocumentVersion) });
      } catch (error) {
        if (error instanceof ApiError && (error.code === 'InvalidDocument' || error.code === 'InvalidDocumentVersion')) continue;
        throw error;
      }
    }
    return effective;
  }

  async delete(associationId: string): Promise<void> {
    if (!(await this.table.delete(associationId))) throw associationNotFound(associationId);
  }

  /** The document and version must exist, and the parameters must satisfy the document. */
  private async checkDocument(settings: AssociationSettings): Promise<void> {
    const resolved = await this.options.resolveDocument(settings.Name, settings.DocumentVersion);
    try {
      resolveParameters(resolved.document, settings.Parameters ?? {});
    } catch (error) {
      if (error instanceof ParameterError) throw new ApiError('InvalidParameters', error.message);
      throw error;
    }
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
