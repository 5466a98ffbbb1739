import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger, PatchProviderContext } from '@tender/plugin-api';
import { stepFixture } from '@tender/plugin-api/testing';
import { BUNDLED_PLUGINS, discoverPlugins, loadPlugins, PluginCatalog } from '../src/index.js';
import { assertPluginError, fixtureImports } from './fixtures/plugin-assertions.js';
import { document22, makeCommand, openRunner, shellStep, tempDir, unix } from './fixtures/runner/harness.js';

// The fixtures are plain JS and JSON, which tsc does not copy: reach them in the source tree from dist/test/.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/plugins');
const fixture = (name: string): string => path.join(FIXTURES, name);

/** Every fixture's index.js pushes its folder name here when it is imported (i.e. when its code runs). */
function importCount(name: string): number {
  return fixtureImports().filter((entry) => entry === name).length;
}

function recordingLogger(): Logger & { errors: Array<{ message: string; fields?: Record<string, unknown> }> } {
  const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (message, fields) => errors.push({ message, ...(fields ? { fields } : {}) }) };
}


const providerContext: PatchProviderContext = {
  signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }),
  now: () => new Date(),
};

describe('agent: plugins are imported on first use (PluginCatalog)', () => {
  it('knows a plugin\'s actions from its manifest, imports its code at the first run only, once, and the action works', async () => {
    const before = importCount('lazy-action');
    const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('lazy-action')] }));
    const actions = catalog.actions();
    const echo = actions('test:echo');
    assert.ok(echo, 'the manifest\'s action has a handler before any code is imported');
    assert.equal(actions('test:unknown'), undefined);
    assert.equal(importCount('lazy-action'), before, 'no plugin code imported yet');
    assert.deepEqual(catalog.imported(), []);

    const first = await stepFixture({ text: 'hello' });
    const second = await stepFixture({ text: 'again' });
    try {
      assert.deepEqual(await echo.run(first.context), { status: 'Success', exitCode: 0, outputs: { text: 'hello' } });
      assert.equal(first.stdout.text(), 'echo hello\n');
      assert.equal(importCount('lazy-action'), before + 1, 'imported at the first run');
      assert.deepEqual(await actions('test:echo')!.run(second.context), { status: 'Success', exitCode: 0, outputs: { text: 'again' } });
      assert.equal(importCount('lazy-action'), before + 1, 'and only once');
      assert.deepEqual(catalog.imported(), ['tender-fixture-lazy-action']);
    } finally {
      await first.cleanup();
      await second.cleanup();
    }
  });

  it('once the plugin is imported, run() is the plugin\'s own from its first line: the action starts before run() returns', async () => {
    const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('lazy-action')] }));
    const echo = catalog.actions()('test:echo')!;
    const first = await stepFixture({ text: 'imports' });
    const second = await stepFixture({ text: 'at-once' });
    try {
      await echo.run(first.context);
      const running = echo.run(second.context);
      assert.equal(second.stdout.text(), 'echo at-once\n', 'the plugin\'s run() had begun by the time run() returned');
      assert.equal((await running).status, 'Success');
    } finally {
      await first.cleanup();
      await second.cleanup();
    }
  });

  it('passes prepare() on to an imported plugin\'s action, and never imports a plugin for it (only run() does)', async () => {
    const prepared = () => ((globalThis as { tenderFixturePrepared?: string[] }).tenderFixturePrepared ?? []).join(',');
    const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('lazy-action')] }));
    const echo = catalog.actions()('test:echo')!;
    const early = await stepFixture({ text: 'before-import' });
    const later = await stepFixture({ text: 'after-import' });
    try {
      echo.prepare?.(early.context);
      assert.deepEqual(catalog.imported(), [], 'prepare() imported nothing');
      await echo.run(early.context);
      echo.prepare?.(later.context);
      assert.ok(prepared().endsWith('after-import') && !prepared().includes('before-import'), `the plugin saw only the prepare() made after its import (${prepared()})`);
    } finally {
      await early.cleanup();
      await later.cleanup();
    }
  });

  it('an action the manifest declares but the code lacks fails its run, naming the plugin', async () => {
    const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('lazy-action')] }));
    const step = await stepFixture({});
    try {
      await assertPluginError(catalog.actions()('test:declaredOnly')!.run(step.context), 'tender-fixture-lazy-action', /declares action test:declaredOnly/, /no actions\["test:declaredOnly"\]/);
    } finally {
      await step.cleanup();
    }
  });

  it('a plugin whose entry throws fails each use with a PluginError naming it (logged once); other plugins go on', async () => {
    const logger = recordingLogger();
    const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('broken-action'), fixture('lazy-action')] }), logger);
    assert.equal(importCount('broken-action'), 0, 'a broken plugin does not stop the catalog from being made');
    const step = await stepFixture({ text: 'still here' });
    try {
      for (let i = 0; i < 2; i++) {
        await assertPluginError(catalog.actions()('test:broken')!.run(step.context), 'tender-fixture-broken-action', /its entry .*index\.js failed to load/, /broken-action fixture exploded while being imported/);
      }
      assert.equal(logger.errors.length, 1, 'logged once, not at every use');
      assert.equal(logger.errors[0]!.fields?.plugin, 'tender-fixture-broken-action');
      assert.equal((await catalog.actions()('test:echo')!.run(step.context)).status, 'Success');
    } finally {
      await step.cleanup();
    }
  });

  it('a transport: imports only the plugin that provides it, and names a transport no plugin provides', async () => {
    const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('good-transport'), fixture('lazy-action')] }));
    const factory = await catalog.transport('loopback');
    assert.equal(typeof factory.create, 'function');
    assert.deepEqual(catalog.imported(), ['tender-fixture-good-transport']);
    await assert.rejects(catalog.transport('carrier-pigeon'), /no installed plugin provides the transport carrier-pigeon/);
  });

  describe('patch providers', () => {
    it('one whose manifest names its operating systems stands in until AWS-RunPatchBaseline calls it, then imports its plugin', async () => {
      const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('lazy-action')] }));
      const providers = await catalog.patchProviders();
      assert.deepEqual(providers.map((p) => [p.name, p.provider.operatingSystems]), [['lazy', ['DEBIAN']], ['misdeclared', ['UBUNTU']]]);
      assert.deepEqual(catalog.imported(), [], 'listing the providers imports nothing');
      const lazy = providers.find((p) => p.name === 'lazy')!.provider;
      assert.equal(await lazy.detect(providerContext), true);
      assert.deepEqual(catalog.imported(), ['tender-fixture-lazy-action']);
      assert.deepEqual(await lazy.scan(providerContext, {} as never), { operation: 'Scan', patches: [], rebootRequired: false, failures: [] });
    });

    it('operating systems in the manifest that differ from the provider\'s are refused at first use, naming the plugin', async () => {
      const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('lazy-action')] }));
      const misdeclared = (await catalog.patchProviders()).find((p) => p.name === 'misdeclared')!.provider;
      await assertPluginError(misdeclared.detect(providerContext), 'tender-fixture-lazy-action', /patch provider misdeclared serves DEBIAN, but tender\.provides\.patchProviderOperatingSystems says UBUNTU/);
    });

    it('one whose manifest predates patchProviderOperatingSystems still works: its plugin is imported when the list is made', async () => {
      const catalog = new PluginCatalog(await discoverPlugins({ paths: [fixture('legacy-provider')] }));
      assert.deepEqual(catalog.imported(), []);
      const providers = await catalog.patchProviders();
      assert.deepEqual(catalog.imported(), ['tender-fixture-legacy-provider']);
      assert.deepEqual(providers.map((p) => [p.name, p.provider.operatingSystems]), [['legacy', ['SUSE']]]);
    });

    it('the bundled patch plugins declare the operating systems their providers serve', async () => {
      const loaded = await loadPlugins({ packages: BUNDLED_PLUGINS });
      let providers = 0;
      for (const { manifest, plugin } of loaded) {
        for (const name of manifest.provides.patchProviders ?? []) {
          providers++;
          assert.deepEqual(manifest.provides.patchProviderOperatingSystems?.[name], plugin.patchProviders?.[name]?.operatingSystems, `${manifest.name}: ${name}`);
        }
      }
      assert.equal(providers, 3);
    });
  });

  (unix ? it : it.skip)('through the runner: a broken plugin fails its step with its name, and the next step and command still run', async function () {
    this.timeout(30_000);
    const stateDir = await tempDir();
    const catalog = new PluginCatalog(await discoverPlugins({ packages: ['@tender/action-script'], paths: [fixture('broken-action')] }));
    const t = await openRunner(stateDir, { actions: catalog.actions() });
    try {
      const broken = await t.run(
        makeCommand(document22([{ action: 'test:broken', name: 'brokenStep', inputs: {} }, shellStep('after', 'echo after')])),
      );
      assert.equal(broken.status, 'Failed');
      const [first, second] = broken.steps;
      assert.equal(first!.status, 'Failed');
      assert.match(first!.stderr.preview, /plugin tender-fixture-broken-action: its entry .* failed to load: broken-action fixture exploded/);
      assert.equal(second!.status, 'Success');
      assert.equal(second!.stdout.preview, 'after\n');
      const next = await t.run(makeCommand(document22([shellStep('again', 'echo again')])));
      assert.equal(next.status, 'Success');
    } finally {
      await t.runner.stop();
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });
});
