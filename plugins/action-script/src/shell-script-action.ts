import type { ActionHandler } from '@tender/plugin-api';
import { NO_EXIT_CODE } from './exit-codes.js';
import { resolveOptions, type ScriptActionOptions } from './options.js';
import { runScriptStep } from './script-step.js';
import { shellCommand } from './shell-command.js';
import { warmShellSpawner } from './warm-shell.js';

export const RUN_SHELL_SCRIPT = 'aws:runShellScript';

/** aws:runShellScript: runs `runCommand` as a shell script (Linux and macOS). */
export function createShellScriptAction(options?: ScriptActionOptions): ActionHandler {
  const given = resolveOptions(options);
  // Steps start from a shell made ahead of time (warm-shell.ts), unless the caller brings its own spawner.
  const resolved = options?.spawn ? given : { ...given, spawn: warmShellSpawner(given.spawn) };
  return {
    description: 'runs a shell script (runCommand) with /bin/sh, in its own process group',
    run(context) {
      if (context.platform === 'win32') {
        // As in SSM, whose Windows agent has no such plugin: Windows documents use aws:runPowerShellScript.
        return Promise.resolve({
          status: 'Failed',
          exitCode: NO_EXIT_CODE,
          message: `${RUN_SHELL_SCRIPT} runs on Linux and macOS only; use aws:runPowerShellScript on Windows`,
        });
      }
      return runScriptStep(
        RUN_SHELL_SCRIPT,
        context,
        { scriptName: '_script.sh', bom: false, command: (scriptPath) => Promise.resolve(shellCommand(scriptPath)) },
        resolved,
      );
    },
  };
}
