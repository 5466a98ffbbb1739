import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '@tender/documents';
import { PluginError, type ActionHandler, type PatchProvider } from '@tender/plugin-api';
import { BUNDLED_PLUGINS, loadPlugins } from '../src/index.js';
import { actionsFromMap, patchProviderServices, patchProvidersFromPlugins } from '../src/runner/index.js';
import { makeCommand, openRunner, tempDir } from './fixtures/runner/harness.js';

const PATCH_PLUGINS = ['@tender/patch-apt', '@tender/patch-dnf', '@tender/patch-windows-update'];

/** Writes a plugin folder whose manifest declares `declared` and whose entry provides `provided` patch providers. */
async function patchPlugin(dir: string, name: string, declared: string[], provided: string[]): Promise<string> {
  const folder = path.join(dir, name);
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', engines: { tender: '^1.0.0' }, tender: { provides: { patchProviders: declared } } }));
  const providers = provided.map((p) => `${JSON.stringify(p)}: { operatingSystems: ['DEBIAN'], detect: async () => false, scan: async () => { throw new Error('x'); }, install: async () => { throw new Error('x'); } }`).join(', ');
  await fs.writeFile(path.join(folder, 'index.js'), `import { definePlugin } from '@tender/plugin-api';\nglobalThis.tenderPatchFixtureImported = true;\nexport default definePlugin({ name: ${JSON.stringify(name)}, patchProviders: { ${providers} } });\n`);
  return folder;
}

describe('agent: patch providers from plugins', () => {
  let dir: string;
  before(async () => {
    // Inside the repository, so that the fixture plugins resolve @tender/plugin-api from its node_modules.
    dir = await fs.mkdtemp(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'patch-plugins-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('the agent bundles the apt, dnf and Windows Update providers, each under its own name', async () => {
    for (const name of PATCH_PLUGINS) assert.ok(BUNDLED_PLUGINS.includes(name), name);
    const providers = patchProvidersFromPlugins(await loadPlugins({ packages: PATCH_PLUGINS }));
    assert.deepEqual(providers.map((p) => p.name), ['apt', 'dnf', 'windows-update']);
    assert.deepEqual(providers[0]!.provider.operatingSystems, ['DEBIAN', 'UBUNTU', 'RASPBIAN']);
  });

  it('refuses a second plugin providing the same patch provider, before importing it', async () => {
    const clash = await patchPlugin(dir, 'tender-plugin-apt-clash', ['apt'], ['apt']);
    (globalThis as { tenderPatchFixtureImported?: boolean }).tenderPatchFixtureImported = false;
    await assert.rejects(loadPlugins({ packages: ['@tender/patch-apt'], paths: [clash] }), (error: unknown) => {
      assert.ok(error instanceof PluginError);
      assert.equal(error.plugin, 'tender-plugin-apt-clash');
      assert.match(error.message, /patch provider apt is already provided by plugin @tender\/patch-apt/);
      return true;
    });
    assert.equal((globalThis as { tenderPatchFixtureImported?: boolean }).tenderPatchFixtureImported, false);
  });

  it('refuses a plugin providing a patch provider its manifest does not declare', async () => {
    const sneaky = await patchPlugin(dir, 'tender-plugin-sneaky-patches', ['zypper'], ['zypper', 'sneaky']);
    await assert.rejects(loadPlugins({ paths: [sneaky] }), /plugin tender-plugin-sneaky-patches: provides patch provider sneaky without declaring it in tender\.provides\.patchProviders/);
  });

  it('a step\'s action gets services.patchProviders() with the loaded providers; without any, the member is absent', async () => {
    const provider: PatchProvider = { operatingSystems: ['DEBIAN'], detect: async () => true, scan: async () => ({ operation: 'Scan', patches: [], rebootRequired: false, failures: [] }), install: async () => ({ operation: 'Install', patches: [], rebootRequired: false, failures: [] }) };
    assert.deepEqual(patchProviderServices([]), {});
    let seen: string[] | undefined;
    const probe: ActionHandler = {
      async run(context) {
        seen = context.services?.patchProviders?.().map((entry) => entry.name);
        return { status: 'Success', exitCode: 0 };
      },
    };
    const stateDir = await tempDir();
    const t = await openRunner(stateDir, { actions: actionsFromMap({ 'aws:probePatching': probe }), patchProviders: [{ name: 'apt', provider }] });
    try {
      const document: JsonObject = { schemaVersion: '2.2', mainSteps: [{ action: 'aws:probePatching', name: 'probe', inputs: {} }] };
      const result = await t.run(makeCommand(document));
      assert.equal(result.status, 'Success', result.steps[0]?.statusDetails);
      assert.deepEqual(seen, ['apt']);
    } finally {
      await t.runner.stop();
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });
});
