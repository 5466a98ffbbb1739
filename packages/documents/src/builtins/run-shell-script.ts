import type { JsonObject } from '../json-value.js';

/** Every script document's timeout parameter: whole seconds, 1 to 172800 (48 hours). */
export const EXECUTION_TIMEOUT_48H = '^([1-9][0-9]{0,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800)$';

/** AWS-RunShellScript, written for Tender: the same parameters and behaviour as SSM's document of that name. */
export const RUN_SHELL_SCRIPT: JsonObject = {
  schemaVersion: '2.2',
  description: 'Runs shell commands or a shell script on Linux and macOS hosts.',
  parameters: {
    commands: {
      type: 'StringList',
      description: '(Required) The commands to run, one per line, or the path of a script on the host.',
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
      action: 'aws:runShellScript',
      name: 'runShellScript',
      inputs: {
        runCommand: '{{ commands }}',
        workingDirectory: '{{ workingDirectory }}',
        timeoutSeconds: '{{ executionTimeout }}',
      },
    },
  ],
};
