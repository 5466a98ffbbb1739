import assert from 'node:assert/strict';
import {
  DEFAULT_STEP_TIMEOUT_SECONDS,
  EXIT_CODE_FAIL_AND_STOP,
  EXIT_CODE_REBOOT_UNIX,
  EXIT_CODE_REBOOT_WINDOWS,
  EXIT_CODE_SUCCEED_AND_STOP,
  decideAfterStep,
  interpolate,
  parseDocument,
  resolveParameters,
  runsAfterStop,
  skippedAfterStopReason,
  stepTimeoutSeconds,
} from '../src/index.js';
import type { Step } from '../src/index.js';

const plain: Step = { name: 's', action: 'aws:runShellScript', inputs: {} };

describe('exit codes and control flow', () => {
  it("uses SSM Agent's numbers", () => {
    assert.deepEqual(
      [EXIT_CODE_SUCCEED_AND_STOP, EXIT_CODE_FAIL_AND_STOP, EXIT_CODE_REBOOT_UNIX, EXIT_CODE_REBOOT_WINDOWS],
      [168, 169, 194, 3010],
    );
  });

  it('168 succeeds and stops the document, whatever the plugin reported', () => {
    const after = decideAfterStep(plain, { succeeded: false, exitCode: 168 });
    assert.equal(after.succeeded, true);
    assert.equal(after.stopDocument, true);
    assert.match(after.note ?? '', /code 168.*succeeded.*skipped/);
  });

  it('169 fails and stops the document', () => {
    const after = decideAfterStep(plain, { succeeded: false, exitCode: 169 });
    assert.deepEqual([after.succeeded, after.stopDocument, after.exitCode], [false, true, 169]);
  });

  it('onFailure exit stops after a failure; successAndExit reports success with 168', () => {
    assert.deepEqual(decideAfterStep({ ...plain, onFailure: 'exit' }, { succeeded: false, exitCode: 2 }), {
      succeeded: false,
      exitCode: 2,
      stopDocument: true,
      note: 'Step was found to have onFailure property. Further document steps will be skipped.',
    });
    const rescued = decideAfterStep({ ...plain, onFailure: 'successAndExit' }, { succeeded: false, exitCode: 2 });
    assert.deepEqual([rescued.succeeded, rescued.exitCode, rescued.stopDocument], [true, 168, true]);
    assert.equal(decideAfterStep({ ...plain, onFailure: 'exit' }, { succeeded: true, exitCode: 0 }).stopDocument, false);
  });

  it('onSuccess exit stops after a success only', () => {
    assert.equal(decideAfterStep({ ...plain, onSuccess: 'exit' }, { succeeded: true, exitCode: 0 }).stopDocument, true);
    assert.equal(decideAfterStep({ ...plain, onSuccess: 'exit' }, { succeeded: false, exitCode: 1 }).stopDocument, false);
    assert.deepEqual(decideAfterStep(plain, { succeeded: false, exitCode: 1 }), { succeeded: false, exitCode: 1, stopDocument: false });
  });

  it('only a last step with finallyStep runs after a stop', () => {
    const steps: Step[] = [plain, { ...plain, name: 'cleanup', finallyStep: true }];
    assert.equal(runsAfterStop(steps, 1), true);
    assert.equal(runsAfterStop(steps, 0), false);
    assert.equal(runsAfterStop([plain, plain], 1), false);
    assert.equal(skippedAfterStopReason(steps[1]!), 'Plugin with name aws:runShellScript and id cleanup skipped due to prior step with an exit condition');
  });
});

describe('stepTimeoutSeconds', () => {
  it('defaults to 3600 for script, psModule and docker actions, and to none elsewhere', () => {
    assert.equal(stepTimeoutSeconds(plain), DEFAULT_STEP_TIMEOUT_SECONDS);
    assert.equal(stepTimeoutSeconds({ ...plain, action: 'aws:psModule' }), 3600);
    assert.equal(stepTimeoutSeconds({ ...plain, action: 'aws:runDocument' }), undefined);
  });

  it("reads inputs.timeoutSeconds as SSM Agent does: numbers or text, fractions cut, out of range means 3600", () => {
    const withTimeout = (timeoutSeconds: unknown): Step => ({ ...plain, inputs: { timeoutSeconds } as Step['inputs'] });
    assert.equal(stepTimeoutSeconds(withTimeout('600')), 600);
    assert.equal(stepTimeoutSeconds(withTimeout(90.9)), 90);
    assert.equal(stepTimeoutSeconds(withTimeout('4')), 3600);
    assert.equal(stepTimeoutSeconds(withTimeout(172801)), 3600);
    assert.equal(stepTimeoutSeconds(withTimeout('soon')), 3600);
  });

  it('uses a step-level timeoutSeconds when inputs give none (a Tender addition)', () => {
    assert.equal(stepTimeoutSeconds({ ...plain, timeoutSeconds: 120 }), 120);
    assert.equal(stepTimeoutSeconds({ ...plain, action: 'aws:runDocument', timeoutSeconds: 120 }), 120);
    assert.equal(stepTimeoutSeconds({ ...plain, inputs: { timeoutSeconds: '30' }, timeoutSeconds: 120 }), 30);
  });

  it("applies AWS-RunShellScript's executionTimeout once interpolated", () => {
    const doc = parseDocument(
      JSON.stringify({
        schemaVersion: '1.2',
        parameters: { commands: { type: 'StringList' }, executionTimeout: { type: 'String', default: '3600' } },
        runtimeConfig: { 'aws:runShellScript': { properties: [{ runCommand: '{{ commands }}', timeoutSeconds: '{{ executionTimeout }}' }] } },
      }),
      { name: 'AWS-RunShellScript' },
    );
    const step = interpolate(doc, resolveParameters(doc, { commands: ['sleep 1'], executionTimeout: ['45'] })).steps[0]!;
    assert.equal(stepTimeoutSeconds(step), 45);
  });
});
