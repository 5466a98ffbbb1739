/**
 * The durable state of a command the agent has started: everything needed to resume it after a reboot, or to
 * end it with a definite status after a crash. Rewritten (atomically) before each step starts, so the file
 * always names the step that may be running.
 */
import type { Command, StepResult } from './command.js';
import { commandProblems } from './command-validation.js';

export const RECORD_VERSION = 1;

export interface CommandRecord {
  version: typeof RECORD_VERSION;
  command: Command;
  /**
   * running: the agent is (or was, before a crash) running it. rebooting: a step exited with 194 / 3010, the
   * state below was saved and the host was asked to reboot; the next start resumes at that step.
   */
  phase: 'running' | 'rebooting';
  startedAt: string;
  /** executionTimeoutSeconds as an absolute time (ISO 8601), so the bound holds across a reboot. */
  deadline?: string;
  /** One result per document step, in order; steps not reached yet are Pending. */
  steps: StepResult[];
  /** The step that is running, or runs next. */
  nextStep: number;
  /** An exit condition (168, 169, onFailure, onSuccess) stopped the document: only a finallyStep still runs. */
  stopped: boolean;
  /** Set while phase is rebooting. */
  reboot?: { stepIndex: number; requestedAt: string };
}

/** Every problem with `value` as a CommandRecord; empty when it is one. */
export function recordProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['not an object'];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  if (record.version !== RECORD_VERSION) problems.push(`version must be ${RECORD_VERSION}`);
  problems.push(...commandProblems(record.command).map((problem) => `command: ${problem}`));
  if (record.phase !== 'running' && record.phase !== 'rebooting') problems.push('phase must be running or rebooting');
  if (typeof record.startedAt !== 'string') problems.push('startedAt must be a time');
  if (!Array.isArray(record.steps) || !record.steps.every(isStepResult)) problems.push('steps must be step results');
  if (typeof record.nextStep !== 'number' || !Number.isInteger(record.nextStep) || record.nextStep < 0) problems.push('nextStep must be an index');
  if (typeof record.stopped !== 'boolean') problems.push('stopped must be true or false');
  if (record.phase === 'rebooting') {
    const reboot = record.reboot as Record<string, unknown> | undefined;
    if (typeof reboot?.stepIndex !== 'number' || typeof reboot.requestedAt !== 'string') problems.push('a rebooting record needs reboot.stepIndex');
  }
  return problems;
}

export function isStepResult(value: unknown): value is StepResult {
  if (typeof value !== 'object' || value === null) return false;
  const step = value as Record<string, unknown>;
  const isOutput = (output: unknown): boolean =>
    typeof output === 'object' && output !== null && typeof (output as Record<string, unknown>).file === 'string';
  return (
    typeof step.name === 'string' &&
    typeof step.action === 'string' &&
    typeof step.status === 'string' &&
    typeof step.responseCode === 'number' &&
    typeof step.runs === 'number' &&
    isOutput(step.stdout) &&
    isOutput(step.stderr)
  );
}
