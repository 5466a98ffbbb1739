/**
 * The Parameter Store: parameters with versions, labels, tiers, policies and SecureString values encrypted
 * under the keys of keys/. Operations (operations.ts) parse the API's input and shape its output; this class
 * keeps the rules. SecureString plaintext exists only in memory, between a request and its response: stored
 * values are ciphertext blobs, and no error message, log line or audit record carries a value.
 */
import type { Logger } from 'pino';
import type { Principal } from '../access/access-keys.js';
import { evaluate } from '../api/auth/policy.js';
import { accessDenied, ApiError } from '../api/errors.js';
import type { Tag } from '../api/validate.js';
import type { AuditEvent } from '../audit/audit-record.js';
import { DEFAULT_KEY_ALIAS, type KeyService } from '../keys/key-service.js';
import type { Store, Table } from '../store/store.js';
import { ParameterEvents, type ParameterEvent, type ParameterEventType } from './parameter-events.js';
import { applyFilters, type ParameterFilter } from './parameter-filters.js';
import { MAX_DEPTH, nameToWrite, parameterArn, parseSelector, isValidLabel, type ParameterScope, type ParameterSelector } from './parameter-names.js';
import { carriedOver, parsePolicies, schedule } from './parameter-policies.js';
import { currentVersion, type ParameterRecord, type ParameterTier, type ParameterType, type StoredParameter, type StoredPolicy, type StoredVersion } from './parameter-records.js';

export const MAX_VERSIONS = 100;
export const MAX_LABELS_PER_VERSION = 10;
export const VALUE_LIMITS: Record<ParameterTier, number> = { Standard: 4096, Advanced: 8192 };
export const PARAMETER_LIMITS: Record<ParameterTier, number> = { Standard: 10_000, Advanced: 100_000 };
const SUPPORTED_DATA_TYPES = ['text'];
const AWS_DATA_TYPES = ['aws:ec2:image', 'aws:ssm:integration'];

export interface PutParameterRequest {
  name: string;
  value: string;
  type?: ParameterType;
  description?: string;
  keyId?: string;
  overwrite?: boolean;
  allowedPattern?: string;
  tags?: Tag[];
  tier?: ParameterTier | 'Intelligent-Tiering';
  policies?: string;
  dataType?: string;
}

/** SSM's Parameter, as GetParameter and friends return it. */
export interface ParameterView {
  Name: string;
  Type: ParameterType;
  Value: string;
  Version: number;
  Selector?: string;
  LastModifiedDate: number;
  ARN: string;
  DataType: string;
}

export interface ResolvedReference {
  name: string;
  type: ParameterType;
  version: number;
  value: string;
}

export interface ReEncryptResult {
  Parameters: number;
  ReEncryptedVersions: number;
  AlreadyCurrentVersions: number;
}

export interface ParameterServiceOptions {
  store: Store;
  keys: KeyService;
  region: string;
  accountId: string;
  now?: () => Date;
  /** Where policy events go besides the event stream (control-plane.ts passes the audit trail's append). */
  audit?: (event: AuditEvent) => Promise<unknown>;
  logger?: Logger;
  /** How often the policy sweeper looks at the clock (default 1 s). */
  sweepIntervalMs?: number;
  /** Parameters per tier (default SSM's: PARAMETER_LIMITS). */
  parameterLimits?: Record<ParameterTier, number>;
}

export function parameterNotFound(name: string): ApiError {
  return new ApiError('ParameterNotFound', `Parameter ${name} not found.`);
}

function versionNotFound(name: string, selector: ParameterSelector | { version: number }): ApiError {
  const what = 'label' in selector && selector.label !== undefined ? `label ${selector.label}` : `version ${String(selector.version)}`;
  return new ApiError('ParameterVersionNotFound', `Systems Manager could not find ${what} of ${name}. Verify the version and try again.`);
}

/**
 * A SecureString is encrypted together with its parameter's name, so a ciphertext copied to another
 * parameter in the store (by someone who can write the file but has no key) does not decrypt there.
 */
function bind(name: string, value: string): Uint8Array {
  return new TextEncoder().encode(`${name}\n${value}`);
}

function unbind(name: string, plaintext: Uint8Array): string {
  const text = new TextDecoder().decode(plaintext);
  if (!text.startsWith(`${name}\n`)) throw new Error(`the stored SecureString value of ${name} belongs to another parameter: the store was altered`);
  return text.slice(name.length + 1);
}

