import { createHash } from 'node:crypto';
import {
  COMMAND_SCHEMA_VERSIONS,
  DocumentError,
  parseDocument,
  type CommandDocument,
  type CommandDocumentType,
  type DocumentFormat,
  type JsonObject,
} from '@tender/documents';
import { BUILTIN_CREATED_DATE, BUILTIN_DOCUMENTS } from '@tender/documents/builtins';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.js';
import type { Tag } from '../api/validate.js';
import type { DeepReadonly, Store, Table } from '../store/store.js';
import {
  amazonOwned,
  documentNotFound,
  hashMismatch,
  invalidDocumentContent,
  invalidDocumentOperation,
  unsupportedSchemaVersion,
  versionNotFound,
} from './document-errors.js';
import {
  AMAZON_OWNER,
  type DocumentContentRecord,
  type DocumentParameterSummary,
  type DocumentRecord,
  type DocumentVersionRecord,
} from './document-records.js';
import { platformTypesOf } from './platform-types.js';

/** SSM's limit for Command (and Policy) documents' content, in bytes of UTF-8. */
export const MAX_COMMAND_DOCUMENT_BYTES = 64 * 1024;
/** SSM's limit on versions per document. */
export const MAX_DOCUMENT_VERSIONS = 1000;
/** Documents per account (Tender's default; SSM's quota). */
export const MAX_DOCUMENTS = 10_000;

/** The document types Tender stores so far: the ones @tender/documents parses. */
export const SUPPORTED_DOCUMENT_TYPES: readonly CommandDocumentType[] = ['Command', 'Policy'];

const VERSION_NUMBER = /^[1-9][0-9]*$/;
const DOCUMENT_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]*:([0-9]{12})?:document\/(.+)$/;
const PARSED_CACHE_SIZE = 256;

export interface NewDocument {
  Name: string;
  Content: string;
  DocumentFormat: DocumentFormat;
  DocumentType: CommandDocumentType;
  /** The account creating it: the document's Owner. */
  Owner: string;
  VersionName?: string;
  DisplayName?: string;
  TargetType?: string;
  Tags: Tag[];
}

export interface DocumentUpdate {
  Name: string;
  Content: string;
  DocumentFormat: DocumentFormat;
  /** `$LATEST` or the latest version's number: SSM updates only the latest version. */
  DocumentVersion: string;
  VersionName?: string;
  /** Kept from the latest version when absent. */
  DisplayName?: string;
  /** Kept from the latest version when absent. */
  TargetType?: string;
}

/** Which version a call means: a number, `$LATEST`, `$DEFAULT`, and/or a VersionName; the default when none. */
export interface VersionSelector {
  DocumentVersion?: string;
  VersionName?: string;
}

/** A document version ready to run: what the Commands API sends to agents. */
export interface ResolvedDocument {
  name: string;
  /** The version number, e.g. "3" (never `$LATEST` / `$DEFAULT`). */
  version: string;
  versionName?: string;
  /** The parsed, validated document; a copy the caller may change. */
  document: CommandDocument;
  /** The document as JSON values (the same object as document.content). */
  content: JsonObject;
  /** sha256 hex of the content as it was given. */
  hash: string;
  /** The account that owns it, or "Amazon". */
  owner: string;
  documentType: CommandDocumentType;
  format: DocumentFormat;
}

