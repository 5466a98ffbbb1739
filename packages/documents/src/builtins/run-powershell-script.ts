import type { JsonObject } from '../json-value.js';
import { EXECUTION_TIMEOUT_48H } from './run-shell-script.js';

/** AWS-RunPowerShellScript, written for Tender: the same parameters and behaviour as SSM's document of that name. */
export const RUN_POWERSHELL_SCRIPT: JsonObject = {
  schemaVersion: '2.2',
  description: 'Runs PowerShell commands or a PowerShell script: powershell.exe on Windows, pwsh on Linux and macOS.',
  parameters: {
    commands: {
      type: 'StringList',
      description: '(Required) The PowerShell commands to run, one per line, or the path of a script on the host.',
      minItems: 1,
      displayType: 'textarea',
    },
    workingDirectory: {
      type: 'String',
      default: '',
      description: '(Optional) The directory the commands run in. Empty: the directory the agent prepares for the run.',
      maxChars: 4096,
    },
    executionTimeout: {
      type: 'String',
      default: '3600',
      description: '(Optional) Seconds the commands may run before they are stopped and the step fails. Default 3600 (1 hour), at most 172800 (48 hours).',
      allowedPattern: EXECUTION_TIMEOUT_48H,
    },
  },
  mainSteps: [
    {
      action: 'aws:runPowerShellScript',
      name: 'runPowerShellScript',
      inputs: {
        runCommand: '{{ commands }}',
        workingDirectory: '{{ workingDirectory }}',
        timeoutSeconds: '{{ executionTimeout }}',
      },
    },
  ],
};
