import type { JsonObject } from '../json-value.js';
import { scriptDocument } from './script-document.js';

/** AWS-RunPowerShellScript, written for Tender: the same parameters and behaviour as SSM's document of that name. */
export const RUN_POWERSHELL_SCRIPT: JsonObject = scriptDocument({
  description: 'Runs PowerShell commands or a PowerShell script: powershell.exe on Windows, pwsh on Linux and macOS.',
  commandsDescription: '(Required) The PowerShell commands to run, one per line, or the path of a script on the host.',
  action: 'aws:runPowerShellScript',
  stepName: 'runPowerShellScript',
});
