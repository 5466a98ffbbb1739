/**
 * `@tender/documents/builtins`: the documents owned by "Amazon", Tender's own documents under SSM's names, with
 * SSM's parameters and behaviour (the text is Tender's). The control plane publishes them (read-only, one version,
 * "1", their text JSON.stringify(content, null, 2)); they live here, beside the model they are written in, so that
 * the agent's tests can run the very document the control plane serves. A capability adds its document here.
 */
import type { CommandDocumentType } from '../document-model.js';
import type { JsonObject } from '../json-value.js';
import { GATHER_SOFTWARE_INVENTORY } from './gather-software-inventory.js';
import { RUN_DOCUMENT } from './run-document.js';
import { RUN_PATCH_BASELINE } from './run-patch-baseline.js';
import { RUN_POWERSHELL_SCRIPT } from './run-powershell-script.js';
import { RUN_REMOTE_SCRIPT } from './run-remote-script.js';
import { RUN_SHELL_SCRIPT } from './run-shell-script.js';

export interface BuiltinDocument {
  name: string;
  documentType: CommandDocumentType;
  content: JsonObject;
}

export const BUILTIN_DOCUMENTS: readonly BuiltinDocument[] = [
  { name: 'AWS-GatherSoftwareInventory', documentType: 'Command', content: GATHER_SOFTWARE_INVENTORY },
  { name: 'AWS-RunDocument', documentType: 'Command', content: RUN_DOCUMENT },
  { name: 'AWS-RunPatchBaseline', documentType: 'Command', content: RUN_PATCH_BASELINE },
  { name: 'AWS-RunPowerShellScript', documentType: 'Command', content: RUN_POWERSHELL_SCRIPT },
  { name: 'AWS-RunRemoteScript', documentType: 'Command', content: RUN_REMOTE_SCRIPT },
  { name: 'AWS-RunShellScript', documentType: 'Command', content: RUN_SHELL_SCRIPT },
];

/** When Tender's built-ins were published: their CreatedDate. */
export const BUILTIN_CREATED_DATE = '2025-01-01T00:00:00.000Z';
