import type { Principal } from '../access/access-keys.js';

/** What an operation handler knows about the call it serves. */
export interface CallContext {
  caller: Principal;
  requestId: string;
  sourceIp: string;
  region: string;
  accountId: string;
}

/** The JSON body of a request: AWS JSON 1.1 members by their API names. */
export type Input = Record<string, unknown>;

/**
 * One API operation. `service` picks the X-Amz-Target prefix (`AmazonSSM.` for the SSM API, `Tender.` for
 * Tender's own admin operations) and the IAM action prefix (`ssm:` / `tender:`). `resources` names the ARNs
 * the call touches, for the policy check and the audit trail; '*' when it is not about one resource.
 */
export interface Operation {
  service: 'AmazonSSM' | 'Tender';
  name: string;
  resources?(input: Input, context: Pick<CallContext, 'region' | 'accountId'>): string[];
  handle(input: Input, context: CallContext): Promise<unknown>;
}

export function actionOf(operation: Pick<Operation, 'service' | 'name'>): string {
  return `${operation.service === 'AmazonSSM' ? 'ssm' : 'tender'}:${operation.name}`;
}

export function ssmArn(context: Pick<CallContext, 'region' | 'accountId'>, resource: string): string {
  return `arn:aws:ssm:${context.region}:${context.accountId}:${resource}`;
}
