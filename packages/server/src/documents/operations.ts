import type { CommandDocumentType, DocumentFormat } from '@tender/documents';
import { ApiError, constraintViolations, serialization } from '../api/errors.js';
import type { CallContext, Input, Operation } from '../api/operation.js';
import { pageByKey } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, parseTag, requiredString, type Tag } from '../api/validate.js';
import { epochSeconds } from '../api/wire-format.js';
import { renderDocument } from './document-format.js';
import { DOCUMENT_TYPES, parseDocumentFilters } from './document-filters.js';
import type { DocumentRecord, DocumentVersionRecord } from './document-records.js';
import { DocumentService, SUPPORTED_DOCUMENT_TYPES } from './document-service.js';
import type { DeepReadonly } from '../store/store.js';

/** CreateDocument, UpdateDocument, UpdateDocumentDefaultVersion, DeleteDocument: a plain name. */
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** GetDocument, DescribeDocument, ListDocumentVersions: a name or an ARN. */
const DOCUMENT_ARN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const VERSION = /([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)/;
const VERSION_NUMBER = /(^[1-9][0-9]*$)/;
const VERSION_NAME = /^[a-zA-Z0-9_\-.]{1,128}$/;
const DISPLAY_NAME = /^[\w.\-:/ ]*$/;
const TARGET_TYPE = /^\/[\w.\-:/]*$/;
/** SSM reserves these prefixes, in any case, for documents owned by Amazon. */
const RESERVED_PREFIX = /^(aws|amazon|amzn)/i;
/** Tags per resource. */
const MAX_TAGS = 50;
const FORMATS = ['YAML', 'JSON', 'TEXT'];

function format(input: Input, field = 'DocumentFormat'): DocumentFormat | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!FORMATS.includes(value)) {
    throw constraintViolations([{ value, member: 'documentFormat', constraint: `Member must satisfy enum value set: [${FORMATS.join(', ')}]` }]);
  }
  if (value === 'TEXT') {
    throw new ApiError('ValidationException', 'Invalid document format TEXT: Command documents are written and served as JSON or YAML');
  }
  return value as DocumentFormat;
}

function documentType(input: Input): CommandDocumentType {
  const value = optionalString(input, 'DocumentType') ?? 'Command';
  if (!DOCUMENT_TYPES.includes(value)) {
    throw constraintViolations([{ value, member: 'documentType', constraint: `Member must satisfy enum value set: [${DOCUMENT_TYPES.join(', ')}]` }]);
  }
  if (!(SUPPORTED_DOCUMENT_TYPES as readonly string[]).includes(value)) {
    const later = value === 'Automation' ? '; Automation documents (schemaVersion 0.3) arrive with Tender\'s Automation capability' : '';
    throw new ApiError('InvalidDocumentSchemaVersion', `Tender supports Command (and Policy) documents so far, not ${value} documents${later}`);
  }
  return value as CommandDocumentType;
}

function refuseUnsupported(input: Input): void {
  for (const field of ['Attachments', 'Requires']) {
    const value = input[field];
    if (Array.isArray(value) && value.length > 0) {
      throw new ApiError('ValidationException', `${field} are not supported for Command documents; Tender does not store document attachments or requirements`);
    }
  }
}

function nameOrArn(input: Input): string {
  return requiredString(input, 'Name', { pattern: DOCUMENT_ARN });
}

function tagsOf(input: Input): Tag[] {
  const tags = optionalList(input, 'Tags', parseTag, { max: 1000 }) ?? [];
  const unique = new Map<string, Tag>(tags.map((t) => [t.Key, t]));
  if (unique.size > MAX_TAGS) throw new ApiError('TooManyTagsError', `A document can have at most ${MAX_TAGS} tags; this request gives ${unique.size}`);
  return [...unique.values()];
}

