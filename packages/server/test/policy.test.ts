import { strict as assert } from 'node:assert';
import { ADMIN_POLICY, evaluate, parsePolicy, type Decision, type PolicyDocument } from '../src/api/auth/policy.js';
import { wildcardMatch } from '../src/api/auth/wildcard-match.js';
import { isApiError } from '../src/api/errors.js';

const ARN = 'arn:aws:ssm:us-east-1:000000000000';
const INSTANCE = `${ARN}:managed-instance/mi-0123456789abcdef0`;
const DOCUMENT = `${ARN}:document/Tender-Restart`;

const readOnly = parsePolicy({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'], Resource: '*' },
    { Sid: 'NoSecrets', Effect: 'Deny', Action: 'ssm:GetParameter?', Resource: `${ARN}:parameter/secret/*` },
  ],
});
const operator = parsePolicy(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: {
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: [`${ARN}:managed-instance/mi-*`, `${ARN}:document/Tender-*`],
    },
  }),
);
const allButDelete = parsePolicy({
  Statement: [
    { Effect: 'Allow', NotAction: ['ssm:Delete*', 'ssm:Deregister*'], Resource: '*' },
    { Effect: 'Deny', Action: '*', NotResource: [`${ARN}:*`, '*'] },
  ],
});
const denyProd = parsePolicy({
  Statement: { Sid: 'NotProd', Effect: 'Deny', Action: 'ssm:*', Resource: `${ARN}:managed-instance/mi-0123456789abcdef?` },
});

const ALLOW: Decision = { allowed: true };
const NO_ALLOW: Decision = { allowed: false, reason: 'no-allow' };
const denied = (statement: string): Decision => ({ allowed: false, reason: 'explicit-deny', statement });