/**
 * A version's LastModifiedDate in seconds, as the API gives it, parsed once per stored version: shared versions
 * are frozen, so what was parsed stays right; a changed parameter is a new object and parsed anew.
 */
const modifiedSecondsOf = new WeakMap<StoredVersion, number>();
function modifiedSeconds(version: StoredVersion): number {
  let seconds = modifiedSecondsOf.get(version);
  if (seconds === undefined) {
    seconds = Date.parse(version.LastModifiedDate) / 1000;
    if (Object.isFrozen(version)) modifiedSecondsOf.set(version, seconds);
  }
  return seconds;
}

interface IndexEntry {
  tier: ParameterTier;
  /** When the next pending policy of the current version acts (ms), if any. */
  nextDue?: number;
}

export class ParameterService {
  private readonly table: Table<ParameterRecord>;
  private readonly keys: KeyService;
  private readonly scope: ParameterScope;
  private readonly now: () => Date;
  private readonly index = new Map<string, IndexEntry>();
  private events!: ParameterEvents;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly options: ParameterServiceOptions) {
    this.table = options.store.table<ParameterRecord>('parameters');
    this.keys = options.keys;
    this.scope = { region: options.region, accountId: options.accountId };
    this.now = options.now ?? (() => new Date());
  }

  /** Load the index and the event stream, and start the policy sweeper. */
  async start(): Promise<void> {
    this.events = await ParameterEvents.open(this.options.store);
    for (const record of await this.table.list()) this.reindex(record);
    this.timer = setInterval(() => void this.sweep().catch((error: unknown) => this.options.logger?.error({ err: error }, 'parameter policy sweep failed')), this.options.sweepIntervalMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  arnOf(name: string): string {
    return parameterArn(this.scope, name);
  }

  private reindex(record: ParameterRecord): void {
    const current = currentVersion(record);
    const due = schedule(current).map((d) => d.at);
    this.index.set(record.Name, { tier: current.Tier, nextDue: due.length ? Math.min(...due) : undefined });
  }

  private requireKms(caller: Principal, action: 'kms:Encrypt' | 'kms:Decrypt', keyArn: string): void {
    const decision = evaluate(caller.policies, action, keyArn);
    if (!decision.allowed) throw accessDenied(caller.arn, action, keyArn, decision.reason);
  }

  private requireSsm(caller: Principal, action: string, name: string): void {
    const arn = this.arnOf(name);
    const decision = evaluate(caller.policies, action, arn);
    if (!decision.allowed) throw accessDenied(caller.arn, action, arn, decision.reason);
  }

  /** Whether the caller's policy allows an ssm: action on a parameter (for listings that show only those). */
  allows(caller: Principal, action: string, name: string): boolean {
    return evaluate(caller.policies, action, this.arnOf(name)).allowed;
  }

  // ---- writing ----

  async put(caller: Principal, request: PutParameterRequest): Promise<{ Version: number; Tier: ParameterTier }> {
    const name = nameToWrite(request.name, this.scope);
    const value = request.value;
    if (value.length === 0) throw new ApiError('ValidationException', "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (/\{\{.*\}\}/s.test(value)) throw new ApiError('ValidationException', 'Parameter value can\'t nest another parameter. Do not use "{{}}" in the value.');
    if (request.overwrite && request.tags && request.tags.length > 0) {
      throw new ApiError('ValidationException', "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags on an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
    }
    const existing = await this.table.get(name);
    if (existing && !request.overwrite) throw alreadyExists();
    const previous = existing ? currentVersion(existing) : undefined;

    const type = request.type ?? previous?.Type;
    if (!type) throw new ApiError('ValidationException', 'A parameter type is required when you create a parameter.');
    if (request.keyId !== undefined && type !== 'SecureString') throw new ApiError('ValidationException', 'KeyId is required for SecureString type parameter only.');
    const dataType = request.dataType ?? previous?.DataType ?? 'text';
    if (!SUPPORTED_DATA_TYPES.includes(dataType)) {
      throw new ApiError('ValidationException', AWS_DATA_TYPES.includes(dataType) ? `Tender supports the text data type only, not ${dataType}` : `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
    }
    const description = request.description ?? previous?.Description;
    const allowedPattern = request.allowedPattern ?? previous?.AllowedPattern;
    if (allowedPattern) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(allowedPattern, 'u');
      } catch {
        throw new ApiError('InvalidAllowedPatternException', `The AllowedPattern ${allowedPattern} is not a valid regular expression`);
      }
      if (!pattern.test(value)) throw new ApiError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`);
    }
    const now = this.now();
    const policies: StoredPolicy[] = request.policies !== undefined ? parsePolicies(request.policies, now) : previous ? carriedOver(previous.Policies) : [];
    const tier = this.tierFor(request.tier, previous?.Tier, Buffer.byteLength(value, 'utf8'), policies.length > 0);
    if (!existing) this.checkParameterLimit(tier);

    let stored = value;
    let keyId: string | undefined;
    let keyArn: string | undefined;
    if (type === 'SecureString') {
      keyId = request.keyId ?? (previous?.Type === 'SecureString' ? previous.KeyId : undefined) ?? DEFAULT_KEY_ALIAS;
      const key = await this.keys.resolve(keyId);
      this.requireKms(caller, 'kms:Encrypt', key.arn);
      keyArn = key.arn;
      stored = this.keys.encrypt(key, bind(name, value));
    }

    const updated = await this.table.update(name, (current) => {
      if (current && !request.overwrite) throw alreadyExists();
      const last = current ? currentVersion(current) : undefined;
      // The type was taken from the version read above: if another call changed it since, do not guess.
      if (last && request.type === undefined && last.Type !== type) throw new ApiError('TooManyUpdates', `Parameter ${name} changed while this call was writing it; try again`);
      const versions = current ? [...current.versions] : [];
      if (versions.length >= MAX_VERSIONS) {
        const oldest = versions[0]!;
        if (oldest.Labels.length > 0) {
          throw new ApiError(
            'ParameterMaxVersionLimitExceeded',
            `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.Version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
          );
        }
        versions.shift();
      }
      versions.push({
        Version: (last?.Version ?? 0) + 1,
        Type: type,
        Value: stored,
        ...(keyId !== undefined ? { KeyId: keyId, keyArn } : {}),
        ...(description !== undefined ? { Description: description } : {}),
        ...(allowedPattern ? { AllowedPattern: allowedPattern } : {}),
        Labels: [],
        Tier: last?.Tier === 'Advanced' ? 'Advanced' : tier,
        Policies: policies,
        DataType: dataType,
        LastModifiedDate: now.toISOString(),
        LastModifiedUser: caller.arn,
      });
      return { Name: name, Tags: current ? current.Tags : (request.tags ?? []), versions };
    });
    const latest = currentVersion(updated!);
    this.reindex(updated!);
    return { Version: latest.Version, Tier: latest.Tier };
  }

  /**
   * SSM's tiers: Standard holds 4 KB and no policies, Advanced 8 KB and policies; Intelligent-Tiering picks
   * Standard when that is enough. A parameter never goes back from Advanced to Standard.
   */
  private tierFor(requested: PutParameterRequest['tier'], previous: ParameterTier | undefined, size: number, hasPolicies: boolean): ParameterTier {
    if (requested === 'Standard' && previous === 'Advanced') {
      throw new ApiError('ValidationException', "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.");
    }
    const tier: ParameterTier =
      requested === 'Advanced' || previous === 'Advanced'
        ? 'Advanced'
        : requested === 'Intelligent-Tiering'
          ? size > VALUE_LIMITS.Standard || hasPolicies
            ? 'Advanced'
            : 'Standard'
          : 'Standard';
    if (tier === 'Standard' && hasPolicies) throw new ApiError('ValidationException', 'Standard tier parameters do not support parameter policies: use the Advanced or Intelligent-Tiering tier.');
    if (size > VALUE_LIMITS[tier]) {
      throw new ApiError(
        'ValidationException',
        tier === 'Standard'
          ? `Standard tier parameters support a maximum parameter value of ${VALUE_LIMITS.Standard} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`
          : `Advanced tier parameters support a maximum parameter value of ${VALUE_LIMITS.Advanced} characters; this value has ${size} bytes.`,
      );
    }
    return tier;
  }

  private checkParameterLimit(tier: ParameterTier): void {
    const limit = (this.options.parameterLimits ?? PARAMETER_LIMITS)[tier];
    let count = 0;
    for (const entry of this.index.values()) if (entry.tier === tier) count++;
    if (count >= limit) throw new ApiError('ParameterLimitExceeded', `You have reached the limit of ${limit} ${tier} parameters. Delete one or more parameters and try again.`);
  }

  async delete(rawName: string): Promise<void> {
    const { name } = parseSelector(rawName, this.scope, false);
    if (!(await this.table.delete(name))) throw parameterNotFound(name);
    this.index.delete(name);
  }

  async deleteMany(rawNames: string[]): Promise<{ DeletedParameters: string[]; InvalidParameters: string[] }> {
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const raw of [...new Set(rawNames)]) {
      try {
        await this.delete(raw);
        deleted.push(raw);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        invalid.push(raw);
      }
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  // ---- labels ----

  async label(rawName: string, version: number | undefined, labels: string[]): Promise<{ InvalidLabels: string[]; ParameterVersion: number }> {
    const { name } = parseSelector(rawName, this.scope, false);
    const unique = [...new Set(labels)];
    const valid = unique.filter(isValidLabel);
    const invalid = unique.filter((l) => !isValidLabel(l));
    let labelled = 0;
    const updated = await this.table.update(name, (current) => {
      if (!current) throw parameterNotFound(name);
      const wanted = version ?? currentVersion(current).Version;
      const target = current.versions.find((v) => v.Version === wanted);
      if (!target) throw versionNotFound(name, { version: wanted });
      labelled = wanted;
      if (valid.length === 0) return undefined;
      const versions = current.versions.map((v) =>
        v.Version === wanted ? { ...v, Labels: [...v.Labels, ...valid.filter((l) => !v.Labels.includes(l))] } : { ...v, Labels: v.Labels.filter((l) => !valid.includes(l)) },
      );
      const after = versions.find((v) => v.Version === wanted)!;
      if (after.Labels.length > MAX_LABELS_PER_VERSION) {
        throw new ApiError('ParameterVersionLabelLimitExceeded', `A parameter version can have a maximum of ${MAX_LABELS_PER_VERSION} labels; version ${wanted} of ${name} would have ${after.Labels.length}.`);
      }
      return { ...current, versions };
    });
    if (!updated) throw parameterNotFound(name);
    return { InvalidLabels: invalid, ParameterVersion: labelled };
  }

  async unlabel(rawName: string, version: number, labels: string[]): Promise<{ RemovedLabels: string[]; InvalidLabels: string[] }> {
    const { name } = parseSelector(rawName, this.scope, false);
    const unique = [...new Set(labels)];
    let removed: string[] = [];
    await this.table.update(name, (current) => {
      if (!current) throw parameterNotFound(name);
      const target = current.versions.find((v) => v.Version === version);
      if (!target) throw versionNotFound(name, { version });
      removed = unique.filter((l) => target.Labels.includes(l));
      if (removed.length === 0) return undefined;
      return { ...current, versions: current.versions.map((v) => (v.Version === version ? { ...v, Labels: v.Labels.filter((l) => !removed.includes(l)) } : v)) };
    });
    return { RemovedLabels: removed, InvalidLabels: unique.filter((l) => !removed.includes(l)) };
  }

  // ---- reading ----

  /** The record and version a selector names, shared and frozen (read-only: nothing is copied to answer a read). */
  private async find(selector: ParameterSelector): Promise<{ record: StoredParameter; version: StoredVersion }> {
    const record = await this.table.read(selector.name);
    if (!record) throw parameterNotFound(selector.name);
    const version =
      selector.version !== undefined
        ? record.versions.find((v) => v.Version === selector.version)
        : selector.label !== undefined
          ? record.versions.find((v) => v.Labels.includes(selector.label!))
          : currentVersion(record);
    if (!version) throw versionNotFound(selector.name, selector);
    return { record, version };
  }

  /** The value to return: SecureString ciphertext unless decryption is asked for (and the key's policy allows it). */
  async valueOf(caller: Principal, name: string, version: StoredVersion, withDecryption: boolean): Promise<string> {
    if (version.Type !== 'SecureString' || !withDecryption) return version.Value;
    this.requireKms(caller, 'kms:Decrypt', this.keys.keyArnOf(version.Value) ?? version.keyArn ?? '*');
    return unbind(name, await this.keys.decrypt(version.Value));
  }

  async view(caller: Principal, record: StoredParameter, version: StoredVersion, withDecryption: boolean, selector?: string): Promise<ParameterView> {
    return {
      Name: record.Name,
      Type: version.Type,
      Value: await this.valueOf(caller, record.Name, version, withDecryption),
      Version: version.Version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: modifiedSeconds(version),
      ARN: this.arnOf(record.Name),
      DataType: version.DataType,
    };
  }

  async get(caller: Principal, rawName: string, withDecryption: boolean): Promise<ParameterView> {
    const selector = parseSelector(rawName, this.scope);
    const { record, version } = await this.find(selector);
    return this.view(caller, record, version, withDecryption, selector.selector);
  }

  async getMany(caller: Principal, rawNames: string[], withDecryption: boolean): Promise<{ Parameters: ParameterView[]; InvalidParameters: string[] }> {
    const found: ParameterView[] = [];
    const invalid: string[] = [];
    for (const raw of [...new Set(rawNames)]) {
      const selector = parseSelector(raw, this.scope);
      try {
        const { record, version } = await this.find(selector);
        found.push(await this.view(caller, record, version, withDecryption, selector.selector));
      } catch (error) {
        if (!(error instanceof ApiError) || !['ParameterNotFound', 'ParameterVersionNotFound'].includes(error.code)) throw error;
        invalid.push(raw);
      }
    }
    return { Parameters: found, InvalidParameters: invalid };
  }

  /**
   * The parameters under a path that the caller may read with GetParametersByPath, sorted by name, each with
   * the version to show (the labelled one under a Label filter). Values are produced per page by view().
   */
  async underPath(caller: Principal, rawPath: string, recursive: boolean, filters: ParameterFilter[]): Promise<Array<{ record: StoredParameter; version: StoredVersion }>> {
    const path = rawPath.trim();
    if (!path.startsWith('/')) throw new ApiError('ValidationException', 'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".');
    if (path !== '/') parseSelector(path.replace(/\/$/, ''), this.scope, false);
    const depth = path.split('/').filter(Boolean).length;
    if (depth > MAX_DEPTH) throw new ApiError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_DEPTH} levels.`);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return this.listWhere(caller, 'ssm:GetParametersByPath', filters, (name) => name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/')));
  }

  /** DescribeParameters: the parameters the caller may describe that pass the filters, sorted by name. */
  async describe(caller: Principal, filters: ParameterFilter[]): Promise<Array<{ record: StoredParameter; version: StoredVersion }>> {
    return this.listWhere(caller, 'ssm:DescribeParameters', filters, () => true);
  }

  private async listWhere(caller: Principal, action: string, filters: ParameterFilter[], nameMatches: (name: string) => boolean) {
    const out: Array<{ record: StoredParameter; version: StoredVersion }> = [];
    for (const record of await this.table.readAll()) {
      if (!nameMatches(record.Name) || !this.allows(caller, action, record.Name)) continue;
      const version = applyFilters(record, filters);
      if (version) out.push({ record, version });
    }
    return out.sort((a, b) => (a.record.Name < b.record.Name ? -1 : a.record.Name > b.record.Name ? 1 : 0));
  }

  async history(rawName: string): Promise<StoredParameter> {
    const { name } = parseSelector(rawName, this.scope, false);
    const record = await this.table.read(name);
    if (!record) throw parameterNotFound(name);
    return record;
  }

  /**
   * The current value of a parameter for a `{{ssm:...}}` / `{{ssm-secure:...}}` reference at dispatch. `selector` is what follows `ssm:` / `ssm-secure:`: `name`, `name:3`, `name:label`. Checks the caller's policy (ssm:GetParameters on the parameter ARN, and for a SecureString kms:Decrypt on its key ARN) and throws ApiError (ParameterNotFound, ParameterVersionNotFound, AccessDeniedException) otherwise.
   */
  async resolveReference(caller: Principal, selector: string): Promise<{ name: string; type: 'String' | 'StringList' | 'SecureString'; version: number; value: string }> {
    const parsed = parseSelector(selector, this.scope);
    this.requireSsm(caller, 'ssm:GetParameters', parsed.name);
    const { record, version } = await this.find(parsed);
    return { name: record.Name, type: version.Type, version: version.Version, value: await this.valueOf(caller, record.Name, version, true) };
  }

  // ---- keys ----

  /**
   * Re-encrypt every stored SecureString version (all versions of all parameters) under the current version of
   * its key, or under `keyId` when given (which then becomes the parameters' key).
   */
  async reEncrypt(keyId?: string): Promise<ReEncryptResult> {
    const target = keyId === undefined ? undefined : await this.keys.resolve(keyId);
    const result: ReEncryptResult = { Parameters: 0, ReEncryptedVersions: 0, AlreadyCurrentVersions: 0 };
    for (const record of await this.table.list()) {
      const replaced = new Map<number, { from: string; to: string; keyArn: string }>();
      let secure = false;
      for (const version of record.versions) {
        if (version.Type !== 'SecureString') continue;
        secure = true;
        const header = this.keys.headerOf(version.Value);
        const key = target ?? (await this.keys.resolve(header?.keyId ?? version.keyArn ?? ''));
        if (header && header.keyId === key.keyId && header.keyVersion === key.currentVersion) {
          result.AlreadyCurrentVersions++;
          continue;
        }
        const plaintext = await this.keys.decrypt(version.Value);
        replaced.set(version.Version, { from: version.Value, to: this.keys.encrypt(key, plaintext), keyArn: key.arn });
        plaintext.fill(0);
      }
      if (secure) result.Parameters++;
      if (replaced.size === 0) continue;
      await this.table.update(record.Name, (current) => {
        if (!current) return undefined;
        return {
          ...current,
          versions: current.versions.map((v) => {
            const change = replaced.get(v.Version);
            // A version rewritten meanwhile (another re-encryption) keeps what it has.
            if (!change || v.Value !== change.from) return v;
            return { ...v, Value: change.to, keyArn: change.keyArn, ...(keyId !== undefined ? { KeyId: keyId } : {}) };
          }),
        };
      });
      result.ReEncryptedVersions += replaced.size;
    }
    return result;
  }

  // ---- policies ----

  /** Act on every policy that is due by the clock: notifications first, then expirations. */
  sweep(): Promise<void> {
    // One sweep at a time: the timer's and a caller's share the one running.
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce().finally(() => {
        this.sweeping = undefined;
      });
    }
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const now = this.now().getTime();
    for (const [name, entry] of [...this.index]) {
      if (entry.nextDue !== undefined && entry.nextDue <= now) await this.applyPolicies(name, now);
    }
  }

  private async applyPolicies(name: string, now: number): Promise<void> {
    const record = await this.table.get(name);
    if (!record) {
      this.index.delete(name);
      return;
    }
    const current = currentVersion(record);
    const due = schedule(current).filter((d) => d.at <= now).sort((a, b) => a.at - b.at);
    const notifications = due.filter((d) => d.policy.PolicyType !== 'Expiration');
    const expiration = due.find((d) => d.policy.PolicyType === 'Expiration');
    if (notifications.length > 0) {
      const updated = await this.table.update(name, (latest) => {
        // Changed since it was read: the next sweep looks again.
        if (!latest || currentVersion(latest).Version !== current.Version) return undefined;
        const done = new Set(notifications.map((d) => d.index));
        const policies = current.Policies.map((p, i) => (done.has(i) ? { ...p, PolicyStatus: 'Finished' as const } : p));
        return { ...latest, versions: [...latest.versions.slice(0, -1), { ...currentVersion(latest), Policies: policies }] };
      });
      if (updated && currentVersion(updated).Version === current.Version) {
        for (const d of notifications) {
          const detail =
            d.policy.PolicyType === 'ExpirationNotification'
              ? `expires at ${current.Policies.find((p) => p.PolicyType === 'Expiration')?.timestamp ?? '?'} (notification ${Math.round((d.policy.offsetMs ?? 0) / 3_600_000)} hours before)`
              : `not changed since ${current.LastModifiedDate} (notification after ${Math.round((d.policy.offsetMs ?? 0) / 3_600_000)} hours)`;
          await this.raise(d.policy.PolicyType as ParameterEventType, name, current.Version, detail, new Date(now));
        }
        this.reindex(updated);
      }
    }
    if (expiration) {
      const latest = await this.table.get(name);
      if (latest && currentVersion(latest).Version === current.Version && (await this.table.delete(name))) {
        this.index.delete(name);
        await this.raise('Expired', name, current.Version, `deleted by its Expiration policy (${expiration.policy.timestamp ?? ''})`, new Date(now));
      }
    } else if (notifications.length === 0) {
      this.reindex(record);
    }
  }

  private async raise(type: ParameterEventType, name: string, version: number, detail: string, time: Date): Promise<void> {
    await this.events.append({ Time: time.toISOString(), Type: type, Name: name, Version: version, Detail: detail });
    await this.options.audit?.({ time: time.toISOString(), caller: 'tender:parameter-policies', operation: `tender:ParameterPolicy${type}`, resources: [this.arnOf(name)], source: 'internal', outcome: 'success', detail: `${type}: ${detail}` });
  }

  readEvents(after: string | undefined, max: number): { events: ParameterEvent[]; cursor: string } {
    return this.events.read(after, max);
  }
}

function alreadyExists(): ApiError {
  return new ApiError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
}
