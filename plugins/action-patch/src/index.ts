import { definePlugin } from '@tender/plugin-api';
import { RUN_PATCH_BASELINE } from './inputs.js';
import { createRunPatchBaselineAction } from './run-patch-baseline-action.js';

export { createRunPatchBaselineAction, EXIT_CODE_REBOOT_UNIX, EXIT_CODE_REBOOT_WINDOWS, type RunPatchBaselineOptions } from './run-patch-baseline-action.js';
export { parsePatchInputs, parsePatchList, PatchInputError, RUN_PATCH_BASELINE, type PatchInputs } from './inputs.js';
export { patchReportItems, countPatches, NON_COMPLIANT_STATES, type OperationFacts } from './patch-report-rows.js';
export { createExec, NOT_STARTED_EXIT_CODE } from './exec.js';

export default definePlugin({
  name: '@tender/action-patch',
  actions: {
    [RUN_PATCH_BASELINE]: createRunPatchBaselineAction(),
  },
});
