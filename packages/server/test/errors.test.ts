import { strict as assert } from 'node:assert';
import {
  ApiError,
  accessDenied,
  constraintViolations,
  internal,
  invalidSignature,
  isApiError,
  missingAuthentication,
  serialization,
  unknownOperation,
  unrecognizedClient,
  validation,
} from '../src/api/errors.js';

describe('ApiError', () => {
  it('serialises as an AWS JSON 1.1 error body', () => {
    const e = new ApiError('InvalidInstanceId', 'Instance mi-0123 is not registered.');
    assert.equal(e.status, 400);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), { __type: 'InvalidInstanceId', message: 'Instance mi-0123 is not registered.' });
    assert.ok(e instanceof Error);
  });

  it('isApiError tells ApiErrors from other values', () => {
    assert.equal(isApiError(validation('x')), true);
    assert.equal(isApiError(new Error('x')), false);
    assert.equal(isApiError({ code: 'ValidationException', status: 400 }), false);
    assert.equal(isApiError(undefined), false);
  });

  const cases: [string, ApiError, string, number, string | RegExp][] = [
    ['unknown SSM operation', unknownOperation('AmazonSSM.Foo', { knownToAws: true }), 'UnknownOperationException', 400, 'Tender does not implement AmazonSSM.Foo yet'],
    ['unknown target', unknownOperation('Bogus.Op'), 'UnknownOperationException', 400, /Unknown operation Bogus\.Op/],
    ['missing target', unknownOperation(undefined), 'UnknownOperationException', 400, /Missing X-Amz-Target/],
    ['missing authentication', missingAuthentication(), 'MissingAuthenticationTokenException', 400, 'Request is missing Authentication Token'],
    [
      'invalid signature',
      invalidSignature('server-side detail'),
      'InvalidSignatureException',
      400,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    ],
    ['unrecognized client', unrecognizedClient(), 'UnrecognizedClientException', 400, 'The security token included in the request is invalid.'],
    [
      'access denied, no allow',
      accessDenied('arn:tender:iam::000000000000:user/alice', 'ssm:SendCommand', 'arn:aws:ssm:us-east-1:000000000000:document/X'),
      'AccessDeniedException',
      400,
      'User: arn:tender:iam::000000000000:user/alice is not authorized to perform: ssm:SendCommand on resource: ' +
        'arn:aws:ssm:us-east-1:000000000000:document/X because no identity-based policy allows the ssm:SendCommand action',
    ],
    [
      'access denied, explicit deny',
      accessDenied('arn:tender:iam::000000000000:user/bob', 'ssm:DeleteDocument', '*', 'explicit-deny'),
      'AccessDeniedException',
      400,
      'User: arn:tender:iam::000000000000:user/bob is not authorized to perform: ssm:DeleteDocument on resource: * ' +
        'with an explicit deny in an identity-based policy',
    ],
    ['validation', validation('Name is required'), 'ValidationException', 400, 'Name is required'],
    ['serialization', serialization('Unexpected token in JSON'), 'SerializationException', 400, 'Unexpected token in JSON'],
    ['internal', internal(), 'InternalServerError', 500, /internal error/],
  ];
  for (const [name, err, code, status, message] of cases) {
    it(`${name} → ${code} ${status}`, () => {
      assert.equal(err.code, code);
      assert.equal(err.status, status);
      assert.equal(err.toJSON().__type, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
    });
  }

  it('keeps the signature detail out of the message', () => {
    const e = invalidSignature('canonical request was ...');
    assert.equal(e.cause, 'canonical request was ...');
    assert.doesNotMatch(JSON.stringify(e), /canonical/);
  });

  it('words constraint violations as AWS does', () => {
    assert.equal(
      constraintViolations([{ value: 3, member: 'maxResults', constraint: 'Member must have value greater than or equal to 5' }]).message,
      "1 validation error detected: Value '3' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 5",
    );
    assert.equal(
      constraintViolations([
        { value: '', member: 'name', constraint: 'Member must have length greater than or equal to 1' },
        { value: 0, member: 'maxResults', constraint: 'Member must have value greater than or equal to 1' },
      ]).message,
      "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});
