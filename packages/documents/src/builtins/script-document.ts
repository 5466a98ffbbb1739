import type { JsonObject } from '../json-value.js';

/** Every script document's timeout parameter: whole seconds, 1 to 172800 (48 hours). */
export const EXECUTION_TIMEOUT_48H = '^([1-9][0-9]{0,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800)$';

/**
 * AWS-RunShellScript and AWS-RunPowerShellScript are one document for two shells, as in SSM: the same parameters
 * (commands, workingDirectory, executionTimeout) handed to one step of the shell's action.
 */
export function scriptDocument(shell: { description: string; commandsDescription: string; action: string; stepName: string }): JsonObject {
  return {
    schemaVersion: '2.2',
    description: shell.description,
    parameters: {
      commands: {
        type: 'StringList',
        description: shell.commandsDescription,
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
        action: shell.action,
        name: shell.stepName,
        inputs: {
          runCommand: '{{ commands }}',
          workingDirectory: '{{ workingDirectory }}',
          timeoutSeconds: '{{ executionTimeout }}',
        },
      },
    ],
  };
}
