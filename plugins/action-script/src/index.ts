import { definePlugin } from '@tender/plugin-api';
import { createPowerShellScriptAction, RUN_POWERSHELL_SCRIPT } from './powershell-script-action.js';
import { createShellScriptAction, RUN_SHELL_SCRIPT } from './shell-script-action.js';

export { NO_EXIT_CODE, stoppedExitCode } from './exit-codes.js';
export type { ScriptActionOptions } from './options.js';
export type { Spawner } from './spawner.js';
export { createShellScriptAction, RUN_SHELL_SCRIPT } from './shell-script-action.js';
export { createPowerShellScriptAction, RUN_POWERSHELL_SCRIPT } from './powershell-script-action.js';
export { powerShellCommand, PWSH_NOT_FOUND } from './powershell-command.js';

export default definePlugin({
  name: '@tender/action-script',
  actions: {
    [RUN_SHELL_SCRIPT]: createShellScriptAction(),
    [RUN_POWERSHELL_SCRIPT]: createPowerShellScriptAction(),
  },
});
