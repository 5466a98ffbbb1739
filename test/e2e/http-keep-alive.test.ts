import assert from 'node:assert/strict';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';

/**
 * The AWS SDKs reuse connections. A server that closes idle ones after Node's 5 s default races a client sending
 * on them: a call made after a busy stretch of the event loop failed with ECONNRESET / "socket hang up" (it broke
 * a CI run). The client here makes one attempt only, as the other tests' clients do, so a lost race shows.
 */
describe('the API keeps idle client connections open longer than clients keep them', function () {
  this.timeout(30000);
  let cp: TestControlPlane;
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(async () => {
    await cp?.stop();
  });

  it('a call on a connection left idle past 5 s while the event loop was held up is answered', async () => {
    await cp.ssm.send(new DescribeInstanceInformationCommand({}));
    // Held synchronously, so that the server's idle timer and the client's next call fall in the same turn.
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      /* busy */
    }
    const answer = await cp.ssm.send(new DescribeInstanceInformationCommand({}));
    assert.deepEqual(answer.InstanceInformationList, []);
  });
});
