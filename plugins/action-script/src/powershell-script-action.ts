import type { ActionHandler } from '@tender/plugin-api';
import { environmentValue } from './environment.js';
import { findExecutable } from './find-executable.js';
import { resolveOptions, type ScriptActionOptions } from './options.js';
import { PWSH_NOT_FOUND, powerShellCommand } from './powershell-command.js';
import { PreparedScripts } from './script-file.js';
import { prepareScriptFile, runScriptStep } from './script-step.js';

export const RUN_POWERSHELL_SCRIPT = 'aws:runPowerShellScript';

/**
 * aws:runPowerShellScript: runs `runCommand` as a PowerShell script, with powershell.exe on Windows and pwsh
 * elsewhere. pwsh is looked up on the step's PATH each time, so installing it needs no agent restart.
 */
export function createPowerShellScriptAction(options?: ScriptActionOptions): ActionHandler {
  const resolved = resolveOptions(options);
  const script = { scriptName: '_script.ps1', bom: true, scripts: new PreparedScripts() };
  return {
    description: 'runs a PowerShell script (runCommand) with powershell.exe on Windows, pwsh elsewhere',
    prepare(step) {
      prepareScriptFile(RUN_POWERSHELL_SCRIPT, step, script);
    },
    run(context) {
      const platform = context.platform;
      return runScriptStep(
        RUN_POWERSHELL_SCRIPT,
        context,
        {
          ...script,
          async command(scriptPath, env) {
            const pwsh = platform === 'win32'
              ? undefined
              : await findExecutable('pwsh', environmentValue(env, 'PATH', platform), platform);
            const command = powerShellCommand(platform, scriptPath, { systemRoot: environmentValue(env, 'SystemRoot', platform), pwsh });
            return command ?? { unavailable: PWSH_NOT_FOUND };
          },
        },
        resolved,
      );
    },
  };
}
