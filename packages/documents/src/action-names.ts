/**
 * Action (plugin) names: a namespace and a name, `aws:runShellScript`. SSM's own actions all use `aws:`; other
 * namespaces are left open for Tender plugins. Whether an action exists is not a document question: an unknown
 * action is reported by the agent when the step runs (and a 2.2 step whose action the platform lacks is skipped).
 */

const ACTION_NAME = /^[a-zA-Z][a-zA-Z0-9]*:[a-zA-Z][a-zA-Z0-9]*$/;

export function isActionName(name: string): boolean {
  return ACTION_NAME.test(name);
}

/** Script actions: the ones whose runCommand is a script, and whose steps get ENV_VAR parameters as `SSM_<name>`. */
export const SHELL_SCRIPT_ACTION = 'aws:runShellScript';
export const POWERSHELL_SCRIPT_ACTION = 'aws:runPowerShellScript';

export function isScriptAction(action: string): boolean {
  return action === SHELL_SCRIPT_ACTION || action === POWERSHELL_SCRIPT_ACTION;
}
