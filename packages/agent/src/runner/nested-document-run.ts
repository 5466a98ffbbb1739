/**
 * A nested document run (aws:runDocument), inside the calling step: same instance, same cancellation and timeout
 * (the calling step's signal), its steps' output written to the calling step's sinks. The document is parsed, its
 * parameters resolved (resolveParameters: a bad value fails the calling step with the documents package's
 * message) and interpolated; its steps then run by the rules of the top-level runner (document-runner.ts):
 * preconditions, onFailure / onSuccess / finallyStep, exit codes 168 and 169, each step's own timeoutSeconds.
 *
 * Nothing of a nested run is persisted: if the agent dies in the middle, recovery ends the calling step as
 * interrupted, as it would any step. Two things a top-level step can do are refused here, each with a clear
 * failure: a reboot request (exit 194 / 3010), because resuming inside a nested document after a restart is not
 * supported; and Parameter Store references (`{{ssm:...}}`), which the control plane resolves only in the
 * document SendCommand names.
 *
 * The overall result, as SSM Agent's aws:runDocument maps it: the calling step was cancelled or timed out →
 * Cancelled / TimedOut; any nested step Failed or TimedOut → Failed, exit code 1; otherwise Success, exit code 0.
 * Nested exit codes (168, 169, ...) are not passed up, so they stop only the nested document.
 */
import path from 'node:path';
import {
  decideAfterStep,
  EXIT_CODE_REBOOT_UNIX,
  EXIT_CODE_REBOOT_WINDOWS,
  evaluatePrecondition,
  interpolate,
  parseDocument,
  resolveParameters,
  runsAfterStop,
  skippedAfterStopReason,
  stepTimeoutSeconds,
  type Step,
} from '@tender/documents';
import { abortReasonOf, type ActionContext, type ActionResult, type AgentServices, type Logger, type OutputSink, type Platform, type RunIdentity } from '@tender/plugin-api';
import type { ActionLookup } from './action-registry.js';
import type { Clock } from './clock.js';
import { NO_RESPONSE_CODE } from './invocation-status.js';
import { withFields } from './logger-fields.js';
import { stepDirectoryNames } from './step-directories.js';
import { platformTypeOf, stepEnvironment, type InstanceFacts } from './step-environment.js';
import type { DocumentSource } from './step-services.js';

/** What a step's services need to know about the step, and what a nested run inherits from it. */
export interface NestedRunSetting {
  actions: ActionLookup;
  instance: InstanceFacts;
  platform: Platform;
  logger: Logger;
  clock: Clock;
  documents?: DocumentSource;
  /** The calling step's identity; nested steps keep its command and instance. */
  run: RunIdentity;
  /** The calling step's TENDER_STEP_RUN, so that orphan recovery finds nested processes too. */
  stepRunMarker: string;
  /** The calling step's orchestration folder; nested steps get folders below it. */
  orchestrationDirectory: string;
  downloadsDirectory: string;
  /** The level of the document the step belongs to (0: the command's own). */
  level: number;
}

export interface NestedIo {
  signal: AbortSignal;
  stdout: OutputSink;
  stderr: OutputSink;
  documentName?: string;
}

type NestedStepStatus = 'Success' | 'Failed' | 'TimedOut' | 'Cancelled' | 'Skipped';

const failed = (message: string): ActionResult => ({ status: 'Failed', exitCode: 1, message });

/**
 * Runs `content` as the document at `setting.level`. `servicesFor` gives the nested steps their own services
 * (one level deeper); the caller passes its own factory, which keeps this module free of an import cycle.
 */
