import path from 'node:path';
import type { ActionHandler, PreparedStep } from '@tender/plugin-api';
import { NO_EXIT_CODE } from './exit-codes.js';
import type { ScriptInputs } from './inputs.js';
import { resolveOptions, type ScriptActionOptions } from './options.js';
import { scriptSpawnOptions } from './script-process.js';
import { PreparedScripts } from './script-file.js';
import { prepareScriptFile, runScriptStep, scriptProcessSettings } from './script-step.js';
import { hasInterpreterLine, shellCommand } from './shell-command.js';
import { warmShellSpawner, type WarmShellSpawner } from './warm-shell.js';

export const RUN_SHELL_SCRIPT = 'aws:runShellScript';
const SCRIPT_NAME = '_script.sh';

/** aws:runShellScript: runs `runCommand` as a shell script (Linux and macOS). */
export function createShellScriptAction(options?: ScriptActionOptions): ActionHandler {
  const given = resolveOptions(options);
  // Steps start from a shell made ahead of time (warm-shell.ts), unless the caller brings its own spawner.
  const warm = options?.spawn ? undefined : warmShellSpawner(given.spawn);
  const resolved = warm ? { ...given, spawn: warm } : given;
  const script = { scriptName: SCRIPT_NAME, bom: false, scripts: new PreparedScripts() };
  return {
    description: 'runs a shell script (runCommand) with /bin/sh, in its own process group',
    prepare(step) {
      if (step.platform === 'win32') return;
      // The shell first: it does not read the script until its gate opens, and its start (an exec, milliseconds of a
      // small host's time) then overlaps the script's write and the runner's save instead of following them.
      prepareScriptFile(RUN_SHELL_SCRIPT, step, script, warm && ((inputs) => prepareShell(step, inputs, warm.prepareScript)));
    },
    run(context) {
      if (context.platform === 'win32') {
        // As in SSM, whose Windows agent has no such plugin: Windows documents use aws:runPowerShellScript.
        return Promise.resolve({
          status: 'Failed',
          exitCode: NO_EXIT_CODE,
          message: `${RUN_SHELL_SCRIPT} runs on Linux and macOS only; use aws:runPowerShellScript on Windows`,
        });
      }
      return runScriptStep(RUN_SHELL_SCRIPT, context, { ...script, command: (scriptPath, _env, text) => shellCommand(scriptPath, hasInterpreterLine(text)) }, resolved);
    },
  };
}

/**
 * While the runner saves the step's record: have the `/bin/sh <script>` that run() will spawn started already, waiting
 * for its go (warm-shell.ts). Only for a script without `#!`, whose own interpreter is that sh; run() then spawns
 * exactly what is prepared here, from the same inputs, folder and environment, or the prepared shell is left unused.
 */
function prepareShell(step: PreparedStep, inputs: ScriptInputs, prepareScript: WarmShellSpawner['prepareScript']): void {
  if (hasInterpreterLine(inputs.script)) return;
  const { cwd, env } = scriptProcessSettings(inputs, step);
  prepareScript(path.join(step.orchestrationDirectory, SCRIPT_NAME), scriptSpawnOptions(cwd, env));
}
