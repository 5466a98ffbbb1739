/**
 * What the server's operation tests share: a call context, a clock the test moves by hand, and a check that a
 * promise fails with a given AWS error.
 */
import assert from 'node:assert/strict';
import { ApiError } from '../../src/api/errors.js';
import type { CallContext } from '../../src/api/operation.js';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';

export const testContext: CallContext = {
  caller: { accessKeyId: 'TKIATESTTESTTESTTEST', userName: 'tester', arn: `arn:aws:iam::${TEST_ACCOUNT}:user/tester`, policies: [] },
  requestId: 'req-1',
  sourceIp: '127.0.0.1',
  region: TEST_REGION,
  accountId: TEST_ACCOUNT,
};

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms: number) {}
  readonly now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** The promise fails with an ApiError of this code and HTTP status (400 unless said), its message matching if given. */
export async function apiError(promise: Promise<unknown>, code: string, message?: RegExp, status = 400): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, `code of: ${error.message}`);
    assert.equal(error.status, status);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${code}`);
}
