import assert from 'node:assert/strict';
import { BUILTIN_DOCUMENTS } from '../src/builtins/index.js';
import { parseDocument } from '../src/index.js';

describe('Built-in documents (@tender/documents/builtins)', () => {
  it('are SSM\'s names, each once, and each validates as the document type it is published as', () => {
    assert.deepEqual(
      BUILTIN_DOCUMENTS.map((builtin) => builtin.name),
      ['AWS-GatherSoftwareInventory', 'AWS-RunDocument', 'AWS-RunPatchBaseline', 'AWS-RunPowerShellScript', 'AWS-RunRemoteScript', 'AWS-RunShellScript'],
    );
    for (const builtin of BUILTIN_DOCUMENTS) {
      // As the control plane publishes it: JSON, indented by two.
      const document = parseDocument(JSON.stringify(builtin.content, null, 2), { name: builtin.name, format: 'JSON', documentType: builtin.documentType });
      assert.ok(document.steps.length > 0, builtin.name);
    }
  });
});