describe('evaluate', () => {
  const cases: [string, PolicyDocument[], string, string, Decision][] = [
    ['no policies: default deny', [], 'ssm:DescribeInstanceInformation', '*', NO_ALLOW],
    ['admin allows anything', [ADMIN_POLICY], 'ssm:DeleteDocument', DOCUMENT, ALLOW],
    ['admin allows any service', [ADMIN_POLICY], 'tender:Anything', '*', ALLOW],
    ['prefix wildcard', [readOnly], 'ssm:DescribeInstanceInformation', '*', ALLOW],
    ['action case-insensitive', [readOnly], 'SSM:describeinstanceinformation', '*', ALLOW],
    ['action outside the list', [readOnly], 'ssm:SendCommand', INSTANCE, NO_ALLOW],
    ['a prefix needs its wildcard', [readOnly], 'ssm:Describ', '*', NO_ALLOW],
    ['? matches one character', [readOnly], 'ssm:GetParameters', `${ARN}:parameter/secret/db`, denied('NoSecrets')],
    ['? needs exactly one character', [readOnly], 'ssm:GetParameter', `${ARN}:parameter/secret/db`, ALLOW],
    ['* in a resource crosses /', [readOnly], 'ssm:GetParametersByPath', `${ARN}:parameter/secret/a/b`, ALLOW],
    ['deny outside its resources', [readOnly], 'ssm:GetParameters', `${ARN}:parameter/public/x`, ALLOW],
    ['resource list, first matches', [operator], 'ssm:SendCommand', INSTANCE, ALLOW],
    ['resource list, second matches', [operator], 'ssm:SendCommand', DOCUMENT, ALLOW],
    ['resource case-sensitive', [operator], 'ssm:SendCommand', DOCUMENT.replace('Tender', 'tender'), NO_ALLOW],
    ['a resource pattern does not match "*"', [operator], 'ssm:SendCommand', '*', NO_ALLOW],
    ['other action on allowed resource', [operator], 'ssm:CancelCommand', INSTANCE, NO_ALLOW],
    ['NotAction allows the rest', [allButDelete], 'ssm:SendCommand', INSTANCE, ALLOW],
    ['NotAction excludes', [allButDelete], 'ssm:DeleteDocument', DOCUMENT, NO_ALLOW],
    ['NotAction is case-insensitive', [allButDelete], 'ssm:deregisterManagedInstance', INSTANCE, NO_ALLOW],
    ['NotResource deny that matches nothing', [allButDelete], 'ssm:ListDocuments', '*', ALLOW],
    ['explicit deny beats admin', [ADMIN_POLICY, denyProd], 'ssm:SendCommand', INSTANCE, denied('NotProd')],
    ['deny order does not matter', [denyProd, ADMIN_POLICY], 'ssm:SendCommand', INSTANCE, denied('NotProd')],
    ['deny does not reach other resources', [ADMIN_POLICY, denyProd], 'ssm:SendCommand', DOCUMENT, ALLOW],
    ['deny alone is still no allow', [denyProd], 'ssm:SendCommand', DOCUMENT, NO_ALLOW],
    ['allow across several policies', [readOnly, operator], 'ssm:SendCommand', INSTANCE, ALLOW],
  ];
  for (const [name, policies, action, resource, expected] of cases) {
    it(`${name}: ${action} on ${resource}`, () => {
      assert.deepEqual(evaluate(policies, action, resource), expected);
    });
  }

  it('names an unnamed denying statement by its position', () => {
    const deny = parsePolicy({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    assert.deepEqual(evaluate([ADMIN_POLICY, deny], 'ssm:ListDocuments', '*'), denied('policy 1 Statement[0]'));
  });
});

describe('wildcardMatch', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['*', '', false, true],
    ['a*', 'a', false, true],
    ['a*c', 'abbbc', false, true],
    ['a*c', 'abbbd', false, false],
    ['a?c', 'abc', false, true],
    ['a?c', 'ac', false, false],
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000), false, false],
    ['a.c', 'abc', false, false],
    ['[a]', '[a]', false, true],
    ['ABC', 'abc', true, true],
    ['ABC', 'abc', false, false],
  ];
  for (const [pattern, value, ci, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${value.slice(0, 12)}${ci ? ' (case-insensitive)' : ''}`, () => {
      assert.equal(wildcardMatch(pattern, value, ci), expected);
    });
  }
});

describe('parsePolicy', () => {
  it('normalises single statements and values to lists', () => {
    assert.deepEqual(parsePolicy({ Statement: { Effect: 'Allow', Action: 'ssm:*', Resource: '*' } }), {
      Statement: [{ Effect: 'Allow', Action: ['ssm:*'], Resource: ['*'] }],
    });
  });

  it('accepts the admin policy', () => {
    assert.deepEqual(evaluate([parsePolicy(JSON.parse(JSON.stringify(ADMIN_POLICY)))], 'ssm:X', '*'), ALLOW);
  });

  const bad: [string, unknown, RegExp][] = [
    ['invalid JSON text', '{"Statement": [', /^Syntax errors in policy/],
    ['not an object', [], /must be a JSON object/],
    ['an unknown top-level key', { Statement: [], Extra: 1 }, /unknown field 'Extra'/],
    ['an unknown version', { Version: '2020-01-01', Statement: [] }, /Version must be one of/],
    ['no Statement', { Version: '2012-10-17' }, /must contain a Statement/],
    ['an empty Statement list', { Statement: [] }, /Statement must not be empty/],
    ['a missing Effect', { Statement: [{ Action: '*', Resource: '*' }] }, /Statement\[0\]\.Effect is missing/],
    ['another Effect', { Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] }, /Statement\[0\]\.Effect must be 'Allow' or 'Deny'/],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow', Resource: '*' }] }, /Statement\[0\] must contain Action or NotAction/],
    [
      'both Action and NotAction',
      { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'ssm:X', Resource: '*' }] },
      /Statement\[0\] must not contain both Action and NotAction/,
    ],
    [
      'a non-string Action entry',
      { Statement: [{ Effect: 'Allow', Action: ['ssm:A', 7], Resource: '*' }] },
      /Statement\[0\]\.Action\[1\] must be a non-empty string/,
    ],
    ['an empty Action list', { Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, /Statement\[0\]\.Action must not be empty/],
    ['an action without a service', { Statement: [{ Effect: 'Allow', Action: 'SendCommand', Resource: '*' }] }, /'service:action'/],
    [
      'a Condition',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', Condition: {} }] },
      /Statement\[1\]\.Condition: Condition is not supported/,
    ],
    ['a Principal', { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, /must not specify a principal/],
    ['an unknown statement key', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Actions: '*' }] }, /unknown field 'Actions'/],
    ['no Resource', { Statement: [{ Effect: 'Allow', Action: '*' }] }, /must contain Resource or NotResource/],
    [
      'both Resource and NotResource',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', NotResource: '*' }] },
      /both Resource and NotResource/,
    ],
    ['a resource that is not an ARN', { Statement: [{ Effect: 'Allow', Action: '*', Resource: 'mi-123' }] }, /must be an ARN or '\*'/],
    [
      'a policy variable',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:ssm:*:*:parameter/${aws:username}/*' }] },
      /policy variables are not supported/,
    ],
    [
      'duplicate Sids',
      { Statement: [{ Sid: 'A', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'A', Effect: 'Deny', Action: '*', Resource: '*' }] },
      /Statement\[1\]\.Sid 'A' is not unique/,
    ],
  ];
  for (const [name, doc, message] of bad) {
    it(`refuses ${name} with MalformedPolicyDocument`, () => {
      assert.throws(
        () => parsePolicy(doc),
        (e: unknown) => isApiError(e) && e.code === 'MalformedPolicyDocument' && e.status === 400 && message.test(e.message),
      );
    });
  }
});