/** DocumentDescription: the document and one of its versions. */
export function describeDocument(record: DocumentRecord, version: DocumentVersionRecord) {
  return {
    Hash: version.Hash,
    HashType: 'Sha256',
    Name: record.Name,
    DisplayName: version.DisplayName,
    VersionName: version.VersionName,
    Owner: record.Owner,
    CreatedDate: epochSeconds(version.CreatedDate),
    Status: 'Active',
    DocumentVersion: version.DocumentVersion,
    Description: version.Description,
    Parameters: version.Parameters.length > 0 ? version.Parameters : undefined,
    PlatformTypes: version.PlatformTypes,
    DocumentType: record.DocumentType,
    SchemaVersion: version.SchemaVersion,
    LatestVersion: record.LatestVersion,
    DefaultVersion: record.DefaultVersion,
    DocumentFormat: version.DocumentFormat,
    TargetType: version.TargetType,
    Tags: record.Tags,
  };
}

/** DocumentIdentifier: ListDocuments reports each document's default version. */
export function identifyDocument(record: DeepReadonly<DocumentRecord>, version: DeepReadonly<DocumentVersionRecord>) {
  return {
    Name: record.Name,
    CreatedDate: epochSeconds(record.CreatedDate),
    DisplayName: version.DisplayName,
    Owner: record.Owner,
    VersionName: version.VersionName,
    PlatformTypes: version.PlatformTypes,
    DocumentVersion: version.DocumentVersion,
    DocumentType: record.DocumentType,
    SchemaVersion: version.SchemaVersion,
    DocumentFormat: version.DocumentFormat,
    TargetType: version.TargetType,
    Tags: record.Tags,
  };
}

function versionInfo(record: DocumentRecord, version: DocumentVersionRecord) {
  return {
    Name: record.Name,
    DisplayName: version.DisplayName,
    DocumentVersion: version.DocumentVersion,
    VersionName: version.VersionName,
    CreatedDate: epochSeconds(version.CreatedDate),
    IsDefaultVersion: version.DocumentVersion === record.DefaultVersion,
    DocumentFormat: version.DocumentFormat,
    Status: 'Active',
  };
}

function selector(input: Input) {
  return {
    DocumentVersion: optionalString(input, 'DocumentVersion', { pattern: VERSION }),
    VersionName: optionalString(input, 'VersionName', { pattern: VERSION_NAME }),
  };
}

