import type { ActionContext, ActionResult, PreparedStep } from '@tender/plugin-api';
import { abortReasonOf } from '@tender/plugin-api';
import { agentEnvironment, mergeEnvironment } from './environment.js';
import { NO_EXIT_CODE } from './exit-codes.js';
import { parseScriptInputs, type ScriptInputs } from './inputs.js';
import type { ResolvedScriptActionOptions } from './options.js';
import { runScriptProcess } from './script-process.js';
import { resultFromOutcome } from './script-result.js';
import type { PreparedScripts } from './script-file.js';
import { checkWorkingDirectory } from './working-directory.js';

type InterpreterCommand = { command: string; args: string[] } | { unavailable: string };

/** What differs between the shell and the PowerShell action: the script file and the interpreter. */
export interface Interpreter {
  scriptName: string;
  /** Whether the script file starts with a UTF-8 byte order mark. */
  bom: boolean;
  /** The action's scripts written ahead by prepare (prepareScriptFile). */
  scripts: PreparedScripts;
  /**
   * The command that runs the written script, or a reason why it cannot run here (a failed step, not a throw).
   * Receives the step's environment, whose PATH is the one to search, and the script as written. An interpreter that
   * needs no search answers at once (not a promise), and the process then starts in the same turn as run() was called.
   */
  command(scriptPath: string, env: Readonly<Record<string, string>>, script: string): InterpreterCommand | Promise<InterpreterCommand>;
}

/**
 * The steps both actions share: check inputs, check the working directory, write the script, start the
 * interpreter, and report. Every failure becomes a Failed result with a message; nothing here throws.
 */
export async function runScriptStep(
  action: string,
  context: ActionContext,
  interpreter: Interpreter,
  options: ResolvedScriptActionOptions,
): Promise<ActionResult> {
  const failed = (message: string): ActionResult => ({ status: 'Failed', exitCode: NO_EXIT_CODE, message });
  try {
    const parsed = parseScriptInputs(action, context.inputs);
    if (!parsed.ok) return failed(parsed.message);
    const inputs: ScriptInputs = parsed.inputs;

    if (inputs.workingDirectory !== undefined) {
      const problem = await checkWorkingDirectory(action, inputs.workingDirectory);
      if (problem) return failed(problem);
    }
    if (context.signal.aborted) {
      return resultFromOutcome(action, { kind: 'aborted', reason: abortReasonOf(context.signal), started: false }, process.platform);
    }

    const { cwd, env } = scriptProcessSettings(inputs, context);
    let scriptPath: string;
    try {
      scriptPath = interpreter.scripts.ensure(context.orchestrationDirectory, interpreter.scriptName, inputs.script, interpreter.bom);
    } catch (error) {
      return failed(`${action}: could not write the script into ${context.orchestrationDirectory}: ${(error as Error).message}`);
    }
    // Not even a microtask's wait when there is nothing to wait for: the runner has just saved the step's record,
    // and a prepared process is waiting for its gate to open.
    const planned = interpreter.command(scriptPath, env, inputs.script);
    const command = planned instanceof Promise ? await planned : planned;
    if ('unavailable' in command) return failed(command.unavailable);

    context.logger.debug(`${action} starting`, { command: command.command, cwd, step: context.run.stepName });
    const outcome = await runScriptProcess(
      { command: command.command, args: command.args, cwd, env },
      { signal: context.signal, stdout: context.stdout, stderr: context.stderr, logger: context.logger },
      options,
    );
    const result = resultFromOutcome(action, outcome, process.platform);
    context.logger.debug(`${action} finished`, { status: result.status, exitCode: result.exitCode, step: context.run.stepName });
    return result;
  } catch (error) {
    // The contract is a result, never a rejection: an unexpected failure is this step's failure, not the agent's.
    context.logger.error(`${action} failed unexpectedly`, { error: (error as Error).message });
    return failed(`${action}: unexpected error: ${(error as Error).message}`);
  }
}

/**
 * prepare(): writes the step's script into its orchestration folder ahead of run(), and returns the step's inputs,
 * or undefined when they are invalid (run() then reports that). `beforeWrite` gets the valid inputs first (what it
 * starts then overlaps the write). A write that fails throws; run() tries again.
 */
export function prepareScriptFile(
  action: string,
  step: PreparedStep,
  interpreter: Pick<Interpreter, 'scriptName' | 'bom' | 'scripts'>,
  beforeWrite?: (inputs: ScriptInputs) => void,
): ScriptInputs | undefined {
  const parsed = parseScriptInputs(action, step.inputs);
  if (!parsed.ok) return undefined;
  beforeWrite?.(parsed.inputs);
  interpreter.scripts.write(step.orchestrationDirectory, interpreter.scriptName, parsed.inputs.script, interpreter.bom);
  return parsed.inputs;
}

/**
 * Where a step's script runs and with what environment: the step's working directory (its orchestration folder by
 * default), and the agent's environment with the step's additions. The process prepare() starts ahead and the one
 * run() spawns must agree on both, so both take them from here.
 */
export function scriptProcessSettings(inputs: ScriptInputs, step: Pick<PreparedStep, 'env' | 'orchestrationDirectory'>): { cwd: string; env: Record<string, string> } {
  return { cwd: inputs.workingDirectory ?? step.orchestrationDirectory, env: mergeEnvironment(agentEnvironment(), step.env, process.platform) };
}
