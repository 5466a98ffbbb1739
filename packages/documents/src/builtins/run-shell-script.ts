import type { JsonObject } from '../json-value.js';
import { scriptDocument } from './script-document.js';

/** AWS-RunShellScript, written for Tender: the same parameters and behaviour as SSM's document of that name. */
export const RUN_SHELL_SCRIPT: JsonObject = scriptDocument({
  description: 'Runs shell commands or a shell script on Linux and macOS hosts.',
  commandsDescription: '(Required) The commands to run, one per line, or the path of a script on the host.',
  action: 'aws:runShellScript',
  stepName: 'runShellScript',
});
