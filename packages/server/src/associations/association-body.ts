/**
 * From an association to what its agents hold (AssociationBody): the document resolved to a concrete version and
 * its JSON content, the parameters with their defaults, and Parameter Store references handled as Run Command
 * handles them (prepareRun): `{{ssm:...}}` values put in, `{{ssm-secure:...}}` values sealed to each agent.
 *
 * References are resolved as the access key that created the association's version, with that key's policy as
 * it is now (a key since deleted or stripped of the right resolves nothing, and the association is not delivered).
 * A prepared body without references is the same for every instance and is kept per association version and
 * document version, so a fleet-wide redelivery prepares each association once.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AssociationBody, Sealed } from '@tender/protocol';
import type { Principal } from '../access/access-keys.js';
import type { ResolveReference } from '../commands/parameter-store-references.js';
import { prepareRun, type PreparedRun, type ResolveDocument } from '../commands/prepare-run.js';
import { SecretValues } from '../commands/sealed-secrets.js';
import { ASSOCIATION_DOCUMENT_TYPES, currentVersion, type AssociationRecord } from './association-records.js';

export interface AssociationBodyOptions {
  resolveDocument: ResolveDocument;
  resolveReference?: ResolveReference;
  /** The principal of an access key as it is now (AccessKeys.principalOf). */
  principalOf?: (accessKeyId: string) => Promise<Principal | undefined>;
  /** The control plane's box secret key, to seal `{{ssm-secure:...}}` values to agents. */
  boxSecretKey?: Uint8Array;
}

/** An association ready to deliver: the body without secrets, and what to seal for each agent. */
export interface PreparedAssociation {
  body: AssociationBody;
  secrets?: SecretValues;
  /** Changes exactly when what the agent would hold changes (secret references and versions, not sealed bytes). */
  digest: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * How long a document lookup is reused. Resolving copies the parsed document, which a fleet-wide recompute would
 * otherwise pay once per host and association (10,000s of copies); within this window it pays once per document.
 * A document's new default version reaches agents with their next set (a change, a hello, a resend).
 */
const DOCUMENT_MEMO_MS = 1000;

export class AssociationBodies {
  private readonly cache = new Map<string, PreparedAssociation>();
  private readonly documents = new Map<string, { at: number; resolved: ReturnType<ResolveDocument> }>();

  constructor(private readonly options: AssociationBodyOptions) {}

  /** Prepare an association's body (throws ApiError when it cannot run: document gone, reference unreadable). */
  async prepare(record: AssociationRecord): Promise<PreparedAssociation> {
    const version = currentVersion(record);
    const document = await this.resolveDocument(version.Name, version.DocumentVersion);
    const key = `${record.AssociationId}/${version.AssociationVersion}/${document.name}/${document.version}/${document.hash}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    // A key deleted since acts with no rights: its references are refused (AccessDeniedException naming it).
    const caller = version.resolveAs === undefined ? undefined : ((await this.options.principalOf?.(version.resolveAs)) ?? { accessKeyId: version.resolveAs, userName: 'deleted', arn: `deleted access key ${version.resolveAs}`, policies: [] });
    const run = await prepareRun(
      this.options.resolveDocument,
      { documentName: version.Name, documentVersion: document.version, parameters: version.Parameters ?? {}, comment: '', documentTypes: ASSOCIATION_DOCUMENT_TYPES },
      { caller, resolve: this.options.resolveReference },
    );
    const body = bodyOf(record, run);
    const prepared: PreparedAssociation = {
      body,
      digest: sha256(JSON.stringify([body, [...run.secrets].map(([reference, value]) => [reference, value.name, value.version])])),
    };
    if (run.secrets.size > 0) {
      if (this.options.boxSecretKey === undefined) throw new Error('this control plane has no box key to seal {{ssm-secure:...}} values with');
      prepared.secrets = new SecretValues(run.secrets, this.options.boxSecretKey);
    }
    // Values from Parameter Store may change: such bodies are prepared again each time.
    if (run.references.size === 0) this.cache.set(key, prepared);
    return prepared;
  }

  private resolveDocument(name: string, version: string): ReturnType<ResolveDocument> {
    const key = `${name}\u0000${version}`;
    const now = performance.now();
    const memo = this.documents.get(key);
    if (memo && now - memo.at < DOCUMENT_MEMO_MS) return memo.resolved;
    const resolved = this.options.resolveDocument(name, version);
    this.documents.set(key, { at: now, resolved });
    resolved.catch(() => this.documents.delete(key)); // a missing document is asked again next time
    return resolved;
  }

  /** The body as one agent gets it: secrets sealed to its box key. */
  static forInstance(prepared: PreparedAssociation, boxPublicKey: string): AssociationBody {
    if (!prepared.secrets) return prepared.body;
    const secrets: Record<string, Sealed> = prepared.secrets.sealFor(boxPublicKey);
    return { ...prepared.body, secrets };
  }

  /** Forget what was prepared for an association (it changed or is gone). */
  forget(associationId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${associationId}/`)) this.cache.delete(key);
  }
}

function bodyOf(record: AssociationRecord, run: PreparedRun): AssociationBody {
  const version = currentVersion(record);
  const body: AssociationBody = {
    associationId: record.AssociationId,
    associationVersion: version.AssociationVersion,
    documentName: run.documentName,
    documentVersion: run.documentVersion,
    document: run.body.document,
    parameters: run.body.parameters,
    applyOnlyAtCronInterval: version.ApplyOnlyAtCronInterval,
    changedAt: version.CreatedDate,
    syncCompliance: version.SyncCompliance,
  };
  if (version.AssociationName !== undefined) body.associationName = version.AssociationName;
  if (version.ScheduleExpression !== undefined) body.scheduleExpression = version.ScheduleExpression;
  if (version.ScheduleOffset !== undefined) body.scheduleOffset = version.ScheduleOffset;
  if (version.ComplianceSeverity !== undefined) body.complianceSeverity = version.ComplianceSeverity;
  // Duration (hours) bounds a run at the cron interval; otherwise the document's own executionTimeout, if any.
  if (version.Duration !== undefined) body.executionTimeoutSeconds = version.Duration * 3600;
  else if (run.body.executionTimeoutSeconds !== undefined) body.executionTimeoutSeconds = run.body.executionTimeoutSeconds;
  return body;
}
