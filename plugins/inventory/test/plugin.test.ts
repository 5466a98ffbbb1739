import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { isDefinedPlugin } from '@tender/plugin-api';
import plugin from '../src/index.js';

describe('inventory: the plugin', () => {
  it('is a definePlugin() named as its package, providing exactly the actions its manifest declares', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; tender: { provides: { actions: string[] } } };
    assert.ok(isDefinedPlugin(plugin));
    assert.equal(plugin.name, manifest.name);
    assert.deepEqual(Object.keys(plugin.actions ?? {}).sort(), [...manifest.tender.provides.actions].sort());
    assert.equal(typeof plugin.actions?.['aws:softwareInventory']?.description, 'string');
  });
});