export interface DocumentServiceOptions {
  now?: () => Date;
  maxVersions?: number;
  maxDocuments?: number;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const contentKey = (name: string, hash: string): string => `${name}/${hash}`;

function alreadyExists(name: string): ApiError {
  return new ApiError('DocumentAlreadyExists', `The specified document already exists: ${name}`);
}

function parameterSummaries(document: CommandDocument): DocumentParameterSummary[] {
  return Object.values(document.parameters).map((definition) => {
    const summary: DocumentParameterSummary = { Name: definition.name, Type: definition.type };
    if (definition.description !== undefined) summary.Description = definition.description;
    if (definition.default !== undefined && definition.default !== null) {
      summary.DefaultValue = typeof definition.default === 'string' ? definition.default : JSON.stringify(definition.default);
    }
    return summary;
  });
}

/** The schemaVersion as written, read leniently; only used to tell a schema problem from other problems. */
function writtenSchemaVersion(text: string): unknown {
  try {
    const value: unknown = parseYaml(text, { version: '1.1' });
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).schemaVersion : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parse and validate, answering with SSM's error codes: InvalidDocumentSchemaVersion for a schemaVersion Tender
 * does not take, InvalidDocumentContent (with the documents package's message: document, path, problem) for
 * everything else.
 */
export function parseContent(text: string, name: string, format: DocumentFormat, documentType: CommandDocumentType): CommandDocument {
  try {
    return parseDocument(text, { name, format, documentType });
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    if (error.path === 'schemaVersion') {
      const written = writtenSchemaVersion(text);
      const known = typeof written === 'string' && (COMMAND_SCHEMA_VERSIONS as readonly string[]).includes(written);
      if (typeof written === 'string' && (!known || (documentType === 'Policy' && written === '1.2'))) {
        throw unsupportedSchemaVersion(error.message);
      }
    }
    throw invalidDocumentContent(error.message);
  }
}

/**
 * SSM documents: versions, default version, content by hash, tags, and Tender's built-in documents (owned by
 * "Amazon", read-only, version 1). The operations in operations.ts speak the API; this is the model. Every
 * change is one atomic update of the document's record (see document-records.ts for the layout).
 */
export class DocumentService {
  private readonly documents: Table<DocumentRecord>;
  private readonly contents: Table<DocumentContentRecord>;
  private readonly now: () => Date;
  private readonly maxVersions: number;
  private readonly maxDocuments: number;
  private readonly builtins = new Map<string, { record: DocumentRecord; text: string; document: CommandDocument }>();
  /** Parsed documents by `<name>/<hash>`: content-addressed, so an entry never goes stale. */
  private readonly parsedCache = new Map<string, CommandDocument>();

  constructor(store: Store, options: DocumentServiceOptions = {}) {
    this.documents = store.table<DocumentRecord>('documents');
    this.contents = store.table<DocumentContentRecord>('document-contents');
    this.now = options.now ?? (() => new Date());
    this.maxVersions = options.maxVersions ?? MAX_DOCUMENT_VERSIONS;
    this.maxDocuments = options.maxDocuments ?? MAX_DOCUMENTS;
    for (const builtin of BUILTIN_DOCUMENTS) {
      const text = JSON.stringify(builtin.content, null, 2);
      let document: CommandDocument;
      try {
        document = parseDocument(text, { name: builtin.name, format: 'JSON', documentType: builtin.documentType });
      } catch (error) {
        throw new Error(`built-in document ${builtin.name} does not validate: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const version = this.versionRecord(document, text, '1', { CreatedDate: BUILTIN_CREATED_DATE, DocumentFormat: 'JSON' });
      const record: DocumentRecord = {
        Name: builtin.name,
        Owner: AMAZON_OWNER,
        DocumentType: builtin.documentType,
        CreatedDate: BUILTIN_CREATED_DATE,
        DefaultVersion: '1',
        LatestVersion: '1',
        lastVersionNumber: 1,
        Tags: [],
        versions: [version],
      };
      this.builtins.set(builtin.name, { record, text, document });
    }
  }

  /** Loads (and checks) the built-in documents; throws if one of them does not validate. */
  static async open(store: Store, options: DocumentServiceOptions = {}): Promise<DocumentService> {
    return new DocumentService(store, options);
  }

  isAmazonOwned(name: string): boolean {
    return this.builtins.has(DocumentService.nameOf(name));
  }

  builtinNames(): string[] {
    return [...this.builtins.keys()];
  }

  /** A document's name from its name or its ARN (`arn:aws:ssm:<region>:<account>:document/<name>`). */
  static nameOf(nameOrArn: string): string {
    const arn = DOCUMENT_ARN.exec(nameOrArn);
    return arn ? arn[2]! : nameOrArn;
  }

  /** The ARN the policy check and the audit trail use: Amazon's documents have no account. */
  arnOf(nameOrArn: string, context: { region: string; accountId: string }): string {
    if (nameOrArn.startsWith('arn:')) return nameOrArn;
    const account = this.builtins.has(nameOrArn) ? '' : context.accountId;
    return `arn:aws:ssm:${context.region}:${account}:document/${nameOrArn}`;
  }

  /** The document, or InvalidDocument. */
  async get(nameOrArn: string): Promise<DocumentRecord> {
    const name = DocumentService.nameOf(nameOrArn);
    const builtin = this.builtins.get(name);
    if (builtin) return structuredClone(builtin.record);
    const record = await this.documents.get(name);
    if (!record) throw documentNotFound(name);
    return record;
  }

  /** Every document, built-in and stored, sorted by name; shared (no copy of every version's content): to read, not to change. */
  async list(): Promise<Array<DeepReadonly<DocumentRecord>>> {
    const stored = await this.documents.readAll();
    const all: Array<DeepReadonly<DocumentRecord>> = [...[...this.builtins.values()].map((b) => structuredClone(b.record)), ...stored];
    return all.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }

  /**
   * The version a selector names. A version that does not exist, or a DocumentVersion and a VersionName that
   * name different versions, is InvalidDocumentVersion.
   */
  selectVersion<R extends DeepReadonly<DocumentRecord>>(record: R, selector: VersionSelector = {}): R['versions'][number] {
    const { DocumentVersion: asked, VersionName: versionName } = selector;
    let number: string | undefined;
    if (asked === '$LATEST') number = record.LatestVersion;
    else if (asked === '$DEFAULT') number = record.DefaultVersion;
    else if (asked !== undefined) {
      if (!VERSION_NUMBER.test(asked)) throw versionNotFound(record.Name, asked);
      number = asked;
    }
    if (versionName !== undefined) {
      const named = record.versions.find((v) => v.VersionName === versionName);
      if (!named) throw new ApiError('InvalidDocumentVersion', `The document version is not valid or does not exist: ${record.Name} has no version named ${versionName}`);
      if (number !== undefined && named.DocumentVersion !== number) {
        throw new ApiError(
          'InvalidDocumentVersion',
          `The document version is not valid or does not exist: version ${number} of ${record.Name} is not named ${versionName} (that is version ${named.DocumentVersion})`,
        );
      }
      return named;
    }
    const wanted = number ?? record.DefaultVersion;
    const version = record.versions.find((v) => v.DocumentVersion === wanted);
    if (!version) throw versionNotFound(record.Name, asked ?? wanted);
    return version;
  }

  /** A version's content exactly as it was given. */
  async contentOf(record: DocumentRecord, version: DocumentVersionRecord): Promise<string> {
    const builtin = this.builtins.get(record.Name);
    if (builtin && record.Owner === AMAZON_OWNER) return builtin.text;
    const stored = await this.contents.get(contentKey(record.Name, version.Hash));
    if (!stored) throw new Error(`the content of version ${version.DocumentVersion} of document ${record.Name} (sha256 ${version.Hash}) is missing from the store`);
    return stored.Content;
  }

  /** A version parsed (cached by hash). The object is shared: do not change it. */
  async parsedVersion(record: DocumentRecord, version: DocumentVersionRecord): Promise<CommandDocument> {
    const builtin = this.builtins.get(record.Name);
    if (builtin && record.Owner === AMAZON_OWNER) return builtin.document;
    const key = contentKey(record.Name, version.Hash);
    const cached = this.parsedCache.get(key);
    if (cached) return cached;
    const text = await this.contentOf(record, version);
    const document = parseContent(text, record.Name, version.DocumentFormat, record.DocumentType);
    this.remember(key, document);
    return document;
  }

  private remember(key: string, document: CommandDocument): void {
    if (this.parsedCache.size >= PARSED_CACHE_SIZE) {
      const oldest = this.parsedCache.keys().next();
      if (!oldest.done) this.parsedCache.delete(oldest.value);
    }
    this.parsedCache.set(key, document);
  }

  private versionRecord(
    document: CommandDocument,
    text: string,
    number: string,
    fields: Pick<DocumentVersionRecord, 'CreatedDate' | 'DocumentFormat' | 'VersionName' | 'DisplayName' | 'TargetType'>,
  ): DocumentVersionRecord {
    const version: DocumentVersionRecord = {
      DocumentVersion: number,
      CreatedDate: fields.CreatedDate,
      DocumentFormat: fields.DocumentFormat,
      Hash: sha256(text),
      SchemaVersion: document.schemaVersion,
      Parameters: parameterSummaries(document),
      PlatformTypes: platformTypesOf(document),
    };
    if (fields.VersionName !== undefined) version.VersionName = fields.VersionName;
    if (fields.DisplayName !== undefined) version.DisplayName = fields.DisplayName;
    if (fields.TargetType !== undefined) version.TargetType = fields.TargetType;
    if (document.description !== undefined) version.Description = document.description;
    return version;
  }

  private checkSize(name: string, content: string): void {
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > MAX_COMMAND_DOCUMENT_BYTES) {
      throw new ApiError('MaxDocumentSizeExceeded', `The size limit of a document is 64 KB: the content of ${name} is ${bytes} bytes (at most ${MAX_COMMAND_DOCUMENT_BYTES})`);
    }
  }

  async create(request: NewDocument): Promise<DocumentRecord> {
    const { Name: name } = request;
    if (this.builtins.has(name)) throw alreadyExists(name);
    this.checkSize(name, request.Content);
    const document = parseContent(request.Content, name, request.DocumentFormat, request.DocumentType);
    if (await this.documents.get(name)) throw alreadyExists(name);
    const stored = await this.documents.readAll();
    if (stored.length >= this.maxDocuments) {
      throw new ApiError('DocumentLimitExceeded', `You can have at most ${this.maxDocuments} documents; delete documents you no longer need and try again`);
    }
    const createdDate = this.now().toISOString();
    const version = this.versionRecord(document, request.Content, '1', {
      CreatedDate: createdDate,
      DocumentFormat: request.DocumentFormat,
      VersionName: request.VersionName,
      DisplayName: request.DisplayName,
      TargetType: request.TargetType,
    });
    const record: DocumentRecord = {
      Name: name,
      Owner: request.Owner,
      DocumentType: request.DocumentType,
      CreatedDate: createdDate,
      DefaultVersion: '1',
      LatestVersion: '1',
      lastVersionNumber: 1,
      Tags: request.Tags,
      versions: [version],
    };
    await this.contents.put(contentKey(name, version.Hash), { Name: name, Hash: version.Hash, Content: request.Content });
    if (!(await this.documents.insert(name, record))) {
      await this.dropContentIfUnused(name, version.Hash);
      throw alreadyExists(name);
    }
    this.remember(contentKey(name, version.Hash), document);
    return record;
  }

  /** The checks UpdateDocument makes against the document as it is now (again inside the atomic update). */
  private checkUpdate(record: DocumentRecord, request: DocumentUpdate, hash: string): void {
    const asked = request.DocumentVersion;
    if (asked !== '$LATEST' && asked !== record.LatestVersion) {
      throw new ApiError(
        'InvalidDocumentVersion',
        `The document version is not valid or does not exist: only the latest version of a document can be updated; pass $LATEST or ${record.LatestVersion} for ${record.Name}, not ${asked}`,
      );
    }
    const latest = record.versions.find((v) => v.DocumentVersion === record.LatestVersion);
    if (latest?.Hash === hash) {
      throw new ApiError(
        'DuplicateDocumentContent',
        `The content of the document matches its latest version (${record.LatestVersion} of ${record.Name}). Change the content of the document and try again.`,
      );
    }
    if (request.VersionName !== undefined) {
      const taken = record.versions.find((v) => v.VersionName === request.VersionName);
      if (taken) {
        throw new ApiError(
          'DuplicateDocumentVersionName',
          `The version name ${request.VersionName} has already been used in ${record.Name} (version ${taken.DocumentVersion}). Specify a different version name, and then try again.`,
        );
      }
    }
    if (record.versions.length >= this.maxVersions) {
      throw new ApiError(
        'DocumentVersionLimitExceeded',
        `The document has too many versions: ${record.Name} has ${record.versions.length}, the limit is ${this.maxVersions}. Delete one or more document versions and try again.`,
      );
    }
  }

  /** A new version after the latest. Returns the document and the new version. */
  async update(request: DocumentUpdate): Promise<{ record: DocumentRecord; version: DocumentVersionRecord }> {
    const { Name: name } = request;
    if (this.builtins.has(name)) throw amazonOwned(name, 'update');
    const current = await this.documents.get(name);
    if (!current) throw documentNotFound(name);
    this.checkSize(name, request.Content);
    const hash = sha256(request.Content);
    this.checkUpdate(current, request, hash);
    const document = parseContent(request.Content, name, request.DocumentFormat, current.DocumentType);

    await this.contents.put(contentKey(name, hash), { Name: name, Hash: hash, Content: request.Content });
    let added: DocumentVersionRecord | undefined;
    let updated: DocumentRecord | undefined;
    try {
      updated = await this.documents.update(name, (record) => {
        if (!record) throw documentNotFound(name);
        this.checkUpdate(record, request, hash);
        const latest = record.versions.find((v) => v.DocumentVersion === record.LatestVersion);
        const number = record.lastVersionNumber + 1;
        added = this.versionRecord(document, request.Content, String(number), {
          CreatedDate: this.now().toISOString(),
          DocumentFormat: request.DocumentFormat,
          VersionName: request.VersionName,
          DisplayName: request.DisplayName ?? latest?.DisplayName,
          TargetType: request.TargetType ?? latest?.TargetType,
        });
        return { ...record, LatestVersion: String(number), lastVersionNumber: number, versions: [...record.versions, added] };
      });
    } catch (error) {
      await this.dropContentIfUnused(name, hash);
      throw error;
    }
    if (!updated || !added) throw documentNotFound(name);
    this.remember(contentKey(name, hash), document);
    return { record: updated, version: added };
  }

  async setDefaultVersion(nameOrArn: string, version: string): Promise<{ record: DocumentRecord; version: DocumentVersionRecord }> {
    const name = DocumentService.nameOf(nameOrArn);
    const builtin = this.builtins.get(name);
    if (builtin) {
      const record = structuredClone(builtin.record);
      return { record, version: this.selectVersion(record, { DocumentVersion: version }) };
    }
    let chosen: DocumentVersionRecord | undefined;
    const updated = await this.documents.update(name, (record) => {
      if (!record) throw documentNotFound(name);
      chosen = this.selectVersion(record, { DocumentVersion: version });
      return { ...record, DefaultVersion: chosen.DocumentVersion };
    });
    if (!updated || !chosen) throw documentNotFound(name);
    return { record: updated, version: chosen };
  }

  /**
   * Delete a whole document, or one version of it (by number, `$LATEST`, or VersionName). The default version
   * cannot be deleted on its own; Amazon's documents cannot be deleted at all.
   */
  async delete(nameOrArn: string, selector: VersionSelector = {}): Promise<void> {
    const name = DocumentService.nameOf(nameOrArn);
    if (this.builtins.has(name)) throw amazonOwned(name, 'delete');
    if (selector.DocumentVersion === undefined && selector.VersionName === undefined) {
      const record = await this.documents.get(name);
      if (!record) throw documentNotFound(name);
      await this.documents.delete(name);
      for (const hash of new Set(record.versions.map((v) => v.Hash))) {
        await this.contents.delete(contentKey(name, hash));
        this.parsedCache.delete(contentKey(name, hash));
      }
      return;
    }
    let removed: DocumentVersionRecord | undefined;
    await this.documents.update(name, (record) => {
      if (!record) throw documentNotFound(name);
      let version: DocumentVersionRecord;
      try {
        version = this.selectVersion(record, selector);
      } catch (error) {
        // DeleteDocument answers InvalidDocument for a version that does not exist (its errors have no InvalidDocumentVersion).
        throw error instanceof ApiError ? new ApiError('InvalidDocument', error.message) : error;
      }
      if (version.DocumentVersion === record.DefaultVersion) {
        throw invalidDocumentOperation(
          `The default version of a document can't be deleted: version ${version.DocumentVersion} is the default version of ${name}. Make another version the default (UpdateDocumentDefaultVersion) first, or delete the whole document.`,
        );
      }
      removed = version;
      const versions = record.versions.filter((v) => v !== version);
      const latest = versions.reduce((highest, v) => Math.max(highest, Number(v.DocumentVersion)), 0);
      return { ...record, versions, LatestVersion: String(latest) };
    });
    if (removed) await this.dropContentIfUnused(name, removed.Hash);
  }

  private async dropContentIfUnused(name: string, hash: string): Promise<void> {
    const record = await this.documents.get(name);
    if (record?.versions.some((v) => v.Hash === hash)) return;
    await this.contents.delete(contentKey(name, hash));
    this.parsedCache.delete(contentKey(name, hash));
  }

  /** Replace a stored document's tags (for AddTagsToResource / RemoveTagsFromResource on documents). */
  async setTags(nameOrArn: string, tags: Tag[]): Promise<DocumentRecord> {
    const name = DocumentService.nameOf(nameOrArn);
    if (this.builtins.has(name)) throw invalidDocumentOperation(`You cannot tag a document owned by Amazon: ${name} is a built-in document`);
    const updated = await this.documents.update(name, (record) => {
      if (!record) throw documentNotFound(name);
      return { ...record, Tags: tags };
    });
    if (!updated) throw documentNotFound(name);
    return updated;
  }

  /**
   * The document a command runs. `version` is a number, `$LATEST` or `$DEFAULT` (the default when absent); `hash`,
   * when given, must be the version's sha256 (SendCommand's DocumentHash). Errors are SSM's: InvalidDocument for
   * an unknown document or a hash that does not match, InvalidDocumentVersion for an unknown version.
   */
  async resolve(nameOrArn: string, version?: string, hash?: string): Promise<ResolvedDocument> {
    const record = await this.get(nameOrArn);
    const chosen = this.selectVersion(record, version === undefined ? {} : { DocumentVersion: version });
    if (hash !== undefined && hash.toLowerCase() !== chosen.Hash) throw hashMismatch(record.Name, chosen.DocumentVersion);
    const document = structuredClone(await this.parsedVersion(record, chosen));
    const resolved: ResolvedDocument = {
      name: record.Name,
      version: chosen.DocumentVersion,
      document,
      content: document.content,
      hash: chosen.Hash,
      owner: record.Owner,
      documentType: record.DocumentType,
      format: chosen.DocumentFormat,
    };
    if (chosen.VersionName !== undefined) resolved.versionName = chosen.VersionName;
    return resolved;
  }
}