/** The Documents API: CreateDocument, GetDocument, DescribeDocument, UpdateDocument, UpdateDocumentDefaultVersion, ListDocuments, ListDocumentVersions, DeleteDocument. */
export function documentOperations(documents: DocumentService): Operation[] {
  const arn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) => [documents.arnOf(String(input.Name ?? ''), context)];
  return [
    {
      service: 'AmazonSSM',
      name: 'CreateDocument',
      resources: arn,
      async handle(input, context) {
        const name = requiredString(input, 'Name', { pattern: DOCUMENT_NAME });
        const content = requiredString(input, 'Content', { min: 1 });
        if (RESERVED_PREFIX.test(name)) {
          throw new ApiError('ValidationException', `Invalid document name ${name}: names beginning with aws, amazon or amzn (in any case) are reserved for documents owned by Amazon`);
        }
        refuseUnsupported(input);
        const record = await documents.create({
          Name: name,
          Content: content,
          DocumentType: documentType(input),
          DocumentFormat: format(input) ?? 'JSON',
          VersionName: optionalString(input, 'VersionName', { pattern: VERSION_NAME }),
          DisplayName: optionalString(input, 'DisplayName', { max: 1024, pattern: DISPLAY_NAME }),
          TargetType: optionalString(input, 'TargetType', { max: 200, pattern: TARGET_TYPE }),
          Tags: tagsOf(input),
          Owner: context.accountId,
        });
        return { DocumentDescription: describeDocument(record, record.versions[0]!) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetDocument',
      resources: arn,
      async handle(input) {
        const name = nameOrArn(input);
        const wanted = format(input);
        const chosen = selector(input);
        const record = await documents.get(name);
        const version = documents.selectVersion(record, chosen);
        const asWritten = wanted === undefined || wanted === version.DocumentFormat;
        const content = asWritten
          ? await documents.contentOf(record, version)
          : renderDocument((await documents.parsedVersion(record, version)).content, wanted);
        return {
          Name: record.Name,
          CreatedDate: epochSeconds(version.CreatedDate),
          DisplayName: version.DisplayName,
          VersionName: version.VersionName,
          DocumentVersion: version.DocumentVersion,
          Status: 'Active',
          Content: content,
          DocumentType: record.DocumentType,
          DocumentFormat: wanted ?? version.DocumentFormat,
        };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeDocument',
      resources: arn,
      async handle(input) {
        const name = nameOrArn(input);
        const chosen = selector(input);
        const record = await documents.get(name);
        return { Document: describeDocument(record, documents.selectVersion(record, chosen)) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'UpdateDocument',
      resources: arn,
      async handle(input) {
        const name = requiredString(input, 'Name', { pattern: DOCUMENT_NAME });
        const content = requiredString(input, 'Content', { min: 1 });
        refuseUnsupported(input);
        const { record, version } = await documents.update({
          Name: name,
          Content: content,
          DocumentFormat: format(input) ?? 'JSON',
          DocumentVersion: optionalString(input, 'DocumentVersion', { pattern: VERSION }) ?? '$LATEST',
          VersionName: optionalString(input, 'VersionName', { pattern: VERSION_NAME }),
          DisplayName: optionalString(input, 'DisplayName', { max: 1024, pattern: DISPLAY_NAME }),
          TargetType: optionalString(input, 'TargetType', { max: 200, pattern: TARGET_TYPE }),
        });
        return { DocumentDescription: describeDocument(record, version) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'UpdateDocumentDefaultVersion',
      resources: arn,
      async handle(input) {
        const name = requiredString(input, 'Name', { pattern: DOCUMENT_NAME });
        const number = requiredString(input, 'DocumentVersion', { pattern: VERSION_NUMBER });
        const { record, version } = await documents.setDefaultVersion(name, number);
        return { Description: { Name: record.Name, DefaultVersion: version.DocumentVersion, DefaultVersionName: version.VersionName } };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListDocuments',
      async handle(input, context) {
        const predicates = parseDocumentFilters(input, context.accountId);
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        const matching = (await documents.list())
          .map((record) => ({ record, version: documents.selectVersion(record) }))
          .filter(({ record, version }) => predicates.every((p) => p(record, version)));
        // By name (documents.list() sorts so), from the last name shown: a document created between pages repeats none.
        const { page, nextToken: next } = await pageByKey(matching, ({ record }) => record.Name, { operation: 'ListDocuments', maxResults, nextToken, defaultMax: 50, min: 1, max: 50 });
        return { DocumentIdentifiers: page.map(({ record, version }) => identifyDocument(record, version)), NextToken: next };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListDocumentVersions',
      resources: arn,
      async handle(input) {
        const name = nameOrArn(input);
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        const record = await documents.get(name);
        const { page, nextToken: next } = await pageByKey(record.versions, (version) => Number(version.DocumentVersion), {
          operation: 'ListDocumentVersions',
          maxResults,
          nextToken,
          defaultMax: 50,
          min: 1,
          max: 50,
        });
        return { DocumentVersions: page.map((version) => versionInfo(record, version)), NextToken: next };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteDocument',
      resources: arn,
      async handle(input) {
        const name = requiredString(input, 'Name', { pattern: DOCUMENT_NAME });
        const chosen = selector(input);
        // Force matters only for types Tender does not store (ApplicationConfigurationSchema); it is accepted and ignored.
        if (input.Force !== undefined && input.Force !== null && typeof input.Force !== 'boolean') throw serialization('Force must be a boolean');
        await documents.delete(name, chosen);
        return {};
      },
    },
  ];
}
