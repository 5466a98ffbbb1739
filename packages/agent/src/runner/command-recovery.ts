/**
 * What the agent does with its commands when it starts, before it takes new ones: every command ends up
 * either running again (on purpose) or with a definite status, never stuck InProgress.
 *
 *   results/, completed/  ended; copies a crash left in current/ or pending/ are removed (the later state wins)
 *   current/, rebooting   the step asked for a reboot: resume, running that step again
 *   current/, running     a step was InProgress, so the agent died under it (kill -9, crash, power loss): the
 *                         step is Failed with that reason, the rest Cancelled, its leftover processes killed,
 *                         the result spooled. Run again, it might do twice what it did once, so it is not.
 *                         Its orchestration folder (the script, with any {{ssm-secure:...}} value spliced in) is
 *                         removed, as the runner does when a step ends.
 *                         (SSM Agent's out-of-process worker reports "document process failed unexpectedly".)
 *                         No step InProgress: nothing was running; resume with the next step.
 *   pending/              accepted but not started: queue again, oldest first
 *   unreadable file       moved to corrupt/ (with a log line); the command is owed a result: a Failed one
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@tender/plugin-api';
import { isoTime, type Clock } from './clock.js';
import type { Command, CommandResult } from './command.js';
import type { CommandRecord } from './command-record.js';
import type { CommandStore } from './command-store.js';
import { commandResultOf, NO_RESPONSE_CODE } from './invocation-status.js';
import { summarizeOutputFile } from './output-capture.js';
import type { OrphanReaper } from './orphan-processes.js';
import { STDERR_PREVIEW_CHARACTERS, STDOUT_PREVIEW_CHARACTERS } from './output-preview.js';
import { endUnreachedSteps, endWithoutRunning } from './step-results.js';
import { byCodeUnits } from '../runtime/code-unit-order.js';

export const INTERRUPTED_STEP_REASON =
  'Step interrupted: the agent stopped unexpectedly while this step was running (it was killed or crashed, or the host ' +
  'went down without a reboot the step asked for). Its outcome is unknown, so it was not run again.';

export const INTERRUPTED_COMMAND_REASON =
  'The agent stopped unexpectedly while this command was running; the interrupted step is marked Failed and the command was not resumed.';

export interface RecoveryPlan {
  /** Records to run on: after a reboot they asked for, or stopped between steps. */
  resume: CommandRecord[];
  /** Accepted commands that never started, oldest first. */
  requeue: Command[];
  /** Commands ended here (interrupted, or corrupt); their results are in the spool. */
  ended: CommandResult[];
  /** Ids whose state file was moved to corrupt/. */
  corrupt: string[];
}

export interface RecoveryOptions {
  clock: Clock;
  logger: Logger;
  orphanReaper: OrphanReaper;
}

export async function recoverCommands(store: CommandStore, options: RecoveryOptions): Promise<RecoveryPlan> {
  const { clock, logger } = options;
  const plan: RecoveryPlan = { resume: [], requeue: [], ended: [], corrupt: [] };
  await store.rescan();
  await store.removeStaleTemporaries(clock.now());
  // Ended (spooled or acknowledged): copies a crash left in earlier states are dropped, the later state wins.
  const ended = new Set([...(await store.list('completed')), ...(await store.listResults())]);
  for (const id of ended) {
    await store.discard('current', id);
    await store.discard('pending', id);
  }

  const started = new Set<string>();
  for (const id of await store.list('current')) {
    if (ended.has(id)) continue;
    started.add(id);
    const entry = await store.readCurrent(id);
    if (entry.state === 'absent') continue;
    if (entry.state === 'corrupt') {
      plan.corrupt.push(id);
      await options.orphanReaper.reap(id);
      plan.ended.push(await endCommandFailed(store, id, corruptStateMessage(entry.reason), clock));
      continue;
    }
    const record = entry.value;
    await store.discard('pending', id);
    const running = record.steps.findIndex((step) => step.status === 'InProgress');
    if (record.phase === 'rebooting' || running < 0) {
      plan.resume.push(record);
      continue;
    }
    const reaped = await options.orphanReaper.reap(id);
    logger.warn('a command was interrupted by the agent stopping unexpectedly; marking it Failed', {
      commandId: id,
      step: record.steps[running]?.name,
      leftoverProcessesKilled: reaped,
    });
    plan.ended.push(await endInterrupted(store, record, running, clock));
  }

  for (const id of await store.list('pending')) {
    if (ended.has(id) || started.has(id)) continue;
    const entry = await store.readPending(id);
    if (entry.state === 'ok') plan.requeue.push(entry.value);
    else if (entry.state === 'corrupt') {
      plan.corrupt.push(id);
      plan.ended.push(await endCommandFailed(store, id, corruptStateMessage(entry.reason), clock));
    }
  }
  plan.requeue.sort((a, b) => byCodeUnits(a.receivedAt, b.receivedAt));
  plan.resume.sort((a, b) => byCodeUnits(a.command.receivedAt, b.command.receivedAt));
  return plan;
}

async function endInterrupted(store: CommandStore, record: CommandRecord, running: number, clock: Clock): Promise<CommandResult> {
  const at = isoTime(clock);
  const step = record.steps[running]!;
  // What the step wrote before the agent died is in its files; the record only had the previews of earlier runs.
  step.stdout = summarizeOutputFile(step.stdout.file, STDOUT_PREVIEW_CHARACTERS);
  step.stderr = summarizeOutputFile(step.stderr.file, STDERR_PREVIEW_CHARACTERS);
  endWithoutRunning(step, 'Failed', INTERRUPTED_STEP_REASON, at);
  step.responseCode = NO_RESPONSE_CODE; // there is no exit status to report
  await fs.rm(path.join(path.dirname(step.stdout.file), 'orchestration'), { recursive: true, force: true });
  endUnreachedSteps(record.steps, running + 1, 'interrupted', at);
  const result = commandResultOf(record, { status: 'Failed', message: INTERRUPTED_COMMAND_REASON }, at);
  await store.complete(result);
  return result;
}

/** The message for a command whose state file was unreadable (and moved to corrupt/). */
export function corruptStateMessage(reason: string): string {
  return `The agent's saved state for this command could not be read, so it was not run (or not finished); the file was moved to commands/corrupt/ (${reason}).`;
}

/**
 * Ends a command the agent cannot run or finish from what it has (an unreadable state file, state it could not
 * save): Failed, with the reason, in the spool. The document's name was in what could not be used; the control
 * plane has it.
 */
export async function endCommandFailed(store: CommandStore, commandId: string, message: string, clock: Clock): Promise<CommandResult> {
  const result: CommandResult = {
    commandId,
    documentName: '',
    status: 'Failed',
    statusDetails: 'Failed',
    responseCode: NO_RESPONSE_CODE,
    message,
    endedAt: isoTime(clock),
    steps: [],
  };
  await store.complete(result);
  return result;
}
