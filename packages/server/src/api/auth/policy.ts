/**
 * IAM-style identity policies: which actions a caller may perform on which resources.
 *
 * The evaluation is IAM's for identity-based policies, minus conditions: a request is allowed when some
 * statement allows it and no statement denies it; an explicit Deny anywhere wins; with no matching Allow
 * the answer is no (default deny). Actions match case-insensitively, resources (ARNs) case-sensitively,
 * both with `*` and `?` wildcards.
 *
 * parsePolicy is strict on purpose. A policy that says something Tender cannot honour (a Condition, a
 * policy variable, a Principal) is refused when it is stored rather than evaluated as if that part were
 * absent: silently dropping a Condition from an Allow would grant more than the author meant.
 */
import { ApiError } from '../errors.js';
import { wildcardMatch } from './wildcard-match.js';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export type Decision = { allowed: true } | { allowed: false; reason: 'explicit-deny' | 'no-allow'; statement?: string };

export const ADMIN_POLICY: PolicyDocument = Object.freeze({
  Version: '2012-10-17',
  Statement: Object.freeze({ Sid: 'AdministratorAccess', Effect: 'Allow', Action: '*', Resource: '*' }),
});

const VERSIONS = ['2012-10-17', '2008-10-17'];
const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource']);
const ACTION_PATTERN = /^(\*|[A-Za-z0-9_*?-]+:[A-Za-z0-9_*?-]+)$/;

function malformed(message: string): ApiError {
  return new ApiError('MalformedPolicyDocument', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Accepts the policy as JSON text or as an already parsed value; returns a normalised copy. */
export function parsePolicy(json: unknown): PolicyDocument {
  let doc = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw malformed(`Syntax errors in policy: ${(e as Error).message}`);
    }
  }
  if (!isRecord(doc)) throw malformed('Policy document must be a JSON object');
  for (const key of Object.keys(doc)) {
    if (!DOCUMENT_KEYS.has(key)) throw malformed(`Policy document has an unknown field '${key}'`);
  }
  if (doc.Version !== undefined && !VERSIONS.includes(doc.Version as string)) {
    throw malformed(`Version must be one of ${VERSIONS.join(', ')}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('Id must be a string');

  const raw = doc.Statement;
  if (raw === undefined) throw malformed('Policy document must contain a Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed('Statement must not be empty');

  const sids = new Set<string>();
  const statements = list.map((s, i) => parseStatement(s, `Statement[${i}]`, sids));
  const out: PolicyDocument = { Statement: statements };
  if (doc.Version !== undefined) out.Version = doc.Version as string;
  return out;
}

function parseStatement(s: unknown, at: string, sids: Set<string>): PolicyStatement {
  if (!isRecord(s)) throw malformed(`${at} must be an object`);
  for (const key of Object.keys(s)) {
    if (key === 'Condition') throw malformed(`${at}.Condition: Condition is not supported`);
    if (key === 'Principal' || key === 'NotPrincipal') {
      throw malformed(`${at}.${key}: an identity-based policy must not specify a principal`);
    }
    if (!STATEMENT_KEYS.has(key)) throw malformed(`${at} has an unknown field '${key}'`);
  }

  const out: PolicyStatement = { Effect: 'Allow' };
  if (s.Sid !== undefined) {
    if (typeof s.Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(s.Sid)) {
      throw malformed(`${at}.Sid must be a string of letters and digits`);
    }
    if (s.Sid !== '' && sids.has(s.Sid)) throw malformed(`${at}.Sid '${s.Sid}' is not unique in the policy`);
    sids.add(s.Sid);
    out.Sid = s.Sid;
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    throw malformed(
      s.Effect === undefined ? `${at}.Effect is missing` : `${at}.Effect must be 'Allow' or 'Deny', not ${JSON.stringify(s.Effect)}`,
    );
  }
  out.Effect = s.Effect;

  const action = pickOne(s, at, 'Action', 'NotAction');
  for (const a of action.values) {
    if (!ACTION_PATTERN.test(a)) throw malformed(`${at}.${action.field}: '${a}' must be '*' or 'service:action'`);
  }
  out[action.field] = action.values;

  const resource = pickOne(s, at, 'Resource', 'NotResource');
  for (const r of resource.values) {
    if (r.includes('${')) throw malformed(`${at}.${resource.field}: policy variables are not supported ('${r}')`);
    if (r !== '*' && !r.startsWith('arn:')) throw malformed(`${at}.${resource.field}: '${r}' must be an ARN or '*'`);
  }
  out[resource.field] = resource.values;
  return out;
}

/** Exactly one of `field` / `notField`, as a non-empty list of non-empty strings. */
function pickOne<F extends 'Action' | 'Resource'>(
  s: Record<string, unknown>,
  at: string,
  field: F,
  notField: `Not${F}`,
): { field: F | `Not${F}`; values: string[] } {
  const has = s[field] !== undefined;
  const hasNot = s[notField] !== undefined;
  if (has && hasNot) throw malformed(`${at} must not contain both ${field} and ${notField}`);
  if (!has && !hasNot) throw malformed(`${at} must contain ${field} or ${notField}`);
  const name = has ? field : notField;
  const value = s[name];
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw malformed(`${at}.${name} must not be empty`);
  values.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') {
      throw malformed(`${at}.${name}${Array.isArray(value) ? `[${i}]` : ''} must be a non-empty string`);
    }
  });
  return { field: name, values: values as string[] };
}

function asList(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

/**
 * A statement without Action/NotAction matches no action, so it can neither allow nor deny anything.
 * One without Resource/NotResource (parsePolicy refuses those; code may build them) applies to every
 * resource, as though it said `"Resource": "*"`.
 */
function statementMatches(s: PolicyStatement, action: string, resource: string): boolean {
  const actions = asList(s.Action);
  const notActions = asList(s.NotAction);
  const actionOk = actions
    ? actions.some((p) => wildcardMatch(p, action, true))
    : notActions
      ? !notActions.some((p) => wildcardMatch(p, action, true))
      : false;
  if (!actionOk) return false;
  const resources = asList(s.Resource);
  const notResources = asList(s.NotResource);
  if (resources) return resources.some((p) => wildcardMatch(p, resource, false));
  if (notResources) return !notResources.some((p) => wildcardMatch(p, resource, false));
  return true;
}

export function evaluate(policies: PolicyDocument[], action: string, resource: string): Decision {
  let allowed = false;
  for (const [pi, policy] of policies.entries()) {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    for (const [si, s] of statements.entries()) {
      if (!statementMatches(s, action, resource)) continue;
      if (s.Effect === 'Deny') {
        return { allowed: false, reason: 'explicit-deny', statement: s.Sid || `policy ${pi} Statement[${si}]` };
      }
      if (s.Effect === 'Allow') allowed = true;
    }
  }
  return allowed ? { allowed: true } : { allowed: false, reason: 'no-allow' };
}