export async function runNestedDocument(
  setting: NestedRunSetting,
  content: Record<string, unknown>,
  parameters: Record<string, unknown>,
  io: NestedIo,
  servicesFor: (setting: NestedRunSetting) => AgentServices,
): Promise<ActionResult> {
  const name = io.documentName ?? `nested document (level ${setting.level})`;
  let steps: readonly Step[];
  let resolved: ReturnType<typeof resolveParameters>;
  try {
    const document = parseDocument(JSON.stringify(content), { name, format: 'JSON' });
    resolved = resolveParameters(document, parameters);
    const interpolated = interpolate(document, resolved);
    if (interpolated.references.length > 0) {
      return failed(`${name}: Parameter Store references (${interpolated.references.map((r) => `{{${r}}}`).join(', ')}) are not supported in a nested document; pass their values as documentParameters from the calling document instead`);
    }
    steps = interpolated.steps;
  } catch (error) {
    // DocumentError and ParameterError messages name the document, the place and the problem.
    return failed((error as Error).message);
  }

  const directories = stepDirectoryNames(steps.map((step) => step.name));
  const ended: Array<{ name: string; status: NestedStepStatus; message?: string }> = [];
  let stopped = false;
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index]!;
    if (io.signal.aborted) break;
    if (stopped && !runsAfterStop(steps, index)) {
      ended.push({ name: step.name, status: 'Skipped' });
      io.stdout.write(`${skippedAfterStopReason(step)}\n`);
      continue;
    }
    const verdict = evaluatePrecondition(step, { platformType: platformTypeOf(setting.platform), parameters: resolved });
    if (verdict.outcome === 'skip') {
      ended.push({ name: step.name, status: 'Skipped' });
      io.stdout.write(`${verdict.reason ?? `Step execution skipped due to unsatisfied preconditions. Step name: ${step.name}`}\n`);
      continue;
    }
    const handler = setting.actions(step.action);
    let outcome: ActionResult;
    if (verdict.outcome === 'fail' || !handler) {
      outcome = failed(verdict.reason ?? `the action ${step.action} is not available on this agent (no plugin provides it). Step name: ${step.name}`);
    } else {
      outcome = await runNestedStep(setting, io, name, step, directories[index]!, handler.run.bind(handler), servicesFor);
    }
    const status = nestedStepStatus(step, outcome, io.signal, setting.platform, (stop) => (stopped ||= stop));
    // As at the top level, a step that counts as a success (168, successAndExit) drops the action's message.
    const message = status.status === 'Success' ? undefined : (status.message ?? outcome.message);
    ended.push({ name: step.name, status: status.status, ...(message ? { message } : {}) });
    if (status.note) io.stdout.write(`${status.note}\n`);
    if (status.status !== 'Success' && message) io.stderr.write(`${name}: step ${step.name}: ${message}\n`);
  }

  if (io.signal.aborted) {
    const reason = abortReasonOf(io.signal) === 'timeout' ? 'timed out' : 'was cancelled';
    return { status: abortReasonOf(io.signal) === 'timeout' ? 'TimedOut' : 'Cancelled', exitCode: NO_RESPONSE_CODE, message: `the step ${reason} while running ${name}` };
  }
  const failure = ended.find((step) => step.status === 'Failed' || step.status === 'TimedOut');
  if (failure) {
    const what = failure.status === 'TimedOut' ? 'timed out' : 'failed';
    return failed(`${name}: step ${failure.name} ${what}${failure.message ? `: ${failure.message}` : ''}`);
  }
  return { status: 'Success', exitCode: 0 };
}

async function runNestedStep(
  setting: NestedRunSetting,
  io: NestedIo,
  documentName: string,
  step: Step,
  directory: string,
  run: (context: ActionContext) => Promise<ActionResult>,
  servicesFor: (setting: NestedRunSetting) => AgentServices,
): Promise<ActionResult> {
  // The calling step's signal, plus this step's own timeoutSeconds: whichever ends first.
  const controller = new AbortController();
  const forward = (): void => controller.abort(io.signal.reason);
  io.signal.addEventListener('abort', forward, { once: true });
  if (io.signal.aborted) forward();
  const timeoutSeconds = stepTimeoutSeconds(step);
  const cancelTimer = timeoutSeconds === undefined ? undefined : setting.clock.setTimer(() => controller.abort('timeout'), timeoutSeconds * 1000);
  const orchestrationDirectory = path.join(setting.orchestrationDirectory, `level-${setting.level}`, directory);
  const identity: RunIdentity = { ...setting.run, documentName, stepName: step.name };
  const logger = withFields(setting.logger, { nestedDocument: documentName, nestedStep: step.name, level: setting.level });
  const context: ActionContext = {
    inputs: step.inputs,
    signal: controller.signal,
    logger,
    stdout: io.stdout,
    stderr: io.stderr,
    orchestrationDirectory,
    downloadsDirectory: setting.downloadsDirectory,
    env: stepEnvironment(setting.instance, step.env, setting.stepRunMarker),
    run: identity,
    platform: setting.platform,
    services: servicesFor({ ...setting, run: identity, logger, orchestrationDirectory }),
  };
  try {
    return await run(context);
  } catch (error) {
    return failed(`the action ${step.action} failed: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    cancelTimer?.();
    io.signal.removeEventListener('abort', forward);
  }
}

/** The nested step's status by the top-level rules; `stop` is told when the nested document must stop. */
function nestedStepStatus(
  step: Step,
  outcome: ActionResult,
  calling: AbortSignal,
  platform: Platform,
  stop: (stopDocument: boolean) => void,
): { status: NestedStepStatus; message?: string; note?: string } {
  const rebootCode = platform === 'win32' ? EXIT_CODE_REBOOT_WINDOWS : EXIT_CODE_REBOOT_UNIX;
  if (outcome.exitCode === rebootCode && (outcome.status === 'Success' || outcome.status === 'Failed') && !calling.aborted) {
    return { status: 'Failed', message: `the step exited with ${rebootCode} to ask for a reboot, which a step of a nested document cannot do (reboots are supported in the command's own document only)` };
  }
  if (outcome.status === 'TimedOut') return { status: 'TimedOut' };
  if (outcome.status === 'Cancelled' || calling.aborted) return { status: 'Cancelled' };
  const after = decideAfterStep(step, { succeeded: outcome.status === 'Success', exitCode: outcome.exitCode });
  stop(after.stopDocument);
  return { status: after.succeeded ? 'Success' : 'Failed', ...(after.note ? { note: after.note } : {}) };
}
