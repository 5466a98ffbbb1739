import { ApiError } from '../api/errors.js';
import type { Operation } from '../api/operation.js';
import { ssmArn } from '../api/operation.js';
import { pageByKey } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, optionalTimestamp, parseStringList, parseTag, requiredString } from '../api/validate.js';
import { epochSeconds } from '../api/wire-format.js';
import { listingOrder, type ActivationRecord, type ActivationService } from './activation-service.js';

const NAME_TEXT = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const ACTIVATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 86_400_000;
/** SSM's ceiling for ExpirationDate: 30 days from now. */
const MAX_EXPIRY_MS = 30 * DAY_MS;

function describe(activation: ActivationRecord, expired: boolean) {
  return {
    ActivationId: activation.ActivationId,
    Description: activation.Description,
    DefaultInstanceName: activation.DefaultInstanceName,
    IamRole: activation.IamRole,
    RegistrationLimit: activation.RegistrationLimit,
    RegistrationsCount: activation.RegistrationsCount,
    ExpirationDate: epochSeconds(activation.ExpirationDate),
    Expired: expired,
    CreatedDate: epochSeconds(activation.CreatedDate),
    Tags: activation.Tags,
  };
}

export function activationOperations(activations: ActivationService, now: () => Date = () => new Date()): Operation[] {
  return [
    {
      service: 'AmazonSSM',
      name: 'CreateActivation',
      resources: (_input, context) => [ssmArn(context, 'activation/*')],
      async handle(input) {
        const expiration = optionalTimestamp(input, 'ExpirationDate') ?? new Date(now().getTime() + DAY_MS);
        const delta = expiration.getTime() - now().getTime();
        if (delta <= 0) throw new ApiError('InvalidParameters', `ExpirationDate ${expiration.toISOString()} is in the past`);
        if (delta > MAX_EXPIRY_MS) throw new ApiError('InvalidParameters', 'ExpirationDate must be at most 30 days from now');
        return activations.create({
          IamRole: requiredString(input, 'IamRole', { max: 64 }),
          Description: optionalString(input, 'Description', { max: 256 }),
          DefaultInstanceName: optionalString(input, 'DefaultInstanceName', { max: 256, pattern: NAME_TEXT }),
          RegistrationLimit: optionalInteger(input, 'RegistrationLimit', { min: 1, max: 1000 }) ?? 1,
          ExpirationDate: expiration,
          Tags: optionalList(input, 'Tags', parseTag, { max: 1000 }) ?? [],
        });
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DescribeActivations',
      async handle(input) {
        const filters = optionalList(input, 'Filters', (value, index) => {
          const filter = (value ?? {}) as Record<string, unknown>;
          const key = filter.FilterKey;
          if (key !== 'ActivationIds' && key !== 'DefaultInstanceName' && key !== 'IamRole') {
            throw new ApiError('InvalidFilter', `Filters[${index}].FilterKey ${JSON.stringify(key)} is not one of ActivationIds, DefaultInstanceName, IamRole`);
          }
          return { key, values: optionalList(filter, 'FilterValues', parseStringList('FilterValues')) ?? [] };
        }) ?? [];
        const all = await activations.list();
        const matching = all.filter((activation) =>
          filters.every(({ key, values }) => {
            const field = key === 'ActivationIds' ? activation.ActivationId : key === 'DefaultInstanceName' ? activation.DefaultInstanceName : activation.IamRole;
            return values.length === 0 || (field !== undefined && values.includes(field));
          }),
        );
        const { page, nextToken } = await pageByKey(matching, listingOrder, {
          operation: 'DescribeActivations',
          maxResults: optionalInteger(input, 'MaxResults'),
          nextToken: optionalString(input, 'NextToken'),
          defaultMax: 50,
          min: 1,
          max: 50,
        });
        return { ActivationList: page.map((a) => describe(a, activations.isExpired(a))), NextToken: nextToken };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'DeleteActivation',
      resources: (input, context) => [ssmArn(context, `activation/${String(input.ActivationId ?? '')}`)],
      async handle(input) {
        const id = requiredString(input, 'ActivationId');
        if (!ACTIVATION_ID.test(id)) throw new ApiError('InvalidActivationId', `The activation ID ${id} is not valid`);
        if (!(await activations.delete(id))) throw new ApiError('InvalidActivation', `Activation ${id} does not exist`);
        return {};
      },
    },
  ];
}
