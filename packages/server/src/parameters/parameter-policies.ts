/**
 * Parameter policies (SSM's JSON array of `{"Type", "Version", "Attributes"}`): Expiration deletes the
 * parameter at its Timestamp; ExpirationNotification raises an event Before N Days/Hours of it;
 * NoChangeNotification raises one when the parameter was not changed for After N Days/Hours.
 */
import { ApiError } from '../api/errors.js';
import type { ParameterVersionRecord, PolicyType, StoredPolicy } from './parameter-records.js';

export const MAX_POLICIES = 10;
const TYPES: readonly PolicyType[] = ['Expiration', 'ExpirationNotification', 'NoChangeNotification'];
const UNIT_MS: Record<string, number> = { Days: 86_400_000, Hours: 3_600_000 };

function attribute(message: string): ApiError {
  return new ApiError('InvalidPolicyAttributeException', message);
}

function parseOne(raw: unknown, index: number, now: Date): StoredPolicy {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError('InvalidPolicyTypeException', `Policies[${index}] must be an object with Type, Version and Attributes`);
  const { Type: type, Version: version, Attributes: attributes } = raw as Record<string, unknown>;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    throw new ApiError('InvalidPolicyTypeException', `Policy type ${JSON.stringify(type)} is not supported; the types are ${TYPES.join(', ')}`);
  }
  if (version !== undefined && version !== '1.0') throw attribute(`Policies[${index}]: Version must be "1.0"`);
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw attribute(`Policies[${index}] (${type}) needs an Attributes object`);
  const attrs = attributes as Record<string, unknown>;
  const text = JSON.stringify(raw);
  const policyType = type as PolicyType;
  if (policyType === 'Expiration') {
    const time = typeof attrs.Timestamp === 'string' ? Date.parse(attrs.Timestamp) : NaN;
    if (Number.isNaN(time)) throw attribute('Expiration needs Attributes.Timestamp, an ISO 8601 time such as 2030-12-02T21:34:33.000Z');
    if (time <= now.getTime()) throw attribute(`Expiration Timestamp ${String(attrs.Timestamp)} is not in the future`);
    return { PolicyText: text, PolicyType: policyType, PolicyStatus: 'Pending', timestamp: new Date(time).toISOString() };
  }
  const field = type === 'ExpirationNotification' ? 'Before' : 'After';
  const amount = typeof attrs[field] === 'number' ? attrs[field] : typeof attrs[field] === 'string' && /^\d+$/.test(attrs[field]) ? Number(attrs[field]) : NaN;
  if (!Number.isInteger(amount) || amount < 1) throw attribute(`${type} needs Attributes.${field}, a whole number of at least 1 (as a string, e.g. "15")`);
  const unit = attrs.Unit;
  if (typeof unit !== 'string' || UNIT_MS[unit] === undefined) throw attribute(`${type} needs Attributes.Unit, Days or Hours`);
  return { PolicyText: text, PolicyType: policyType, PolicyStatus: 'Pending', offsetMs: amount * UNIT_MS[unit]! };
}

/** Parse and check a Policies string; [] for "[]" (which removes a parameter's policies). */
export function parsePolicies(text: string, now: Date): StoredPolicy[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw attribute('Policies must be a JSON array of policies such as [{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-12-02T21:34:33.000Z"}}]');
  }
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > MAX_POLICIES) throw new ApiError('PoliciesLimitExceededException', `A parameter can have at most ${MAX_POLICIES} policies; this request gives ${list.length}`);
  const policies = list.map((p, i) => parseOne(p, i, now));
  for (const type of ['Expiration', 'NoChangeNotification'] as const) {
    if (policies.filter((p) => p.PolicyType === type).length > 1) throw new ApiError('IncompatiblePolicyException', `A parameter can have only one ${type} policy`);
  }
  if (policies.some((p) => p.PolicyType === 'ExpirationNotification') && !policies.some((p) => p.PolicyType === 'Expiration')) {
    throw new ApiError('IncompatiblePolicyException', 'An ExpirationNotification policy needs an Expiration policy in the same request');
  }
  return policies;
}

/** Policies a new version inherits when the call gives none: notifications of "no change" start over. */
export function carriedOver(policies: StoredPolicy[]): StoredPolicy[] {
  return policies.map((p) => (p.PolicyType === 'NoChangeNotification' ? { ...p, PolicyStatus: 'Pending' } : p));
}

export interface DuePolicy {
  policy: StoredPolicy;
  index: number;
  at: number;
}

/** When each still pending policy of this version acts, in milliseconds. */
export function schedule(version: ParameterVersionRecord): DuePolicy[] {
  const expiration = version.Policies.find((p) => p.PolicyType === 'Expiration');
  const expiresAt = expiration?.timestamp ? Date.parse(expiration.timestamp) : undefined;
  const due: DuePolicy[] = [];
  version.Policies.forEach((policy, index) => {
    if (policy.PolicyStatus !== 'Pending') return;
    if (policy.PolicyType === 'Expiration' && expiresAt !== undefined) due.push({ policy, index, at: expiresAt });
    if (policy.PolicyType === 'ExpirationNotification' && expiresAt !== undefined) due.push({ policy, index, at: expiresAt - (policy.offsetMs ?? 0) });
    if (policy.PolicyType === 'NoChangeNotification') due.push({ policy, index, at: Date.parse(version.LastModifiedDate) + (policy.offsetMs ?? 0) });
  });
  return due;
}

/** The Policies of ParameterMetadata / ParameterHistory. */
export function policiesView(policies: readonly Readonly<StoredPolicy>[]): Array<{ PolicyText: string; PolicyType: string; PolicyStatus: string }> | undefined {
  if (policies.length === 0) return undefined;
  return policies.map((p) => ({ PolicyText: p.PolicyText, PolicyType: p.PolicyType, PolicyStatus: p.PolicyStatus }));
}
