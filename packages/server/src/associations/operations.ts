/**
 * The State Manager associations API: CreateAssociation, CreateAssociationBatch, UpdateAssociation,
 * DescribeAssociation, ListAssociations, ListAssociationVersions, DeleteAssociation, and
 * DescribeEffectiveInstanceAssociations (which associations apply to a node now).
 */
import { ApiError } from '../api/errors.js';
import type { CallContext, Input, Operation } from '../api/operation.js';
import { ssmArn } from '../api/operation.js';
import { pageByKey } from '../api/pagination.js';
import { optionalInteger, optionalString, requiredString } from '../api/validate.js';
import { DocumentService } from '../documents/document-service.js';
import { invalidAssociationVersion } from './association-errors.js';
import { parseAssociationFilters } from './association-filters.js';
import { ASSOCIATION_ID, ASSOCIATION_VERSION } from './association-input.js';
import { currentVersion, listingOrder, type AssociationRecord } from './association-records.js';
import type { AssociationService } from './association-service.js';
import { INSTANCE_ID_PATTERN } from './association-targets.js';
import { associationVersionInfo, describeAssociation, listedAssociation } from './association-views.js';

const MAX_RESULTS = { defaultMax: 50, min: 1, max: 50 };
const DOCUMENT_ARN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;

function associationId(input: Input, required: true): string;
function associationId(input: Input, required: false): string | undefined;
function associationId(input: Input, required: boolean): string | undefined {
  const rules = { pattern: new RegExp(`^${ASSOCIATION_ID.source}$`) };
  return required ? requiredString(input, 'AssociationId', rules) : optionalString(input, 'AssociationId', rules);
}

/** An operation that names one association by AssociationId, or (the legacy way) by document Name and InstanceId. */
async function findAssociation(associations: AssociationService, input: Input): Promise<AssociationRecord> {
  const id = associationId(input, false);
  if (id !== undefined) return associations.get(id);
  const name = optionalString(input, 'Name', { pattern: DOCUMENT_ARN });
  const instanceId = optionalString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
  if (name === undefined || instanceId === undefined) {
    throw new ApiError('ValidationException', 'Name the association by AssociationId (or, the legacy way, by both Name and InstanceId)');
  }
  return associations.findByDocumentAndInstance(DocumentService.nameOf(name), instanceId);
}

export function associationOperations(associations: AssociationService, documents: Pick<DocumentService, 'arnOf'>): Operation[] {
  const associationArn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) =>
    typeof input.AssociationId === 'string' ? [ssmArn(context, `association/${input.AssociationId}`)] : ['*'];
  const documentArn = (input: Input, context: Pick<CallContext, 'region' | 'accountId'>) =>
    typeof input.Name === 'string' && input.Name !== '' ? [documents.arnOf(input.Name, context)] : ['*'];
  return [
    {
      service: 'AmazonSSM',
      name: 'CreateAssociation',
      resources: documentArn,
      async handle(input, context) {
        return { AssociationDescription: describeAssociation(await associations.create(input, context.caller)) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'CreateAssociationBatch',
      resources: (input, context) => {
        const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : [];
        const arns = entries.filter((entry) => typeof entry?.Name === 'string' && entry.Name !== '').map((entry) => documents.arnOf(String(entry.Name), context));
        return arns.length > 0 ? [...new Set(arns)] : ['*'];
      },
      async handle(input, context) {
        const entries = input.Entries;
        if (!Array.isArray(entries) || entries.length === 0) throw new ApiError('ValidationException', "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
        if (entries.some((entry) => typeof entry !== 'object' || entry === null || Array.isArray(entry))) throw new ApiError('SerializationException', 'Entries must be a list of objects');
        if (input.AssociationDispatchAssumeRole !== undefined) throw new ApiError('ValidationException', 'Tender has no IAM roles to assume; omit AssociationDispatchAssumeRole');
        const { successful, failed } = await associations.createBatch(entries as Input[], context.caller);
        return { Successful: successful.map((record) => describeAssociation(record)), Failed: failed };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'UpdateAssociation',
      resources: associationArn,
      async handle(input, context) {
        return { AssociationDescription: describeAssociation(await associations.update(associationId(input, true), input, context.caller)) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeAssociation',
      resources: (input, context) => (typeof input.AssociationId === 'string' ? associationArn(input, context) : documentArn(input, context)),
      async handle(input) {
        const record = await findAssociation(associations, input);
        const asked = optionalString(input, 'AssociationVersion', { pattern: ASSOCIATION_VERSION });
        if (asked === undefined || asked === '$LATEST') return { AssociationDescription: describeAssociation(record) };
        const version = record.versions.find((v) => v.AssociationVersion === asked);
        if (!version) throw invalidAssociationVersion(`Association ${record.AssociationId} has no version ${asked}; it has versions 1-${record.versions.length} (see ListAssociationVersions)`);
        return { AssociationDescription: describeAssociation(record, version) };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListAssociations',
      async handle(input) {
        const predicates = parseAssociationFilters(input.AssociationFilterList, associations.lookup);
        const matching = (await associations.list()).filter((record) => predicates.every((matches) => matches(record)));
        const { page, nextToken } = await pageByKey(matching, listingOrder, {
          operation: 'ListAssociations',
          ...MAX_RESULTS,
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
        });
        return { Associations: page.map(listedAssociation), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListAssociationVersions',
      resources: associationArn,
      async handle(input) {
        const record = await associations.get(associationId(input, true));
        const { page, nextToken } = await pageByKey(record.versions, (version) => Number(version.AssociationVersion), {
          operation: 'ListAssociationVersions',
          ...MAX_RESULTS,
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
        });
        return { AssociationVersions: page.map((version) => associationVersionInfo(record, version)), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeEffectiveInstanceAssociations',
      resources: (input, context) => (typeof input.InstanceId === 'string' ? [ssmArn(context, `managed-instance/${input.InstanceId}`)] : ['*']),
      async handle(input) {
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        const effective = await associations.effectiveFor(instanceId);
        const { page, nextToken } = await pageByKey(effective, ({ record }) => listingOrder(record), {
          operation: 'DescribeEffectiveInstanceAssociations',
          defaultMax: 5,
          min: 1,
          max: 5,
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
        });
        return {
          Associations: page.map(({ record, document }) => ({
            AssociationId: record.AssociationId,
            InstanceId: instanceId,
            Content: JSON.stringify(document.content),
            AssociationVersion: currentVersion(record).AssociationVersion,
          })),
          NextToken: nextToken,
        };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteAssociation',
      resources: (input, context) => (typeof input.AssociationId === 'string' ? associationArn(input, context) : documentArn(input, context)),
      async handle(input) {
        const record = await findAssociation(associations, input);
        await associations.delete(record.AssociationId);
        return {};
      },
    },
  ];
}
